//! Domain types: every value that crosses the importer's parser is one of these, so that everything past the parser
//! can trust its input ("parse, don't validate").

use std::fmt;

use chrono::{Datelike, NaiveDate};
use sea_orm::entity::prelude::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// Why a text could not be read as a domain value; the message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, found {found:?}")]
pub struct ParseError {
    /// What a valid value looks like, in words a user understands.
    pub expected: String,
    /// The text that was found instead.
    pub found: String,
}

impl ParseError {
    /// A parse error that expected `expected` and found `found`.
    pub fn new(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self { expected: expected.into(), found: found.into() }
    }
}

/// The kind of thing an ONS GSS code names, told by its three-character prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GssKind {
    /// A local authority area: unitary (`E06`), non-metropolitan district (`E07`), metropolitan district (`E08`),
    /// London borough (`E09`) or county (`E10`); plus `E13` (inner/outer London) which never appears in this data.
    LocalArea,
    /// One of the nine ONS regions (`E12`).
    Region,
    /// An NHS Integrated Care Board (`E54`).
    Icb,
}

impl GssKind {
    fn prefixes(self) -> &'static [&'static str] {
        match self {
            GssKind::LocalArea => &["E06", "E07", "E08", "E09", "E10"],
            GssKind::Region => &["E12"],
            GssKind::Icb => &["E54"],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            GssKind::LocalArea => "a local authority GSS code such as E10000029 (E06/E07/E08/E09/E10 and 6 digits)",
            GssKind::Region => "an ONS region code such as E12000006 (E12 and 6 digits)",
            GssKind::Icb => "an ICB code such as E54000022 (E54 and 6 digits)",
        }
    }
}

/// A 9-character ONS GSS code of a given kind, e.g. `E10000029` (Suffolk), `E12000006` (East of England).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GssCode(String);

