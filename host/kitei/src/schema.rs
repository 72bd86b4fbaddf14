//! The schemas of api.md's JSON, for the service's OpenAPI document
//! (feature `openapi`).
//!
//! The request's schema is derived from the very structs the request is read
//! into ([`DecisionRequest`]); the enums come from the contract's one list of
//! wire names ([`Wire`]), so a new account kind appears here as it appears in
//! the parser. The answer's JSON is written by hand-made `Serialize` impls
//! (rule indices expanded to shared rules), so its schema is written beside
//! them here; the service's tests check real answers of every operation and
//! variant against it, and [`fields`] fails to compile when a struct gains
//! a field this file does not describe.

use crate::answer::{AccountAnswer, Answer, AuthorizeAnswer, EligibilityAnswer, IncidentAnswer, PartyAnswer, PermissionAnswer, PolicyRef, Reason, TokenAnswer};
use crate::policy::PolicyInfo;
use crate::vocab::{OperationName, Wire};
use kitei_sdk::types as m;
use std::borrow::Cow;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

/// The schema of an enum of the contract: its wire names.
pub fn wire_enum<T: Wire>() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(T::names().iter().copied()))
        .description(Some(format!("the {}, by its wire name", T::WHAT)))
        .into()
}

/// A reference to the enum's named schema (see [`enums`]).
pub fn enum_ref<T: Wire>() -> RefOr<Schema> {
    Ref::from_schema_name(T::NAME).into()
}

/// A list of the enum's values.
pub fn enum_list<T: Wire>() -> RefOr<Schema> {
    ArrayBuilder::new().items(enum_ref::<T>()).into()
}

/// Every enum of the contract, by name, for the document's components.
pub fn enums() -> Vec<(String, RefOr<Schema>)> {
    let mut out = vec![(OperationName::NAME.to_string(), RefOr::T(wire_enum::<OperationName>()))];
    macro_rules! each {
        ($ty:ident $what:literal { $($case:ident),+ $(,)? }) => {
            out.push((<m::$ty as Wire>::NAME.to_string(), RefOr::T(wire_enum::<m::$ty>())));
        };
    }
    kitei_sdk::for_each_enum!(each);
    out.push((<m::TermKind as Wire>::NAME.to_string(), RefOr::T(wire_enum::<m::TermKind>())));
    out
}

/// The request's `facts`: the facts the loaded modules declare, by name
/// (see [`apply_vocabulary`]; with none loaded, an empty object).
pub fn declared_facts() -> RefOr<Schema> {
    Ref::from_schema_name("Facts").into()
}

fn facts_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .description(Some("facts a loaded module declares (customer, provider, consent or service facts), by name: true when the fact holds"))
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}

