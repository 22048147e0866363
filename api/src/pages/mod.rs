//! Pages for readers: server-rendered HTML and SVG over the same data as the API, readable with scripts off.

pub mod map;
