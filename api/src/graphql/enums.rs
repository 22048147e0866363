//! GraphQL enums, each mirroring a domain enum of the model crate.

use async_graphql::Enum;

/// The inspection framework.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::Framework")]
pub enum Framework {
    /// The 2016 framework ("local area SEND inspection", May 2016 to 2022): no grade; full inspections decide
    /// whether a written statement of action is required, revisits judge progress on its weaknesses.
    #[graphql(name = "FRAMEWORK_2016")]
    F2016,
    /// The 2023 framework ("area SEND inspection", from January 2023): full inspections with one of three outcomes,
    /// and monitoring inspections after widespread and/or systemic failings.
    #[graphql(name = "FRAMEWORK_2023")]
    F2023,
}

/// The kind of inspection.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::InspectionType")]
pub enum InspectionType {
    /// A full inspection (both frameworks).
    Full,
    /// A revisit of an area that had to produce a written statement of action (2016 framework only).
    Revisit,
    /// A monitoring inspection of progress on the areas for priority action (2023 framework only).
    Monitoring,
}

/// The published outcome of an inspection. Each outcome belongs to one framework and one inspection type.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::Outcome")]
pub enum Outcome {
    /// 2023 full: the partnership's arrangements typically lead to positive experiences and outcomes.
    TypicallyPositive,
    /// 2023 full: arrangements lead to inconsistent experiences and outcomes.
    Inconsistent,
    /// 2023 full: widespread and/or systemic failings leading to significant concerns; a priority action plan, a
    /// monitoring inspection (usually within about 18 months) and a full reinspection (about 3 years) follow.
    WidespreadSystemicFailings,
    /// 2016 full: a written statement of action (WSoA) was required.
    WsoaRequired,
    /// 2016 full: no written statement of action was required.
    WsoaNotRequired,
    /// 2016 revisit: sufficient progress in addressing all of the significant weaknesses.
    AllWeaknessesAddressed,
    /// 2016 revisit: sufficient progress in addressing some of the significant weaknesses.
    SomeWeaknessesAddressed,
    /// 2016 revisit: sufficient progress in addressing none of the significant weaknesses.
    NoWeaknessesAddressed,
    /// 2023 monitoring: the partnership is taking effective action on the areas for priority action.
    EffectiveAction,
    /// 2023 monitoring: the partnership is not taking effective action on the areas for priority action.
    NotEffectiveAction,
}

/// The themes into which areas for priority action are coded.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::Theme")]
pub enum PriorityActionTheme {
    /// Strategic governance and oversight.
    #[graphql(name = "STRATEGIC_GOVERNANCE_AND_OVERSIGHT")]
    StrategicGovernance,
    /// Education, health and care (EHC) plans.
    #[graphql(name = "EDUCATION_HEALTH_AND_CARE_PLANS")]
    EhcPlans,
    /// Waiting times for health services.
    HealthWaitingTimes,
    /// Commissioning of services.
    Commissioning,
    /// Information sharing and coordination of services.
    #[graphql(name = "INFORMATION_SHARING_AND_COORDINATION")]
    InformationSharing,
    /// Co-production with children, young people and families.
    CoProduction,
    /// Preparation for adulthood and transitions.
    #[graphql(name = "PREPARATION_FOR_ADULTHOOD_AND_TRANSITIONS")]
    PreparationForAdulthood,
    /// Exclusions and children missing education.
    #[graphql(name = "EXCLUSIONS_AND_MISSING_EDUCATION")]
    ExclusionsMissingEducation,
    /// Identification of needs.
    IdentificationOfNeeds,
    /// Social care.
    SocialCare,
}

/// The four preparation-for-adulthood pathways of the SEND code of practice.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::Pathway")]
pub enum Pathway {
    /// Good health.
    Health,
    /// Independent living.
    IndependentLiving,
    /// Employment.
    Employment,
    /// Friends, relationships and community inclusion.
    CommunityInclusion,
}

/// The national theme of a thematic visit.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::VisitTheme")]
pub enum VisitTheme {
    /// Preparation for adulthood (the 2024 theme).
    PreparationForAdulthood,
    /// Alternative provision (the 2023 theme).
    AlternativeProvision,
}

/// Sort direction.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// Which of DfE's two sets of children's services statistical neighbours: ten areas most alike each area, ranked.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[graphql(remote = "send_model::domain::NeighbourSet")]
pub enum NeighbourSet {
    /// The set DfE publishes now.
    #[default]
    Current,
    /// The set it replaced (given by DfE codes only; it may name an area since abolished, which stays itself).
    Previous,
}