/// Puts the loaded modules' declared terms into a document: each enum
/// lists the declared values of its kind after the core ones, `Account`
/// the declared account flags, `Facts` the declared facts, `Settings` the
/// declared settings. The document changes as modules come and go.
///
/// Each declared term also carries `x-kitei-term` (its kind, wire name,
/// 日本語, English line and the variants declaring it): on the property
/// it adds, or, for an enum value, in the enum's `x-kitei-declared` list.
/// The explorer reads them to label and group what it offers.
pub fn apply_vocabulary(doc: &mut utoipa::openapi::OpenApi, vocabulary: &crate::Vocabulary) {
    use kitei_sdk::types::TermKind;
    use utoipa::openapi::extensions::Extensions;
    let Some(components) = doc.components.as_mut() else { return };
    let schemas = &mut components.schemas;
    let term = |d: &crate::vocabulary::Declared| serde_json::to_value(d).unwrap_or_else(|e| unreachable!("a declared term serializes: {e}"));
    let enum_kinds = [
        (<m::Function as Wire>::NAME, TermKind::Function),
        (<m::AccountKind as Wire>::NAME, TermKind::AccountKind),
        (<m::Channel as Wire>::NAME, TermKind::Channel),
        (<m::IncidentKind as Wire>::NAME, TermKind::IncidentKind),
        (<m::LossEvent as Wire>::NAME, TermKind::LossEvent),
        (<m::Party as Wire>::NAME, TermKind::Party),
        (<m::LiabilityRuling as Wire>::NAME, TermKind::LiabilityRuling),
    ];
    for (name, kind) in enum_kinds {
        if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut(name) {
            let declared: Vec<&crate::vocabulary::Declared> = vocabulary.of_kind(kind).collect();
            if declared.is_empty() {
                continue;
            }
            let values = o.enum_values.get_or_insert_with(Vec::new);
            values.extend(declared.iter().map(|d| serde_json::Value::from(d.name.clone())));
            let list = serde_json::Value::Array(declared.iter().map(|d| term(d)).collect());
            o.extensions.get_or_insert_with(Extensions::default).insert("x-kitei-declared".into(), list);
        }
    }
    let describe =
        |d: &crate::vocabulary::Declared| format!("{} ({}): {}; declared by {}", d.ja, d.summary, crate::vocab::Wire::wire(d.kind), d.variants.join(", "));
    let with_term = |builder: ObjectBuilder, d: &crate::vocabulary::Declared| -> RefOr<Schema> {
        builder.description(Some(describe(d))).extensions(Some(Extensions::from_iter([("x-kitei-term", term(d))]))).into()
    };
    let boolean = |d: &crate::vocabulary::Declared| with_term(ObjectBuilder::new().schema_type(Type::Boolean), d);
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("Account") {
        for d in vocabulary.of_kind(TermKind::AccountFlag) {
            o.properties.insert(d.name.clone(), boolean(d));
        }
        o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    }
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("Facts") {
        for d in vocabulary.iter().filter(|d| crate::vocabulary::is_fact(d.kind)) {
            o.properties.insert(d.name.clone(), boolean(d));
        }
    }
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("Settings") {
        for d in vocabulary.of_kind(TermKind::Setting) {
            let any = ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Integer, Type::Boolean, Type::Array, Type::Null]));
            o.properties.insert(d.name.clone(), with_term(any, d));
        }
    }
}

/// The years a timestamp may be written in (1678–2261, as the host
/// accepts them: `question::YEARS`), as the start of a pattern.
pub const YEARS_PATTERN: &str = "^(167[89]|16[89][0-9]|1[7-9][0-9]{2}|2[01][0-9]{2}|22[0-5][0-9]|226[01])-";

/// A request's timestamp: RFC 3339 (`date-time`), in the years a policy can
/// compute with. A time without an offset is accepted too and read as JST;
/// the document does not describe that extension (docs/serving.md).
pub fn timestamp() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
        .pattern(Some(YEARS_PATTERN))
        .description(Some("RFC 3339, in the years 1678–2261 (a time without an offset is also accepted, read as JST +09:00)"))
        .examples(["2023-07-03T10:00:00+09:00"])
        .into()
}

/// A string.
pub fn string() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

/// A string or null.
pub fn nullable_string(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])).description(Some(description)).into()
}

fn nullable_count(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Integer, Type::Null])).minimum(Some(0)).description(Some(description)).into()
}

fn list(items: impl Into<RefOr<Schema>>) -> RefOr<Schema> {
    let items: RefOr<Schema> = items.into();
    ArrayBuilder::new().items(items).into()
}

fn named(name: &str) -> RefOr<Schema> {
    Ref::from_schema_name(name).into()
}

/// An object whose every listed property is present and nothing else is.
pub fn object(description: &str, properties: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let mut o = ObjectBuilder::new().description(Some(description)).additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (name, schema) in properties {
        o = o.property(name, schema).required(name);
    }
    o.into()
}

/// The request: api.md's request JSON, read strictly (unknown fields are refused).
pub struct DecisionRequest;

