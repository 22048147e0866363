//! Maps of England's 153 local areas as inline SVG drawn on the server: the geographic map (ONS boundaries, the
//! official view) and the House of Commons Library's hex cartogram (each area sized by its population, so that London
//! boroughs are as easy to see and to click as counties).
//!
//! Each area is a link to its page (`<a href>`, which a keyboard reaches with Tab, in the order of the areas' names),
//! named by a `<title>` and an `aria-label` ("Name: outcome"), its shape one `<path>` whose `class` is its category:
//! the page's stylesheet colours the categories, and can add [`pattern_defs`]'s patterns so that no category is told
//! by colour alone. The SVG carries no `style` and no script, only classes and presentation attributes (defaults that
//! any stylesheet overrides), so it stands under a strict Content-Security-Policy and reads with scripts off. Since
//! 153 links are many to Tab through, the page should let keyboard users skip the map to the same data as a table.
//!
//! The maps are compiled into the binary (`api/assets/maps/`, with their sources and licences); each is parsed,
//! projected, simplified and written as path data once per process ([`prepare`], or the first [`svg`]), after which
//! [`svg`] only joins text.

mod shapes;
mod simplify;

use super::html::escape;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use shapes::{Shapes, Source};

/// Which map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapView {
    /// The geographic map: ONS boundaries, projected equirectangularly at 52.5° N. The official view.
    Geographic,
    /// The House of Commons Library's hex cartogram: one small hexagon per roughly 8 000 residents.
    Hex,
}

/// What the geographic map's licence (the Open Government Licence v3.0) asks a page to say.
pub const ATTRIBUTION_GEOGRAPHIC: &str = "Source: Office for National Statistics licensed under the Open Government \
     Licence v.3.0. Contains OS data (c) Crown copyright and database right 2024";

/// What the hex cartogram's licence (the Open Parliament Licence v3.0) asks a page to say.
pub const ATTRIBUTION_HEX: &str = "Contains Parliamentary information licensed under the Open Parliament Licence v3.0";

/// The class of an area the caller gave nothing for.
pub const NO_DATA_CLASS: &str = "no-data";

impl MapView {
    /// Both views, the official one first.
    pub const ALL: [MapView; 2] = [MapView::Geographic, MapView::Hex];

    /// The attribution its licence asks for ([`ATTRIBUTION_GEOGRAPHIC`] or [`ATTRIBUTION_HEX`]), for the footer of a
    /// page that shows it.
    pub fn attribution(self) -> &'static str {
        match self {
            MapView::Geographic => ATTRIBUTION_GEOGRAPHIC,
            MapView::Hex => ATTRIBUTION_HEX,
        }
    }

    /// Its name in CSS classes and URLs: `geographic`, `hex`.
    pub fn slug(self) -> &'static str {
        match self {
            MapView::Geographic => "geographic",
            MapView::Hex => "hex",
        }
    }

    fn source(self) -> Source {
        match self {
            MapView::Geographic => Source {
                geojson: include_str!("../../assets/maps/england_utla_2024_buc.geojson"),
                code: "CTYUA24CD",
                name: "CTYUA24NM",
                // Equirectangular at England's middle latitude: lengths east-west and north-south agree there.
                x_scale: 52.5_f64.to_radians().cos(),
                // Half a unit (a third of a pixel on a phone) keeps about 4 000 of the 10 400 vertices, and every
                // outline recognisable.
                tolerance: 1.25,
                min_island: 1.0,
            },
            MapView::Hex => Source {
                geojson: include_str!("../../assets/maps/england_utla_2023_hex.geojson"),
                code: "cua-code",
                name: "cua-name",
                x_scale: 1.0,
                // Hexagons have no detail to lose: only vertices on a straight edge go.
                tolerance: 0.01,
                min_island: 0.0,
            },
        }
    }

    fn shapes(self) -> &'static Shapes {
        static GEOGRAPHIC: OnceLock<Shapes> = OnceLock::new();
        static HEX: OnceLock<Shapes> = OnceLock::new();
        let cell = match self {
            MapView::Geographic => &GEOGRAPHIC,
            MapView::Hex => &HEX,
        };
        cell.get_or_init(|| {
            let started = std::time::Instant::now();
            match shapes::build(&self.source()) {
                Ok(shapes) => {
                    let micros = started.elapsed().as_micros();
                    let (areas, vertices) = (shapes.areas.len(), shapes.vertices());
                    tracing::debug!(view = self.slug(), areas, vertices, micros, "map prepared");
                    shapes
                }
                // The bundled files are checked by this module's tests, so this is a build that skipped them; a
                // page then shows an empty map rather than failing.
                Err(error) => {
                    tracing::error!(view = self.slug(), %error, "cannot read the bundled map");
                    Shapes { width: shapes::WIDTH, height: shapes::WIDTH, areas: Vec::new() }
                }
            }
        })
    }
}

