//! The entry points to areas: `area(code:)`, `areas` (a connection) and `node(id:)`.

use async_graphql::{Context, ID, Object};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter};
use send_model::domain::{self, AreaCode};
use send_model::entity::{inspection, local_area};

use super::connection::connection;
use super::context::{db, loaders, model};
use super::inputs::{AreaFilter, AreaOrder, AreaOrderField};
use super::objects::{Area, Inspection};
use super::pagination::{Total, connection_field, paginate, sort_order};
use crate::error::ApiResult;
use crate::read_model::keys::{PUBLISHED_KEY_PREFIX, parse_global_id};
use crate::read_model::order::{KeyKind, SortKey};
use crate::read_model::search::name_contains;

connection!(AreaConnection, AreaEdge, Area, "local areas");

/// The entry points to areas.
#[derive(Default)]
pub struct AreaQuery;

#[Object]
impl AreaQuery {
    /// One local area, by ONS GSS code (`E10000029`), DfE code (`935`) or Ofsted URN (`80565`). Null when no area
    /// has the code; a malformed code is a `BAD_USER_INPUT` error.
    async fn area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "GSS code, DfE 3-digit code or Ofsted URN, in any case.")] code: String,
    ) -> ApiResult<Option<Area>> {
        Ok(model(ctx).await?.area_by_code(&code)?.map(Area))
    }

    /// Fetches an area or an inspection by its global ID (`Area.id`, `Inspection.id`); null when nothing has it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID this API returned.")] id: ID,
    ) -> ApiResult<Option<super::objects::Node>> {
        let model = model(ctx).await?;
        let Some((kind, key)) = parse_global_id(&id) else { return Ok(None) };
        let parts: Vec<&str> = key.split('/').collect();
        match (kind.as_str(), parts.as_slice()) {
            ("Area", [code]) => Ok(match AreaCode::parse(code) {
                Ok(AreaCode::Gss(_)) => model.area_by_code(code)?.map(|a| super::objects::Node::Area(Area(a))),
                _ => None,
            }),
            ("Inspection", [code, framework, kind, start]) => {
                let (start, start_known) = match start.strip_prefix(PUBLISHED_KEY_PREFIX) {
                    Some(published) => (published, false),
                    None => (*start, true),
                };
                let (Ok(framework), Ok(kind), Ok(start)) = (
                    domain::Framework::parse(framework),
                    domain::InspectionType::parse(kind),
                    domain::PartialDate::parse(start),
                ) else {
                    return Ok(None);
                };
                let Some(area) = model.area_by_code(code)? else { return Ok(None) };
                let found = inspection::Entity::find()
                    .filter(inspection::Column::AreaId.eq(area.id))
                    .filter(inspection::Column::Framework.eq(framework))
                    .filter(inspection::Column::InspectionType.eq(kind))
                    .filter(inspection::Column::StartDate.eq(start.date))
                    .filter(inspection::Column::StartKnown.eq(start_known))
                    .one(db(ctx).await?)
                    .await?;
                Ok(found.map(|m| super::objects::Node::Inspection(Inspection(m))))
            }
            _ => Ok(None),
        }
    }
}

connection_field! {
    /// Local areas, a page at a time (Relay cursor connection). By default the 153 current areas, ordered by name.
    AreasField.areas(ctx, page;
        filter: Option<AreaFilter> = "Which areas.",
        order_by: Option<AreaOrder> = "Order (default NAME ascending).",
    ) -> AreaConnection {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        let mut select = local_area::Entity::find();
        if !filter.include_former {
            select = select.filter(local_area::Column::ValidTo.is_null());
        }
        if let Some(code) = &filter.region {
            select = select.filter(local_area::Column::RegionCode.eq(model.region_code(code)?));
        }
        if let Some(name) = &filter.ofsted_region {
            select = select.filter(local_area::Column::RegionCode.is_in(model.regions_of_ofsted_region(name)?));
        }
        if let Some(code) = &filter.icb {
            select = select.filter(local_area::Column::Id.is_in(model.areas_served_by_icb(code)?));
        }
        if let Some(text) = &filter.name_contains {
            select = select.filter(name_contains(text)?);
        }
        if let Some(code) = &filter.area_code {
            let id = model.area_by_code(code)?.map_or(-1, |a| a.id);
            select = select.filter(local_area::Column::Id.eq(id));
        }
        let order = order_by.unwrap_or_default();
        let direction = sort_order(order.direction);
        let column = match order.field {
            AreaOrderField::Name => local_area::Column::Name,
            AreaOrderField::Code => local_area::Column::GssCode,
        };
        let keys = [
            SortKey::new(Expr::col((local_area::Entity, column)), direction, KeyKind::Text),
            SortKey::new(Expr::col((local_area::Entity, local_area::Column::Id)), Order::Asc, KeyKind::Int),
        ];
        let (offset, rows, has_next, total) = paginate(ctx, db(ctx).await?, select, &keys, Total::Count, page).await?;
        prefetch_inspections(ctx, &rows.iter().map(|(a, _)| a.id).collect::<Vec<_>>()).await?;
        Ok(AreaConnection::new(offset, rows.into_iter().map(|(a, key)| (Area(a), key)).collect(), has_next, total))
    }
}

/// Reads, in one statement, the inspections (with their actions) of the areas of a page whose selection asks for
/// them and that the read model does not hold yet, so that the page costs the same whatever the loader's batching
/// delay lets through.
async fn prefetch_inspections(ctx: &Context<'_>, ids: &[i32]) -> ApiResult<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    if node.field("inspections").exists() || node.field("latestInspection").exists() {
        let model = model(ctx).await?;
        let missing: Vec<_> = ids
            .iter()
            .filter(|id| model.cached_inspections(**id).is_none())
            .map(|id| super::loaders::InspectionsOfArea(*id))
            .collect();
        if !missing.is_empty() {
            loaders(ctx)?.load_many(missing).await?;
        }
    }
    Ok(())
}