impl GssCode {
    /// Parses `text` (surrounding space ignored) as a GSS code of `kind`.
    pub fn parse(text: &str, kind: GssKind) -> Result<Self, ParseError> {
        let code = text.trim();
        let well_formed = code.len() == 9
            && code.is_ascii()
            && kind.prefixes().iter().any(|p| code.starts_with(p))
            && code[3..].bytes().all(|b| b.is_ascii_digit());
        if well_formed { Ok(Self(code.to_owned())) } else { Err(ParseError::new(kind.describe(), text)) }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GssCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// DfE's 3-digit local authority code, e.g. `935` (Suffolk).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DfeCode(String);

impl DfeCode {
    /// Parses a 3-digit code.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(ParseError::new("a 3-digit DfE local authority code such as 935", text))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Ofsted's provider URN for a local area, e.g. `80565` (Suffolk): 5 to 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OfstedUrn(String);

impl OfstedUrn {
    /// Parses a URN of 5 to 8 digits.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim();
        if (5..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(ParseError::new("an Ofsted URN of 5 to 8 digits such as 80565", text))
        }
    }

    /// The URN as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code a user may give for an area: GSS code, DfE code or Ofsted URN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AreaCode {
    /// An ONS GSS code (`E10000029`).
    Gss(GssCode),
    /// A DfE 3-digit code (`935`).
    Dfe(DfeCode),
    /// An Ofsted provider URN (`80565`).
    Urn(OfstedUrn),
}

impl AreaCode {
    /// Reads any of the three kinds of code, told apart by their shape.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim();
        if let Ok(gss) = GssCode::parse(code, GssKind::LocalArea) {
            Ok(Self::Gss(gss))
        } else if let Ok(dfe) = DfeCode::parse(code) {
            Ok(Self::Dfe(dfe))
        } else if let Ok(urn) = OfstedUrn::parse(code) {
            Ok(Self::Urn(urn))
        } else {
            Err(ParseError::new("a GSS code (E10000029), a 3-digit DfE code (935) or an Ofsted URN (80565)", text))
        }
    }
}

/// Defines a string-backed enum stored as text, with its code (as written in our CSVs and the database) and parsing.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in their canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as stored and as written in the curated CSVs.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Parses a code (exact, surrounding space ignored).
            pub fn parse(text: &str) -> Result<Self, ParseError> {
                match text.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err(ParseError::new(
                        format!("{} ({})", $what, [$($code),+].join(", ")),
                        text,
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

coded_enum!(
    /// The inspection framework an inspection was carried out under.
    Framework, "a framework" {
        /// The 2016 framework ("local area SEND inspection", May 2016 to 2022).
        F2016 = "2016",
        /// The 2023 framework ("area SEND inspection", from January 2023).
        F2023 = "2023",
    }
);

coded_enum!(
    /// The kind of inspection.
    InspectionType, "an inspection type" {
        /// A full inspection (both frameworks).
        Full = "full",
        /// A revisit of an area that had to produce a written statement of action (2016 framework).
        Revisit = "revisit",
        /// A monitoring inspection after widespread and/or systemic failings (2023 framework).
        Monitoring = "monitoring",
    }
);

impl InspectionType {
    /// The framework this type of inspection belongs to, or `None` when both frameworks have it.
    pub fn only_framework(self) -> Option<Framework> {
        match self {
            InspectionType::Full => None,
            InspectionType::Revisit => Some(Framework::F2016),
            InspectionType::Monitoring => Some(Framework::F2023),
        }
    }
}

coded_enum!(
    /// The published outcome of an inspection; each belongs to one framework and one type.
    Outcome, "an outcome" {
        /// 2023 full: arrangements typically lead to positive experiences and outcomes.
        TypicallyPositive = "positive",
        /// 2023 full: arrangements lead to inconsistent experiences and outcomes.
        Inconsistent = "inconsistent",
        /// 2023 full: widespread and/or systemic failings leading to significant concerns.
        WidespreadSystemicFailings = "systemic",
        /// 2016 full: a written statement of action was required.
        WsoaRequired = "wsoa",
        /// 2016 full: no written statement of action was required.
        WsoaNotRequired = "no_wsoa",
        /// 2016 revisit: sufficient progress in addressing all significant weaknesses.
        AllWeaknessesAddressed = "all_addressed",
        /// 2016 revisit: sufficient progress in addressing some significant weaknesses.
        SomeWeaknessesAddressed = "some_addressed",
        /// 2016 revisit: sufficient progress in addressing none of the significant weaknesses.
        NoWeaknessesAddressed = "none_addressed",
        /// 2023 monitoring: the partnership is taking effective action on the areas for priority action.
        EffectiveAction = "effective_action",
        /// 2023 monitoring: the partnership is not taking effective action on the areas for priority action.
        NotEffectiveAction = "not_effective_action",
    }
);

impl Outcome {
    /// The framework and inspection type this outcome belongs to.
    pub fn belongs_to(self) -> (Framework, InspectionType) {
        use Outcome::*;
        match self {
            TypicallyPositive | Inconsistent | WidespreadSystemicFailings => (Framework::F2023, InspectionType::Full),
            EffectiveAction | NotEffectiveAction => (Framework::F2023, InspectionType::Monitoring),
            WsoaRequired | WsoaNotRequired => (Framework::F2016, InspectionType::Full),
            AllWeaknessesAddressed | SomeWeaknessesAddressed | NoWeaknessesAddressed => {
                (Framework::F2016, InspectionType::Revisit)
            }
        }
    }

    /// The outcomes of one framework and type, in their fixed order (best first).
    pub fn of(framework: Framework, inspection_type: InspectionType) -> Vec<Outcome> {
        Outcome::ALL.iter().copied().filter(|o| o.belongs_to() == (framework, inspection_type)).collect()
    }

    /// The outcome in the words of Ofsted's reports and statistics.
    pub fn description(self) -> &'static str {
        use Outcome::*;
        match self {
            TypicallyPositive => {
                "The local area partnership's SEND arrangements typically lead to positive experiences and outcomes \
                 for children and young people with SEND."
            }
            Inconsistent => {
                "The local area partnership's arrangements lead to inconsistent experiences and outcomes for children \
                 and young people with SEND."
            }
            WidespreadSystemicFailings => {
                "There are widespread and/or systemic failings leading to significant concerns about the experiences \
                 and outcomes of children and young people with SEND, which the local area partnership must address \
                 urgently."
            }
            WsoaRequired => "A written statement of action was required.",
            WsoaNotRequired => "No written statement of action was required.",
            AllWeaknessesAddressed => "Sufficient progress in addressing all of the significant weaknesses.",
            SomeWeaknessesAddressed => "Sufficient progress in addressing some of the significant weaknesses.",
            NoWeaknessesAddressed => "Sufficient progress in addressing none of the significant weaknesses.",
            EffectiveAction => {
                "The local area partnership is taking effective action on the areas for priority action."
            }
            NotEffectiveAction => {
                "The local area partnership is not taking effective action on the areas for priority action."
            }
        }
    }
}

coded_enum!(
    /// How precisely a published date is known.
    DatePrecision, "a date precision" {
        /// The exact day is known.
        Day = "day",
        /// Only the month is known; the date stands for the month's first day.
        Month = "month",
    }
);

/// Parses ISO `yyyy-mm-dd`. Every date of every row goes through here (and through [`IsoDay`] on the way out), so
/// the common shape is read directly; anything else goes to chrono, whose format-string parser decides.
pub fn iso_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let number = |from: usize, to: usize| {
            b[from..to].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
        };
        if let (Some(y), Some(m), Some(d)) = (number(0, 4), number(5, 7), number(8, 10)) {
            return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Writes a date as ISO `yyyy-mm-dd`, as chrono's `%Y-%m-%d` does for years 0 to 9999, without its format-string
/// machinery.
#[derive(Debug, Clone, Copy)]
pub struct IsoDay(pub NaiveDate);

impl fmt::Display for IsoDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if (0..=9999).contains(&d.year()) {
            write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        } else {
            d.format("%Y-%m-%d").fmt(f)
        }
    }
}

/// A date as published: an exact day (`2023-11-13`) or only a month (`2017-05`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    /// The day, or the first day of the month when only the month is known.
    pub date: NaiveDate,
    /// Whether the day or only the month is known.
    pub precision: DatePrecision,
}

impl PartialDate {
    /// Parses ISO `yyyy-mm-dd` or `yyyy-mm`.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let t = text.trim();
        let err = || ParseError::new("an ISO date yyyy-mm-dd, or yyyy-mm when only the month is known", text);
        match t.len() {
            10 => iso_day(t).map(|date| Self { date, precision: DatePrecision::Day }).ok_or_else(err),
            7 => iso_day(&format!("{t}-01")).map(|date| Self { date, precision: DatePrecision::Month }).ok_or_else(err),
            _ => Err(err()),
        }
    }

