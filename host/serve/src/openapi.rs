//! `GET /openapi.json`: the service's OpenAPI 3.1 document, generated from
//! the handlers' annotations and the types of the JSON they read and write
//! (`kitei::openapi`, the diff and matrix structs of `kitei-tools`).

use super::state::AppState;
use super::{decisions, explorer, review, status};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kitei::openapi::{nullable_string, object, string};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::openapi::RefOr;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response as ApiResponse, ResponseBuilder};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Ref, Schema, Type};
use utoipa::{IntoResponses, OpenApi, PartialSchema, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kitei",
        description = "Executable API利用規定: decisions by Japanese banks' and credit unions' published terms for API連携, every reason cited to its clause (第N条第M項第K号). The JSON contract is docs/api.md.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        decisions::decide,
        decisions::batch,
        status::policies,
        review::matrix,
        review::diff,
        status::shadow,
        status::healthz,
        status::readyz,
        status::metrics,
        document,
        explorer::index,
    ),
    components(schemas(ErrorBody, PolicyList, Health, Ready)),
    tags(
        (name = "decisions", description = "decide api.md requests"),
        (name = "review", description = "the modules serving now: list, matrix, behavioural diff"),
        (name = "operations", description = "health, readiness, metrics, this document, the explorer"),
    ),
)]
struct Doc;

/// The document's parts every registry shares, made once: what the
/// handlers and types describe, before any module's declared terms.
fn base() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = Doc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        let components = doc.components.get_or_insert_with(Default::default);
        // the schemas the request and answer refer to by name
        let mut more = Vec::new();
        <kitei::openapi::DecisionRequest as ToSchema>::schemas(&mut more);
        more.push(("DecisionRequest".into(), kitei::openapi::DecisionRequest::schema()));
        <kitei::Answer as ToSchema>::schemas(&mut more);
        more.push(("Answer".into(), kitei::Answer::schema()));
        more.push(("BatchItem".into(), BatchItem::schema()));
        for (name, schema) in more {
            components.schemas.entry(name).or_insert(schema);
        }
        doc
    })
}

/// The document with no module loaded (no declared term), made once: what
/// `kitei serve --openapi` prints.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| document_for(&kitei::Vocabulary::default()))
}

/// The document for a registry whose modules declare `vocabulary`: the
/// core terms and every declared one (`kitei::openapi::apply_vocabulary`).
pub fn document_for(vocabulary: &kitei::Vocabulary) -> String {
    let mut doc = base().clone();
    kitei::openapi::apply_vocabulary(&mut doc, vocabulary);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| unreachable!("an OpenAPI document serializes: {e}"))
}

/// `GET /openapi.json`: generated from the modules serving now, so it lists
/// every term they declare; made once per registry (a reload that installs
/// another set makes the next one).
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "this document (OpenAPI 3.1), listing every term the modules serving now declare", content_type = "application/json")))]
pub async fn document(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], state.openapi_json()).into_response()
}

fn count() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).into()
}

/// `{"error": {"code", "message"}}`: every error, never a permit.
pub struct ErrorBody;

impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        object(
            "an error: nothing was decided",
            vec![(
                "error",
                object(
                    "what went wrong",
                    vec![
                        ("code", ObjectBuilder::new().schema_type(Type::String).description(Some("machine-readable: malformed_json, invalid_request, unknown_institution, unknown_variant, not_in_force, policy_failed, policy_timeout, too_large, request_timeout, not_json, not_ready, no_policies, bad_body, bad_query, internal, not_found, decision_log_failed")).into()),
                        ("message", ObjectBuilder::new().schema_type(Type::String).description(Some("names the field or the module at fault")).into()),
                    ],
                ),
            )],
        )
    }
}

impl ToSchema for ErrorBody {
    fn name() -> Cow<'static, str> {
        "Error".into()
    }
}

/// The error statuses of the decision endpoints, with the codes each can
/// carry: one table for both.
const DECISION_ERRORS: [(u16, &str); 7] = [
    (400, "not JSON that parses (`malformed_json`, `bad_body`)"),
    (404, "no such institution or variant, or none in force at `at` (`unknown_institution`, `unknown_variant`, `not_in_force`)"),
    (408, "the body did not arrive in time (`request_timeout`)"),
    (413, "body or batch too large (`too_large`)"),
    (415, "`Content-Type` is not `application/json` (`not_json`)"),
    (422, "JSON of the wrong shape: an unknown field, a wrong type or value, named (`invalid_request`)"),
    (503, "not ready, or the policy failed or ran out of time: fail closed (`not_ready`, `policy_failed`, `policy_timeout`, `decision_log_failed`)"),
];

/// The `kitei-decision-id` header every answer of the decision endpoints carries.
pub const DECISION_ID: &str = super::decisions::DECISION_ID;

/// The header's description (the one on the 200 answers says the same).
fn decision_id_header() -> utoipa::openapi::header::Header {
    utoipa::openapi::header::HeaderBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).description(Some(DECISION_ID_DOC)).build()
}

const DECISION_ID_DOC: &str =
    "the decision's id, a UUIDv7, also in its decision-log line (a batch's elements are logged as `<id>/<index>`; docs/decision-log.md)";

