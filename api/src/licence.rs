//! The data's licence and the attribution it asks for, stated once for every face that shows them: the GraphQL
//! `dataset`, the CSV exports' `Link` header, the feed and the readers' pages.

/// Licence of the data.
pub const LICENCE: &str = "Open Government Licence v3.0";

/// Licence address.
pub const LICENCE_URL: &str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/";

/// Attribution the licence asks for.
pub const ATTRIBUTION: &str = "Contains public sector information licensed under the Open Government Licence v3.0 \
     (Ofsted, CQC, DfE, ONS).";
