//! `GET /healthz`, `GET /readyz`, `GET /v1/policies` and `GET /metrics`.

use super::error::ServeError;
use super::state::AppState;
use crate::policy::Policy;
use crate::registry::in_force;
use crate::request::jst;
use crate::response::settings_json;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Alive: the process answers.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready once the policy directory has loaded; 503 before.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.is_ready() {
        let r = state.registry();
        Json(json!({ "status": "ready", "policies": r.policies().len(), "rejected": r.rejected().len() })).into_response()
    } else {
        ServeError::NotReady(state.policies_dir().display().to_string()).into_response()
    }
}

fn policy_json(p: &dyn Policy, today: chrono::NaiveDate) -> Value {
    let info = p.info();
    let md = &info.metadata;
    json!({
        "variant": md.variant,
        "institution": md.institution,
        "institution_name": md.institution_name,
        "title": md.title,
        "version": md.version,
        "effective_from": md.effective_from,
        "effective_until": md.effective_until,
        "in_force_today": in_force(md, today),
        "sha256": info.sha256,
        "settings": settings_json(&info.settings),
        "source": info.source,
        "settings_source": info.settings_source,
    })
}

/// Every variant serving now and every file refused, with its reason.
pub async fn policies(State(state): State<AppState>) -> Json<Value> {
    let r = state.registry();
    let today = chrono::Utc::now().with_timezone(&jst()).date_naive();
    Json(json!({
        "ready": state.is_ready(),
        "directory": state.policies_dir(),
        "policies": r.policies().iter().map(|p| policy_json(p.as_ref(), today)).collect::<Vec<_>>(),
        "rejected": r.rejected(),
    }))
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics().render())
        .into_response()
}

/// Any other path: a JSON 404.
pub async fn no_route(uri: Uri) -> Response {
    ServeError::NoRoute(uri.path().to_string()).into_response()
}