/// One area as the map draws it.
#[derive(Debug, Clone, Copy)]
pub struct MapArea<'a> {
    /// Its GSS code, e.g. "E09000033".
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The CSS class of its category, e.g. "outcome-positive" (see [`pattern_defs`] for the classes with patterns).
    pub class: &'a str,
    /// Its category in words, e.g. "typically positive" or "not yet inspected".
    pub label: &'a str,
    /// Its page.
    pub href: &'a str,
}

/// The text alternative of a map, and the prefix of its element ids.
#[derive(Debug, Clone, Copy)]
pub struct Caption<'a> {
    /// The `<svg>` element's id, unique on its page; its `<title>` and `<desc>` are `{id}-title` and `{id}-desc`.
    pub id: &'a str,
    /// What the map shows, e.g. "Latest outcome of each local area".
    pub title: &'a str,
    /// The map's numbers in words, e.g. "Of 153 areas, 60 typically positive, …".
    pub desc: &'a str,
}

/// Builds both maps now, so that no request pays for it (about what [`svg`]'s first call would take otherwise).
pub fn prepare() {
    for view in MapView::ALL {
        view.shapes();
    }
}

/// The GSS codes the map has a shape for (the 153 current areas), in order.
pub fn codes(view: MapView) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = view.shapes().areas.iter().map(|a| a.code.as_str()).collect();
    codes.sort_unstable();
    codes
}

/// The map as an inline SVG element (`<svg class="map map-{slug}">`, its width the container's): one link per area
/// of `areas` with its `<title>` "Name: label", an `aria-label` alike, and its shape(s) as one `<path>` of its class;
/// an area the map has but `areas` lacks is drawn in [`NO_DATA_CLASS`], titled "Name: no data" with the map's name
/// for it, and links nowhere. An area of `areas` the map lacks is not drawn (see [`codes`]); of two with one code the
/// first is drawn. Every text is escaped.
pub fn svg(view: MapView, areas: &[MapArea<'_>], caption: &Caption<'_>) -> String {
    let shapes = view.shapes();
    let mut given: HashMap<&str, &MapArea<'_>> = HashMap::with_capacity(areas.len());
    for area in areas {
        given.entry(area.code).or_insert(area);
    }
    let id = escape(caption.id);
    let mut out = String::with_capacity(shapes.areas.iter().map(|a| a.d.len() + 200).sum());
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"map map-{}\" viewBox=\"0 0 {} {}\" \
         width=\"100%\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title>\
         <desc id=\"{id}-desc\">{}</desc>",
        view.slug(),
        shapes.width,
        shapes.height,
        escape(caption.title),
        escape(caption.desc),
    );
    // Defaults for a page without the stylesheet: grey areas, white borders; holes are drawn by the even-odd rule.
    out.push_str(
        "<g fill=\"#e0e0e0\" stroke=\"#fff\" stroke-width=\".5\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n",
    );
    for shape in &shapes.areas {
        match given.get(shape.code.as_str()) {
            Some(area) => {
                let name = escape(&format!("{}: {}", area.name, area.label));
                let _ = writeln!(
                    out,
                    "<a href=\"{}\" aria-label=\"{name}\"><title>{name}</title><path class=\"{}\" d=\"{}\"/></a>",
                    escape(area.href),
                    escape(area.class),
                    shape.d,
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<path class=\"{NO_DATA_CLASS}\" d=\"{}\"><title>{}: no data</title></path>",
                    shape.d,
                    escape(&shape.name),
                );
            }
        }
    }
    out.push_str("</g></svg>");
    out
}

