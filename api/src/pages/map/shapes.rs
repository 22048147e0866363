//! The bundled maps as the SVG draws them: each area's rings parsed from GeoJSON, projected into the viewBox,
//! simplified and written as path data, once per process and view.

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::simplify::{Key, open, simplify};

/// Width of every map's viewBox; its height follows from the map's shape.
pub(super) const WIDTH: u32 = 600;
/// Space around the shapes, so that the outline of an area at the edge is not cut off.
const MARGIN: f64 = 4.0;
/// Source coordinates are kept in units of their fourth decimal (both files round to 4 or 3 decimals), so that a
/// vertex two areas share is the same key in both.
const KEY_UNITS: f64 = 1e4;

/// A point of the viewBox in tenths of a unit, the precision of the path data: a tenth of a unit is under a fifth of
/// a pixel at the widths a page shows a map (600 units at most 600 pixels wide, 375 on a phone).
pub(super) type Tenths = (i32, i32);

/// Where a map comes from and how it is drawn.
pub(super) struct Source {
    /// The GeoJSON text.
    pub geojson: &'static str,
    /// The properties holding each area's GSS code and name.
    pub code: &'static str,
    /// See `code`.
    pub name: &'static str,
    /// x = x_scale * source x; y = -source y (both sources have y pointing up, as latitude does).
    pub x_scale: f64,
    /// Douglas-Peucker tolerance in viewBox units (0 keeps every vertex but those on a straight line).
    pub tolerance: f64,
    /// An island (a ring sharing no vertex with another) smaller than this many square units is dropped, unless it
    /// is its area's largest ring: too small to see or to click.
    pub min_island: f64,
}

/// One map, ready to draw.
pub(super) struct Shapes {
    /// The viewBox's size.
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// The areas, in drawing (and keyboard) order: by name, then code.
    pub areas: Vec<Shape>,
}

/// One area of a map.
pub(super) struct Shape {
    /// Its GSS code.
    pub code: String,
    /// Its name as the map's source gives it.
    pub name: String,
    /// Its rings after simplification, each with at least three vertices, not closed.
    pub rings: Vec<Vec<Tenths>>,
    /// `rings` as SVG path data.
    pub d: String,
}

impl Shapes {
    /// The number of vertices drawn.
    pub fn vertices(&self) -> usize {
        self.areas.iter().flat_map(|a| &a.rings).map(Vec::len).sum()
    }
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Map<String, Value>,
    geometry: Geometry,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

/// One area as parsed: its rings (outer rings and holes alike: the path is filled even-odd) as keys.
struct Parsed {
    code: String,
    name: String,
    rings: Vec<Vec<Key>>,
}

/// Parses, projects and simplifies a map.
pub(super) fn build(source: &Source) -> Result<Shapes, String> {
    let parsed = parse(source)?;
    let keys_x = |k: Key| k.0 as f64 / KEY_UNITS * source.x_scale;
    let keys_y = |k: Key| -(k.1 as f64) / KEY_UNITS;
    let all = parsed.iter().flat_map(|a| &a.rings).flatten();
    let (min_x, max_x) = bounds(all.clone().map(|&k| keys_x(k)));
    let (min_y, max_y) = bounds(all.map(|&k| keys_y(k)));
    if !(max_x > min_x && max_y > min_y) {
        return Err("the map has no extent".into());
    }
    let scale = (f64::from(WIDTH) - 2.0 * MARGIN) / (max_x - min_x);
    let height = ((max_y - min_y) * scale + 2.0 * MARGIN).ceil();
    let project = |k: Key| ((keys_x(k) - min_x) * scale + MARGIN, (keys_y(k) - min_y) * scale + MARGIN);

    let flat: Vec<Vec<Key>> = parsed.iter().flat_map(|a| a.rings.iter().cloned()).collect();
    let mut simplified = simplify(&flat, project, source.tolerance).into_iter();
    let mut areas = Vec::with_capacity(parsed.len());
    for area in parsed {
        let mut kept = Vec::new();
        let mut largest: Option<(f64, Vec<Tenths>)> = None;
        for original in &area.rings {
            let Some(ring) = simplified.next() else { return Err("a ring went missing".into()) };
            let mut points = tenths(&ring.points, project);
            let size = area_of(&tenths(original, project));
            if largest.as_ref().is_none_or(|(s, _)| size > *s) {
                // Kept whole if simplifying leaves too little of it: every area keeps a shape.
                if points.len() < 3 {
                    points = tenths(original, project);
                }
                largest = Some((size, points.clone()));
            }
            if points.len() >= 3 && (ring.shared || size >= source.min_island) {
                kept.push(points);
            }
        }
        let Some((_, largest)) = largest else { return Err(format!("{} has no rings", area.code)) };
        if !kept.contains(&largest) {
            kept.push(largest);
        }
        let d = path_data(&kept);
        areas.push(Shape { code: area.code, name: area.name, rings: kept, d });
    }
    areas.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    Ok(Shapes { width: WIDTH, height: height as u32, areas })
}

fn parse(source: &Source) -> Result<Vec<Parsed>, String> {
    let collection: Collection = serde_json::from_str(source.geojson).map_err(|e| format!("not GeoJSON: {e}"))?;
    let key = |[x, y]: [f64; 2]| ((x * KEY_UNITS).round() as i64, (y * KEY_UNITS).round() as i64);
    collection
        .features
        .into_iter()
        .map(|f| {
            let text = |name: &str| f.properties.get(name).and_then(Value::as_str).map(str::to_owned);
            let code = text(source.code).ok_or_else(|| format!("a feature without {}", source.code))?;
            let name = text(source.name).ok_or_else(|| format!("{code} without {}", source.name))?;
            let polygons = match f.geometry {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(m) => m,
            };
            let rings = polygons.into_iter().flatten().map(|r| r.into_iter().map(key).collect()).collect();
            Ok(Parsed { code, name, rings })
        })
        .collect()
}

/// The least and greatest of some numbers.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// A ring's vertices projected and rounded to tenths, without repeats (a closing vertex included).
fn tenths(ring: &[Key], project: impl Fn(Key) -> (f64, f64)) -> Vec<Tenths> {
    open(ring.iter().map(|&k| {
        let (x, y) = project(k);
        ((x * 10.0).round() as i32, (y * 10.0).round() as i32)
    }))
}

/// A ring's area in square units (shoelace).
fn area_of(ring: &[Tenths]) -> f64 {
    let n = ring.len();
    let twice: i64 = (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a.0) * i64::from(b.1) - i64::from(b.0) * i64::from(a.1)
        })
        .sum();
    twice.abs() as f64 / 200.0
}