/// The error responses of [`DECISION_ERRORS`] but those in `except`.
fn decision_errors(except: &[u16]) -> BTreeMap<String, RefOr<ApiResponse>> {
    DECISION_ERRORS
        .iter()
        .filter(|(status, _)| !except.contains(status))
        .map(|(status, description)| {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build();
            let response =
                ResponseBuilder::new().description(*description).content("application/json", content).header(DECISION_ID, decision_id_header()).build();
            (status.to_string(), response.into())
        })
        .collect()
}

/// The errors of `POST /v1/decisions`.
pub struct DecideErrors;

impl IntoResponses for DecideErrors {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        decision_errors(&[])
    }
}

/// The errors of `POST /v1/decisions/batch` as a whole (an element's own
/// error, a 404 or 422 say, is that element of the 200 answer).
pub struct BatchErrors;

impl IntoResponses for BatchErrors {
    fn responses() -> BTreeMap<String, RefOr<ApiResponse>> {
        decision_errors(&[404])
    }
}

/// One element of a batch's body: read on its own, so any JSON value is
/// accepted here and one that is not a valid request is answered with its
/// error at its index (the batch as a whole is refused only when it is not
/// an array).
pub struct BatchElement;

impl PartialSchema for BatchElement {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
            .description(Some(
                "a decision request (see DecisionRequest); each element is read on its own, and one that is not a valid \
                 request is answered with its error at its index, never refusing the batch",
            ))
            .into()
    }
}

impl ToSchema for BatchElement {}

/// One element of a batch's answer.
pub struct BatchItem;

impl PartialSchema for BatchItem {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .description(Some("the answer to the request at the same index, or its error"))
            .item(Ref::from_schema_name("Answer"))
            .item(Ref::from_schema_name("Error"))
            .into()
    }
}

impl ToSchema for BatchItem {}

/// `GET /v1/policies`.
pub struct PolicyList;

impl PartialSchema for PolicyList {
    fn schema() -> RefOr<Schema> {
        let mut listed = kitei::openapi::summary();
        listed.extend([
            ("in_force_today", ObjectBuilder::new().schema_type(Type::Boolean).into()),
            ("sha256", string()),
            ("source", nullable_string("the file it was loaded from")),
            ("settings_source", nullable_string("the settings file applied, if any")),
            ("idle_instances", count()),
            (
                "signature",
                OneOfBuilder::new()
                    .description(Some("the verified signature; null when loaded without a trust policy"))
                    .item(object("who signed it, and which statement", vec![("key", string()), ("sequence", count()), ("signed_at", string())]))
                    .item(ObjectBuilder::new().schema_type(Type::Null))
                    .into(),
            ),
        ]);
        object(
            "every variant serving now, every file refused with its reason, and each registry source's state",
            vec![
                ("ready", ObjectBuilder::new().schema_type(Type::Boolean).into()),
                ("signatures_required", ObjectBuilder::new().schema_type(Type::Boolean).into()),
                ("directory", string()),
                ("policies", ArrayBuilder::new().items(object("a variant serving now", listed)).into()),
                ("rejected", ArrayBuilder::new().items(ObjectBuilder::new().description(Some("a refused file and why"))).into()),
                ("sources", ArrayBuilder::new().items(ObjectBuilder::new().description(Some("a registry source's state (`--source`)"))).into()),
                ("trust", trust()),
            ],
        )
    }
}

impl ToSchema for PolicyList {}

/// `trust` of `GET /v1/policies`: [`crate::TrustStatus`], or null.
fn trust() -> RefOr<Schema> {
    use utoipa::openapi::schema::AdditionalProperties;
    let fingerprints = ArrayBuilder::new().items(string()).build();
    let keys = ObjectBuilder::new()
        .description(Some("each institution's trusted keys (SHA256 fingerprints)"))
        .additional_properties(Some(AdditionalProperties::RefOr(RefOr::T(Schema::Array(fingerprints)))));
    OneOfBuilder::new()
        .description(Some("the trust policy in force; null without one (--allow-unsigned)"))
        .item(object(
            "the trust policy in force and the file it is re-read from",
            vec![
                ("file", nullable_string("the trust file, re-read when it changes; null when given in memory")),
                ("sha256", nullable_string("the sha256 of the file's bytes in force")),
                ("loaded_at", nullable_string("when they were read (RFC 3339)")),
                ("signatures_required", ObjectBuilder::new().schema_type(Type::Boolean).into()),
                ("keys", keys.into()),
                ("error", nullable_string("why the file's current bytes were refused; the policy above stays in force")),
            ],
        ))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// `GET /healthz`.
pub struct Health;

impl PartialSchema for Health {
    fn schema() -> RefOr<Schema> {
        object("the process answers", vec![("status", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["ok"])).into())])
    }
}

impl ToSchema for Health {}

/// `GET /readyz` when ready.
pub struct Ready;

impl PartialSchema for Ready {
    fn schema() -> RefOr<Schema> {
        object(
            "the policies have loaded",
            vec![("status", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["ready"])).into()), ("policies", count()), ("rejected", count())],
        )
    }
}

impl ToSchema for Ready {}
