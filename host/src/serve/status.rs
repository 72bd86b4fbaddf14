//! `GET /healthz`, `GET /readyz`, `GET /v1/policies` and `GET /metrics`.

use super::error::ServeError;
use super::state::AppState;
use crate::policy::Policy;
use crate::registry::in_force;
use crate::request::jst;
use crate::response::summary_json;
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
    let mut o = summary_json(info);
    o.insert("in_force_today".into(), in_force(&info.metadata, today).into());
    o.insert("sha256".into(), info.sha256.clone().into());
    o.insert("source".into(), json!(info.source));
    o.insert("settings_source".into(), json!(info.settings_source));
    Value::Object(o)
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