    /// Rebuilds a date from its stored parts.
    pub fn from_parts(date: NaiveDate, precision: DatePrecision) -> Self {
        Self { date, precision }
    }

    /// The last day this date may stand for: itself, or the month's last day.
    pub fn latest(self) -> NaiveDate {
        match self.precision {
            DatePrecision::Day => self.date,
            DatePrecision::Month => {
                let (y, m) = if self.date.month() == 12 {
                    (self.date.year() + 1, 1)
                } else {
                    (self.date.year(), self.date.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(self.date)
            }
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision {
            DatePrecision::Day => IsoDay(self.date).fmt(f),
            DatePrecision::Month if (0..=9999).contains(&self.date.year()) => {
                write!(f, "{:04}-{:02}", self.date.year(), self.date.month())
            }
            DatePrecision::Month => self.date.format("%Y-%m").fmt(f),
        }
    }
}

coded_enum!(
    /// The themes into which areas for priority action are coded (see `data/README.md`).
    Theme, "a priority-action theme" {
        /// Strategic governance and oversight.
        StrategicGovernance = "strategic governance and oversight",
        /// Education, health and care (EHC) plans.
        EhcPlans = "education health and care plans",
        /// Waiting times for health services.
        HealthWaitingTimes = "health waiting times",
        /// Commissioning of services.
        Commissioning = "commissioning",
        /// Information sharing and coordination of services.
        InformationSharing = "information sharing and coordination of services",
        /// Co-production with children, young people and families.
        CoProduction = "co-production",
        /// Preparation for adulthood and transitions.
        PreparationForAdulthood = "preparation for adulthood and transitions",
        /// Exclusions and children missing education.
        ExclusionsMissingEducation = "exclusions and missing education",
        /// Identification of needs.
        IdentificationOfNeeds = "identification of needs",
        /// Social care.
        SocialCare = "social care",
    }
);

coded_enum!(
    /// The four preparation-for-adulthood pathways of the SEND code of practice.
    Pathway, "a preparation-for-adulthood pathway" {
        /// Good health.
        Health = "health",
        /// Independent living.
        IndependentLiving = "independent_living",
        /// Employment.
        Employment = "employment",
        /// Friends, relationships and community inclusion.
        CommunityInclusion = "community_inclusion",
    }
);

coded_enum!(
    /// The national theme of a thematic visit.
    VisitTheme, "a thematic-visit theme" {
        /// Preparation for adulthood (2024).
        PreparationForAdulthood = "preparation_for_adulthood",
        /// Alternative provision (2023).
        AlternativeProvision = "alternative_provision",
    }
);

coded_enum!(
    /// Which of DfE's two sets of children's services statistical neighbours.
    NeighbourSet, "a set of statistical neighbours" {
        /// The set DfE publishes now.
        Current = "current",
        /// The set it replaced.
        Previous = "previous",
    }
);

coded_enum!(
    /// The kind of source a fact was read from. The precedence rule between sources that disagree ranks them by
    /// [`SourceKind::rank`].
    SourceKind, "a kind of source" {
        /// Data to Insight's files: the weekly summary (a scrape of the reports, one row per local authority) and
        /// its lookup of local authorities (statistical neighbours and populations, no inspections).
        Summary = "summary",
        /// One of our curated CSV files (a transcription, citing its source per row).
        Curated = "curated",
        /// Ofsted's management information (provisional, between official releases).
        ManagementInformation = "management_information",
        /// Ofsted's official statistics (the underlying data of a release).
        OfficialStatistics = "official_statistics",
        /// The inspection report itself.
        Report = "report",
    }
);

impl SourceKind {
    /// How specific the source is to one inspection's facts: higher wins when sources disagree. The report is the
    /// primary record of one inspection; official statistics are Ofsted's checked release of it; management
    /// information is provisional; our curated files are a secondary transcription; the Data to Insight summary is
    /// an automated scrape of the reports.
    pub fn rank(self) -> u8 {
        match self {
            SourceKind::Summary => 0,
            SourceKind::Curated => 1,
            SourceKind::ManagementInformation => 2,
            SourceKind::OfficialStatistics => 3,
            SourceKind::Report => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_days_read_and_write_as_chrono_does() {
        let mut day = NaiveDate::from_ymd_opt(1999, 12, 25).expect("a date");
        for _ in 0..2000 {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(IsoDay(day).to_string(), text);
            assert_eq!(iso_day(&text), Some(day));
            let month = PartialDate::from_parts(day, DatePrecision::Month).to_string();
            assert_eq!(month, day.format("%Y-%m").to_string());
            day = day + chrono::Days::new(17);
        }
        for text in ["2023-02-30", "2023-13-01", "2023-1-5", "2023/01/05", "20230105", "", "2023-01-0x", "+2023-01-05"]
        {
            assert_eq!(iso_day(text), NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(), "{text:?}");
        }
        let far = NaiveDate::from_ymd_opt(12345, 6, 7).expect("a date");
        assert_eq!(IsoDay(far).to_string(), far.format("%Y-%m-%d").to_string());
    }

    #[test]
    fn gss_codes_are_checked_by_kind() {
        assert!(GssCode::parse("E10000029", GssKind::LocalArea).is_ok());
        assert!(GssCode::parse("E12000006", GssKind::LocalArea).is_err());
        assert!(GssCode::parse("E12000006", GssKind::Region).is_ok());
        assert!(GssCode::parse("E1000002", GssKind::LocalArea).is_err());
        assert!(GssCode::parse("E1000002X", GssKind::LocalArea).is_err());
    }

    #[test]
    fn area_codes_are_told_apart_by_shape() {
        assert!(matches!(AreaCode::parse("E10000029"), Ok(AreaCode::Gss(_))));
        assert!(matches!(AreaCode::parse("935"), Ok(AreaCode::Dfe(_))));
        assert!(matches!(AreaCode::parse("80565"), Ok(AreaCode::Urn(_))));
        assert!(AreaCode::parse("Suffolk").is_err());
    }

    #[test]
    fn partial_dates_keep_their_precision() {
        let day = PartialDate::parse("2023-11-13").expect("day");
        assert_eq!(day.precision, DatePrecision::Day);
        assert_eq!(day.to_string(), "2023-11-13");
        let month = PartialDate::parse("2017-05").expect("month");
        assert_eq!(month.precision, DatePrecision::Month);
        assert_eq!(month.to_string(), "2017-05");
        assert_eq!(month.latest(), NaiveDate::from_ymd_opt(2017, 5, 31).expect("date"));
        assert!(PartialDate::parse("2017-13").is_err());
        assert!(PartialDate::parse("13/11/2023").is_err());
    }

    #[test]
    fn outcomes_belong_to_one_framework_and_type() {
        assert_eq!(
            Outcome::of(Framework::F2023, InspectionType::Full),
            vec![Outcome::TypicallyPositive, Outcome::Inconsistent, Outcome::WidespreadSystemicFailings]
        );
        assert_eq!(Outcome::of(Framework::F2016, InspectionType::Revisit).len(), 3);
        assert!(Outcome::of(Framework::F2016, InspectionType::Monitoring).is_empty());
        let err = Outcome::parse("good").expect_err("unknown");
        assert!(err.expected.contains("positive, inconsistent, systemic"), "{err}");
    }
}