impl PartialSchema for DecisionRequest {
    /// The fields, and what the reader requires of them together (each
    /// condition is an `anyOf`: the rule does not apply, or it is met).
    fn schema() -> RefOr<Schema> {
        // present and a string: a null field is a field left out (`"institution": null` names no institution)
        let named_by = |field: &str| -> ObjectBuilder { ObjectBuilder::new().required(field).property(field, ObjectBuilder::new().schema_type(Type::String)) };
        // the operations other than `ops`
        let other_than = |ops: &[OperationName]| -> RefOr<Schema> {
            let names = OperationName::ALL.into_iter().filter(|o| !ops.contains(o)).map(|o| o.wire());
            ObjectBuilder::new().property("operation", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names))).into()
        };
        let either = |description: &str, a: RefOr<Schema>, b: RefOr<Schema>| -> RefOr<Schema> {
            AnyOfBuilder::new().description(Some(description)).item(a).item(b).into()
        };
        let incident_has = |field: &str| -> RefOr<Schema> { ObjectBuilder::new().required("incident").property("incident", named_by(field)).into() };
        AllOfBuilder::new()
            .description(Some(
                "api.md's request. `institution` picks the family and the variant in force at `at` answers; `variant` forces one. \
                 Unknown fields are refused, naming the field; missing facts take api.md's defaults (false, empty, `individual`, \
                 `institution_api`, services open, all of the customer's accounts).",
            ))
            .item(crate::question::json::request_schema())
            .item(either("`institution` or `variant`, a string", named_by("institution").into(), named_by("variant").into()))
            .item(either(
                "`at` is required, except to describe a named variant",
                named_by("at").into(),
                named_by("variant")
                    .property("operation", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([OperationName::Describe.wire()])))
                    .into(),
            ))
            .item(either("`authorize` needs `function`", other_than(&[OperationName::Authorize]), named_by("function").into()))
            .item(either("`liability` needs `incident.loss_event`", other_than(&[OperationName::Liability]), incident_has("loss_event")))
            .item(either("`incident` needs `incident.kind`", other_than(&[OperationName::Incident]), incident_has("kind")))
            .into()
    }
}

impl ToSchema for DecisionRequest {
    fn name() -> Cow<'static, str> {
        "DecisionRequest".into()
    }
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::question::json::request_schemas(schemas);
        schemas.push(("Facts".into(), facts_schema()));
        schemas.extend(enums());
    }
}

/// A clause as api.md writes it: only the parts that are set.
pub struct ClauseSchema;

impl PartialSchema for ClauseSchema {
    fn schema() -> RefOr<Schema> {
        let n = |d: &str| -> RefOr<Schema> { ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).description(Some(d)).into() };
        ObjectBuilder::new()
            .description(Some("where a rule stands in the text: 第{article}条第{paragraph}項第{item}号, or a named section (注意事項)"))
            .property("article", n("条"))
            .property("paragraph", n("項"))
            .property("item", n("号"))
            .property("section", string())
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ClauseSchema {
    fn name() -> Cow<'static, str> {
        "Clause".into()
    }
}

impl PartialSchema for Reason {
    fn schema() -> RefOr<Schema> {
        object(
            "a rule of the policy's sheet the answer rests on: its reason code (which says whether the condition held), clause and source sentence",
            vec![("code", string()), ("clause", named("Clause")), ("cite", string()), ("provenance", enum_ref::<m::Provenance>()), ("text", string())],
        )
    }
}

impl ToSchema for Reason {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("Clause".into(), ClauseSchema::schema()));
    }
}

impl PartialSchema for TokenAnswer {
    fn schema() -> RefOr<Schema> {
        object(
            "whether the authentication is still valid",
            vec![
                ("status", enum_ref::<m::TokenStatus>()),
                ("expires_at", nullable_string("when it expires (RFC 3339, in the offset of the question's `at`), or null")),
                ("reasons", list(named("Reason"))),
            ],
        )
    }
}

impl ToSchema for TokenAnswer {
    fn name() -> Cow<'static, str> {
        "Token".into()
    }
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <Reason as ToSchema>::schemas(schemas);
        schemas.push(("Reason".into(), Reason::schema()));
    }
}

