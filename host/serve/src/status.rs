//! `GET /healthz`, `GET /readyz`, `GET /v1/policies` and `GET /metrics`.

use super::error::ServeError;
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kitei::LoadedPolicy;
use kitei::in_force;
use kitei::json::Summary;
use kitei::time::jst;
use serde_json::{Value, json};

/// Alive: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive", body = super::openapi::Health)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready once the policy directory has loaded; 503 before.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "the policies have loaded (some may have been refused: see /v1/policies)", body = super::openapi::Ready),
    (status = 503, description = "not loaded yet (`not_ready`)", body = super::openapi::ErrorBody),
))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.is_ready() {
        let r = state.registry();
        Json(json!({ "status": "ready", "policies": r.policies().len(), "rejected": r.rejected().len() })).into_response()
    } else {
        ServeError::NotReady(state.policies_dir().display().to_string()).into_response()
    }
}

/// A variant serving now, as `GET /v1/policies` lists it.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    summary: Summary<'a>,
    in_force_today: bool,
    sha256: &'a str,
    source: Option<&'a std::path::Path>,
    settings_source: Option<&'a std::path::Path>,
    idle_instances: usize,
    /// the verified signature (`null` when loaded without a trust policy or unsigned)
    signature: Option<Signed<'a>>,
}

/// Who signed a module that serves, and which statement.
#[derive(serde::Serialize)]
struct Signed<'a> {
    key: &'a str,
    sequence: u64,
    signed_at: &'a str,
}

/// Names every field of [`Listed`] and [`Signed`]: a new one is a compile
/// error until `openapi::PolicyList` describes it.
#[allow(dead_code)]
fn fields(l: &Listed<'_>, s: &Signed<'_>) {
    let Listed { summary: _, in_force_today: _, sha256: _, source: _, settings_source: _, idle_instances: _, signature: _ } = l;
    let Signed { key: _, sequence: _, signed_at: _ } = s;
}

fn policy_json(p: &dyn LoadedPolicy, today: chrono::NaiveDate) -> Listed<'_> {
    let info = p.info();
    Listed {
        summary: Summary::of(info),
        in_force_today: in_force(&info.metadata, today),
        sha256: &info.sha256,
        source: info.source.as_deref(),
        settings_source: info.settings_source.as_deref(),
        idle_instances: p.idle_instances(),
        signature: info.signature.as_ref().map(|v| Signed { key: &v.key, sequence: v.statement.sequence, signed_at: &v.statement.signed_at }),
    }
}

/// Every variant serving now and every file refused, with its reason.
#[utoipa::path(get, path = "/v1/policies", tag = "review", responses((status = 200, description = "the variants serving now", body = super::openapi::PolicyList)))]
pub async fn policies(State(state): State<AppState>) -> Json<Value> {
    let r = state.registry();
    let today = chrono::Utc::now().with_timezone(&jst()).date_naive();
    Json(json!({
        "ready": state.is_ready(),
        "signatures_required": state.trust().is_some_and(|t| t.policy().require_signatures()),
        "directory": state.policies_dir(),
        "policies": r.policies().iter().map(|p| policy_json(p.as_ref(), today)).collect::<Vec<_>>(),
        "rejected": r.rejected(),
        "sources": state.source_status(),
        "trust": state.trust_status(),
    }))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text exposition 0.0.4", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = state.metrics().render(&state.registry());
    if let Some(shadow) = state.shadow() {
        shadow.render_metrics(&mut text);
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// `GET /v1/shadow`: what the shadow modules would change, per pair.
#[utoipa::path(get, path = "/v1/shadow", tag = "review", responses(
    (status = 200, description = "per (module in force, shadow module): decisions compared, changed, by clause with example decision ids; dropped jobs. With shadowing off (no `--shadow`): `enabled: false`, a message, and nothing counted", body = super::shadow::ShadowReport),
))]
pub async fn shadow(State(state): State<AppState>) -> Json<super::shadow::ShadowReport> {
    Json(state.shadow().map_or_else(super::shadow::ShadowReport::disabled, super::shadow::Shadow::report))
}

/// Any other path: a JSON 404.
pub async fn no_route(uri: Uri) -> Response {
    not_found(uri.path())
}

/// A JSON 404 naming the path.
pub fn not_found(path: &str) -> Response {
    ServeError::NoRoute(path.to_string()).into_response()
}