/// Patterns for the categories, as a hidden `<svg class="map-patterns">` holding them in its `<defs>`, to put once
/// in a page (ids are page-wide) that shows maps or charts; the stylesheet then fills each category with its pattern,
/// and colours the pattern's ground with the category's colour through the ground's own class:
///
/// | category class         | pattern id                     | drawn as                 | ground class                  |
/// |------------------------|--------------------------------|--------------------------|-------------------------------|
/// | `outcome-positive`     | none                           | plain colour             |                               |
/// | `outcome-inconsistent` | `pattern-outcome-inconsistent` | dots                     | `outcome-inconsistent-ground` |
/// | `outcome-systemic`     | `pattern-outcome-systemic`     | diagonal hatching        | `outcome-systemic-ground`     |
/// | `outcome-other`        | `pattern-outcome-other`        | horizontal lines         | `outcome-other-ground`        |
/// | `not-inspected`        | `pattern-not-inspected`        | cross-hatching           | `not-inspected-ground`        |
/// | `no-data`              | none                           | plain colour             |                               |
///
/// For example `.outcome-systemic, .outcome-systemic-ground { fill: #e69f00 }` and
/// `.map .outcome-systemic { fill: url(#pattern-outcome-systemic) }`; the ink is class `pattern-ink` (black unless
/// styled). The ground has a class of its own, not the category's, so that a category's other styles (a stroke) do
/// not draw a grid in the pattern. Tiles are 6 user units: 1% of a map's width. The element is 0 by 0; the stylesheet
/// may also take it out of the flow (`.map-patterns { position: absolute }`): `display: none` would lose the patterns
/// in some browsers.
pub fn pattern_defs() -> &'static str {
    concat!(
        "<svg class=\"map-patterns\" width=\"0\" height=\"0\" aria-hidden=\"true\" focusable=\"false\"><defs>",
        "<pattern id=\"pattern-outcome-inconsistent\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">",
        "<rect class=\"outcome-inconsistent-ground\" width=\"6\" height=\"6\" fill=\"none\"/>",
        "<circle class=\"pattern-ink\" cx=\"3\" cy=\"3\" r=\"1.2\" fill=\"#000\"/></pattern>",
        "<pattern id=\"pattern-outcome-systemic\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">",
        "<rect class=\"outcome-systemic-ground\" width=\"6\" height=\"6\" fill=\"none\"/>",
        "<path class=\"pattern-ink\" d=\"M-1 1l2-2M0 6l6-6M5 7l2-2\" stroke=\"#000\" stroke-width=\"1.2\"/></pattern>",
        "<pattern id=\"pattern-outcome-other\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">",
        "<rect class=\"outcome-other-ground\" width=\"6\" height=\"6\" fill=\"none\"/>",
        "<path class=\"pattern-ink\" d=\"M0 3h6\" stroke=\"#000\" stroke-width=\"1.2\"/></pattern>",
        "<pattern id=\"pattern-not-inspected\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">",
        "<rect class=\"not-inspected-ground\" width=\"6\" height=\"6\" fill=\"none\"/>",
        "<path class=\"pattern-ink\" d=\"M-1 1l2-2M0 6l6-6M5 7l2-2M-1 5l2 2M0 0l6 6M5-1l2 2\" stroke=\"#000\" \
         stroke-width=\".8\"/></pattern>",
        "</defs></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    /// An XML element as the tests read it back.
    #[derive(Debug, Default)]
    struct Element {
        name: String,
        attributes: Vec<(String, String)>,
        children: Vec<Element>,
        text: String,
    }

    impl Element {
        fn attribute(&self, name: &str) -> Option<&str> {
            self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
        }

        fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
            if self.name == name {
                out.push(self);
            }
            for c in &self.children {
                c.all(name, out);
            }
        }
    }

    /// Parses `xml` (one root element) with quick-xml, which refuses mismatched tags and unknown entities.
    fn parse(xml: &str) -> Element {
        fn open(e: &quick_xml::events::BytesStart<'_>) -> Element {
            let attributes = e
                .attributes()
                .map(|a| {
                    let a = a.expect("an attribute");
                    let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).expect("an escaped value");
                    (a.key.as_ref().to_owned(), value.into_owned())
                })
                .collect();
            Element { name: e.name().as_ref().to_owned(), attributes, ..Element::default() }
        }
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack = vec![Element::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push(open(&e)),
                Event::Empty(e) => stack.last_mut().expect("a parent").children.push(open(&e)),
                Event::End(_) => {
                    let done = stack.pop().expect("an open element");
                    stack.last_mut().expect("a parent").children.push(done);
                }
                Event::Text(t) => stack.last_mut().expect("a parent").text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    let reference = format!("&{};", &*r);
                    let text = quick_xml::escape::unescape(&reference).expect("a known entity");
                    stack.last_mut().expect("a parent").text.push_str(&text);
                }
                Event::Eof => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(stack.len(), 1, "every element closed");
        let mut root = stack.pop().expect("the document").children;
        assert_eq!(root.len(), 1, "one root element");
        root.pop().expect("the root")
    }

    /// The GSS codes of `data/local_areas.csv`'s current areas (all of its rows, unless it says when one ended).
    fn current_codes() -> Vec<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/local_areas.csv");
        let mut reader = csv::Reader::from_path(path).expect("local_areas.csv");
        let headers = reader.headers().expect("a header").clone();
        let column = |name: &str| headers.iter().position(|h| h == name);
        let code = column("la_code_gss").expect("la_code_gss");
        let ended = column("valid_to");
        let mut codes: Vec<String> = reader
            .records()
            .map(|r| r.expect("a row"))
            .filter(|r| ended.is_none_or(|i| r.get(i).unwrap_or("").is_empty()))
            .map(|r| r[code].to_owned())
            .collect();
        codes.sort();
        codes
    }

    fn caption() -> Caption<'static> {
        Caption { id: "map", title: "Latest outcomes", desc: "What each area's latest inspection found." }
    }

    /// Every area of a map, named after its code and linking to `/areas/{code}`.
    struct Given {
        codes: Vec<&'static str>,
        hrefs: Vec<String>,
    }

    impl Given {
        fn of(view: MapView) -> Self {
            let codes = codes(view);
            let hrefs = codes.iter().map(|c| format!("/areas/{c}")).collect();
            Given { codes, hrefs }
        }

        /// Each area in the category of `class` and `label`.
        fn areas<'a>(&'a self, class: &'a str, label: &'a str) -> Vec<MapArea<'a>> {
            let each = self.codes.iter().zip(&self.hrefs);
            each.map(|(code, href)| MapArea { code, name: code, class, label, href }).collect()
        }
    }

    #[test]
    fn both_views_have_the_current_areas_and_no_other() {
        let expected = current_codes();
        assert_eq!(expected.len(), 153);
        for view in MapView::ALL {
            assert_eq!(codes(view), expected, "{view:?}");
        }
    }

    #[test]
    fn every_area_is_a_named_link_with_a_shape() {
        for view in MapView::ALL {
            let given = Given::of(view);
            let areas = given.areas("outcome-positive", "typically positive");
            let svg = svg(view, &areas, &caption());
            let root = parse(&svg);
            assert_eq!(root.name, "svg");
            assert_eq!(root.attribute("aria-labelledby"), Some("map-title map-desc"));
            assert_eq!(root.children[0].attribute("id"), Some("map-title"));
            assert_eq!(root.children[1].attribute("id"), Some("map-desc"));
            let mut links = Vec::new();
            root.all("a", &mut links);
            assert_eq!(links.len(), 153, "{view:?}");
            for link in links {
                let href = link.attribute("href").expect("an href");
                let code = href.strip_prefix("/areas/").expect("its page");
                let name = format!("{code}: typically positive");
                assert_eq!(link.attribute("aria-label"), Some(name.as_str()));
                assert_eq!(link.children[0].name, "title", "the title first");
                assert_eq!(link.children[0].text, name);
                assert_eq!(link.children[1].name, "path");
                assert_eq!(link.children[1].attribute("class"), Some("outcome-positive"));
                assert!(!link.children[1].attribute("d").unwrap_or("").is_empty());
            }
        }
    }

    #[test]
    fn text_is_escaped_and_areas_missing_or_unknown_are_handled() {
        let areas = [
            MapArea {
                code: "E09000001",
                name: "A & <B>",
                class: "outcome-\"x\"",
                label: "it's",
                href: "/a?b=1&c=\"2\"",
            },
            MapArea { code: "E09000001", name: "a second", class: "c", label: "l", href: "/2" },
            MapArea { code: "E99999999", name: "nowhere", class: "c", label: "l", href: "/nowhere" },
        ];
        let caption = Caption { id: "m<1>", title: "T & t", desc: "D < d" };
        let svg = svg(MapView::Hex, &areas, &caption);
        assert!(svg.contains("A &amp; &lt;B&gt;: it&apos;s"), "escaped");
        let root = parse(&svg);
        assert_eq!(root.attribute("id"), Some("m<1>"));
        assert_eq!(root.children[0].text, "T & t");
        let mut links = Vec::new();
        root.all("a", &mut links);
        assert_eq!(links.len(), 1, "the first of two with one code; none for an unknown code");
        assert_eq!(links[0].attribute("href"), Some("/a?b=1&c=\"2\""));
        assert_eq!(links[0].children[0].text, "A & <B>: it's");
        assert_eq!(links[0].children[1].attribute("class"), Some("outcome-\"x\""));
        assert!(!svg.contains("nowhere"));
        let mut paths = Vec::new();
        root.all("path", &mut paths);
        let no_data: Vec<&&Element> = paths.iter().filter(|p| p.attribute("class") == Some(NO_DATA_CLASS)).collect();
        assert_eq!(no_data.len(), 152);
        assert!(no_data.iter().any(|p| p.children[0].text == "Westminster: no data"));
    }

    #[test]
    fn shapes_fit_the_view_box_and_every_area_keeps_a_shape() {
        for view in MapView::ALL {
            let shapes = shapes::build(&view.source()).expect("the bundled map");
            let (w, h) = (shapes.width as i32 * 10, shapes.height as i32 * 10);
            for area in &shapes.areas {
                assert!(!area.rings.is_empty(), "{}", area.code);
                for ring in &area.rings {
                    assert!(ring.len() >= 3, "{}: a ring of {} vertices", area.code, ring.len());
                    assert!(ring.iter().all(|&(x, y)| (0..=w).contains(&x) && (0..=h).contains(&y)), "{}", area.code);
                }
                assert_eq!(shapes::tests::parse_path(&area.d), area.rings, "{}: the path data reads back", area.code);
            }
        }
    }

    #[test]
    fn the_geographic_map_is_simplified_to_a_few_thousand_vertices() {
        let geographic = shapes::build(&MapView::Geographic.source()).expect("the bundled map");
        let vertices = geographic.vertices();
        assert!((3_000..=5_000).contains(&vertices), "{vertices} vertices");
        // The Isles of Scilly and the City of London, the smallest areas, are still drawn.
        for code in ["E06000053", "E09000001"] {
            assert!(geographic.areas.iter().any(|a| a.code == code && !a.d.is_empty()), "{code}");
        }
    }

    #[test]
    fn drawing_is_deterministic() {
        for view in MapView::ALL {
            let given = Given::of(view);
            let areas: Vec<MapArea<'_>> =
                given.areas("not-inspected", "not yet inspected").into_iter().step_by(2).collect();
            assert_eq!(svg(view, &areas, &caption()), svg(view, &areas, &caption()));
            let again = shapes::build(&view.source()).expect("the bundled map");
            let paths: Vec<&str> = again.areas.iter().map(|a| a.d.as_str()).collect();
            let held: Vec<&str> = view.shapes().areas.iter().map(|a| a.d.as_str()).collect();
            assert_eq!(paths, held, "{view:?}: built twice, drawn the same");
        }
    }

    #[test]
    fn attributions_are_those_the_maps_readme_quotes() {
        let readme = include_str!("../../assets/maps/README.md").split_whitespace().collect::<Vec<_>>().join(" ");
        for view in MapView::ALL {
            assert!(readme.contains(&format!("\"{}\"", view.attribution())), "{view:?}");
        }
    }

    #[test]
    fn patterns_are_one_hidden_svg_with_unique_ids() {
        let root = parse(pattern_defs());
        assert_eq!(root.attribute("aria-hidden"), Some("true"));
        let mut patterns = Vec::new();
        root.all("pattern", &mut patterns);
        let ids: Vec<&str> = patterns.iter().filter_map(|p| p.attribute("id")).collect();
        assert_eq!(
            ids,
            [
                "pattern-outcome-inconsistent",
                "pattern-outcome-systemic",
                "pattern-outcome-other",
                "pattern-not-inspected"
            ]
        );
        for p in patterns {
            let id = p.attribute("id").unwrap_or("");
            let ground = format!("{}-ground", id.trim_start_matches("pattern-"));
            assert_eq!(p.children[0].attribute("class"), Some(ground.as_str()));
        }
    }
}