/// Rings as compact SVG path data: each ring an absolute move, then relative lines, then a close.
pub(super) fn path_data(rings: &[Vec<Tenths>]) -> String {
    let mut d = String::new();
    for ring in rings {
        let Some(&(x0, y0)) = ring.first() else { continue };
        d.push('M');
        number(&mut d, x0);
        number(&mut d, y0);
        d.push('l');
        for pair in ring.windows(2) {
            number(&mut d, pair[1].0 - pair[0].0);
            number(&mut d, pair[1].1 - pair[0].1);
        }
        d.push('z');
    }
    d
}

/// A number of tenths as path data writes it: "12.3", "-.5", "7"; a space before it unless it follows a command
/// letter or starts with a minus sign.
fn number(d: &mut String, tenths: i32) {
    if !tenths.is_negative() && d.ends_with(|c: char| c.is_ascii_digit() || c == '.') {
        d.push(' ');
    }
    let (whole, tenth) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    if tenths < 0 {
        d.push('-');
    }
    match (whole, tenth) {
        (w, 0) => {
            let _ = write!(d, "{w}");
        }
        (0, t) => {
            let _ = write!(d, ".{t}");
        }
        (w, t) => {
            let _ = write!(d, "{w}.{t}");
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Reads back what [`path_data`] writes: each ring's absolute vertices.
    pub(in super::super) fn parse_path(d: &str) -> Vec<Vec<Tenths>> {
        let mut rings = Vec::new();
        let mut ring: Vec<Tenths> = Vec::new();
        let mut numbers: Vec<i32> = Vec::new();
        let mut token = String::new();
        let flush = |token: &mut String, numbers: &mut Vec<i32>| {
            if !token.is_empty() {
                let value: f64 = token.parse().expect("a number");
                numbers.push((value * 10.0).round() as i32);
                token.clear();
            }
        };
        for c in d.chars() {
            match c {
                'M' | 'l' | 'z' => {
                    flush(&mut token, &mut numbers);
                    if let Some(&last) = ring.last() {
                        for pair in numbers.chunks(2) {
                            let prev = ring.last().copied().unwrap_or(last);
                            ring.push((prev.0 + pair[0], prev.1 + pair[1]));
                        }
                    } else if numbers.len() == 2 {
                        ring.push((numbers[0], numbers[1]));
                    }
                    numbers.clear();
                    if c == 'z' {
                        rings.push(std::mem::take(&mut ring));
                    }
                }
                ' ' => flush(&mut token, &mut numbers),
                '-' => {
                    flush(&mut token, &mut numbers);
                    token.push(c);
                }
                c => token.push(c),
            }
        }
        rings
    }

    #[test]
    fn path_data_is_compact_and_reads_back() {
        let rings = vec![vec![(123, 45), (128, 45), (120, 0)], vec![(0, 5), (10, 5), (10, -5)]];
        let d = path_data(&rings);
        assert_eq!(d, "M12.3 4.5l.5 0-.8-4.5zM0 .5l1 0 0-1z");
        assert_eq!(parse_path(&d), rings);
    }
}
