//! sea-orm entities, one module per table. They mirror the current schema; the migrations crate owns its history.

pub mod area_alias;
pub mod area_lineage;
pub mod area_partner;
pub mod area_population;
pub mod icb;
pub mod import_run;
pub mod improvement_area;
pub mod inspection;
pub mod inspection_change;
pub mod inspection_field_source;
pub mod inspection_tally;
pub mod local_area;
pub mod priority_action;
pub mod region;
pub mod statistical_neighbour;
pub mod thematic_visit;
pub mod theme_tally;