/// Names every field of the structs whose JSON is described here by hand:
/// a field added to one of them is a compile error until its schema says it.
#[allow(dead_code, clippy::too_many_arguments)]
fn fields(
    settings: &m::Settings,
    policy: &PolicyRef,
    account: &AccountAnswer,
    party: &PartyAnswer,
    permission: &PermissionAnswer,
    eligibility: &EligibilityAnswer,
    authorize: &AuthorizeAnswer,
    incident: &IncidentAnswer,
    token: &TokenAnswer,
    info: &PolicyInfo,
) {
    let m::Settings { reauth_after_days: _, registration_valid_days: _, permission_valid_days: _, inactivity_days: _, designated_providers: _, extension: _ } =
        settings;
    let PolicyRef { variant: _, institution: _, version: _, sha256: _ } = policy;
    let AccountAnswer { id: _, kind: _, linkable: _, reasons: _ } = account;
    let PartyAnswer { party: _, ruling: _, reasons: _ } = party;
    let PermissionAnswer { ruling: _, reasons: _ } = permission;
    let EligibilityAnswer { decision: _, reasons: _ } = eligibility;
    let AuthorizeAnswer { decision: _, reasons: _, token: _ } = authorize;
    let IncidentAnswer { disclosure: _, chained: _, suspension: _ } = incident;
    let TokenAnswer { status: _, expires_at: _, reasons: _ } = token;
    let m::Metadata {
        variant: _,
        institution: _,
        institution_name: _,
        title: _,
        version: _,
        effective_from: _,
        effective_until: _,
        settings_used: _,
        parties: _,
        rules: _,
        defaults: _,
        scope: _,
        terms: _,
    } = &info.metadata;
    let m::Term { kind: _, name: _, ja: _, summary: _, rule: _ } = &info.metadata.terms[0];
}

/// The settings in force (`<institution>.settings.json` over the variant's defaults).
pub fn settings() -> RefOr<Schema> {
    object(
        "the settings in force: what the text leaves to the institution (null: not set)",
        vec![
            ("reauth_after_days", nullable_count("days after which the customer must authenticate again")),
            ("registration_valid_days", nullable_count("days a registration stays valid")),
            ("permission_valid_days", nullable_count("days an API連携 permission stays valid")),
            ("inactivity_days", nullable_count("days without access after which the link lapses")),
            (
                "designated_providers",
                ArrayBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
                    .items(string())
                    .description(Some("the providers the institution designates, or null"))
                    .into(),
            ),
        ],
    )
}

/// What identifies a variant and when it is in force: the properties
/// `describe`'s metadata and `GET /v1/policies` share.
pub fn summary() -> Vec<(&'static str, RefOr<Schema>)> {
    vec![
        ("variant", string()),
        ("institution", string()),
        ("institution_name", string()),
        ("title", string()),
        ("version", string()),
        ("effective_from", string()),
        ("effective_until", nullable_string("the last day in force, or null while in force")),
        ("settings", named("Settings")),
    ]
}

/// `describe`'s metadata: the summary, the scope, the contract version,
/// the settings read, the parties, the declared terms and the rule sheet.
fn metadata() -> RefOr<Schema> {
    let mut p = summary();
    let scope: RefOr<Schema> = OneOfBuilder::new()
        .description(Some("whose contracts the text governs"))
        .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["every_customer", "individual", "corporate"])))
        .item(object("the contracts of a named service (requests name it in `scope`)", vec![("service", string())]))
        .into();
    p.push(("scope", scope));
    p.push(("contract", ObjectBuilder::new().schema_type(Type::String).description(Some("the contract version the module exports (`0.4.0`, `0.3.0`)")).into()));
    p.push(("settings_used", list(string())));
    p.push(("parties", list(enum_ref::<m::Party>())));
    p.push(("terms", list(named("Term"))));
    p.push(("rules", list(named("Rule"))));
    object("the policy's metadata and its whole rule sheet, in document order", p)
}

/// A term the module declares, as `describe` lists it.
fn term() -> RefOr<Schema> {
    object(
        "a term of the module's own text beyond the core vocabulary",
        vec![
            ("name", string()),
            ("kind", enum_ref::<m::TermKind>()),
            ("ja", string()),
            ("summary", string()),
            ("rule", ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).description(Some("the index of the rule that introduces it")).into()),
            ("cite", nullable_string("that rule's cite")),
        ],
    )
}

/// A rule of the sheet, as `describe` lists it.
fn rule() -> RefOr<Schema> {
    object(
        "a rule: its clause, how it relates to the text, the source sentence and a line of English",
        vec![
            ("cite", string()),
            ("clause", named("Clause")),
            ("provenance", enum_ref::<m::Provenance>()),
            ("text", string()),
            ("summary", string()),
            ("code_met", string()),
            ("code_unmet", string()),
        ],
    )
}

fn policy_ref() -> RefOr<Schema> {
    object(
        "the module that answered",
        vec![
            ("variant", string()),
            ("institution", string()),
            ("version", string()),
            (
                "sha256",
                ObjectBuilder::new().schema_type(Type::String).description(Some("hex sha256 of the module's bytes (`native` for a linked crate)")).into(),
            ),
        ],
    )
}

fn account_answer() -> RefOr<Schema> {
    object(
        "whether one account can be linked",
        vec![
            ("id", string()),
            ("kind", enum_ref::<m::AccountKind>()),
            ("linkable", ObjectBuilder::new().schema_type(Type::Boolean).into()),
            ("reasons", list(named("Reason"))),
        ],
    )
}

fn party_answer() -> RefOr<Schema> {
    object(
        "who bears a loss, as far as the text says",
        vec![("party", enum_ref::<m::Party>()), ("ruling", enum_ref::<m::LiabilityRuling>()), ("reasons", list(named("Reason")))],
    )
}

fn permission_answer() -> RefOr<Schema> {
    object("what the institution may do", vec![("ruling", enum_ref::<m::PermissionRuling>()), ("reasons", list(named("Reason")))])
}

/// One operation's answer: `policy`, `operation` (this one) and its fields.
fn answer_of(op: OperationName, description: &str, fields: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let mut p = vec![("policy", named("PolicyRef")), ("operation", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([op.wire()])).into())];
    p.extend(fields);
    object(description, p)
}

impl PartialSchema for Answer {
    fn schema() -> RefOr<Schema> {
        use OperationName as O;
        let decision = || enum_ref::<m::Decision>();
        let reasons = || list(named("Reason"));
        OneOfBuilder::new()
            .description(Some("api.md's response: which module answered, and the operation's answer; every reason cites its clause"))
            .item(answer_of(O::Describe, "`describe`", vec![("metadata", named("Metadata"))]))
            .item(answer_of(O::Eligibility, "`eligibility`: every condition, met or not", vec![("decision", decision()), ("reasons", reasons())]))
            .item(answer_of(O::Accounts, "`accounts`: one per account asked about", vec![("accounts", list(named("AccountAnswer")))]))
            .item(answer_of(
                O::Authorize,
                "`authorize`: eligibility, account, function, authorization, service window and token rules",
                vec![("decision", decision()), ("reasons", reasons()), ("token", named("Token"))],
            ))
            .item(answer_of(O::Token, "`token`", vec![("token", named("Token"))]))
            .item(answer_of(O::Liability, "`liability`: one per party the variant names", vec![("liability", list(named("PartyAnswer")))]))
            .item(answer_of(
                O::Incident,
                "`incident`: what the institution may do",
                vec![("disclosure", named("PermissionAnswer")), ("chained", named("PermissionAnswer")), ("suspension", named("PermissionAnswer"))],
            ))
            .into()
    }
}

impl ToSchema for Answer {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push(("PolicyRef".into(), policy_ref()));
        schemas.push(("Metadata".into(), metadata()));
        schemas.push(("Rule".into(), rule()));
        schemas.push(("Term".into(), term()));
        schemas.push(("Settings".into(), settings()));
        schemas.push(("Reason".into(), Reason::schema()));
        schemas.push(("Token".into(), TokenAnswer::schema()));
        schemas.push(("AccountAnswer".into(), account_answer()));
        schemas.push(("PartyAnswer".into(), party_answer()));
        schemas.push(("PermissionAnswer".into(), permission_answer()));
        <Reason as ToSchema>::schemas(schemas);
        schemas.extend(enums());
    }
}
