//! `GET /v1/matrix` and `GET /v1/diff`: the reviewer's views of the modules
//! serving now, as `kitei matrix` and `kitei diff --format json` print them.
//!
//! A comparison runs thousands of decisions (most of a second), so it runs
//! on the blocking pool, one at a time, and its JSON is kept by the modules'
//! sha256 and the time asked about: the same question costs one comparison.

use super::error::ServeError;
use super::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kitei::DecisionError;
use kitei_tools::diff;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many rendered comparisons are kept.
const KEPT: usize = 64;

/// Comparisons already made, and the one-at-a-time gate.
pub struct Reviews {
    kept: Mutex<HashMap<String, Arc<str>>>,
    gate: tokio::sync::Semaphore,
}

impl Default for Reviews {
    fn default() -> Self {
        Reviews { kept: Mutex::default(), gate: tokio::sync::Semaphore::new(1) }
    }
}

impl Reviews {
    /// The JSON kept under `key`, or made by `make` on the blocking pool.
    async fn get_or_make(&self, key: String, make: impl FnOnce() -> Result<String, ServeError> + Send + 'static) -> Result<Arc<str>, ServeError> {
        if let Some(json) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(json.clone());
        }
        let _turn = self.gate.acquire().await.map_err(|e| ServeError::Internal(e.to_string()))?;
        if let Some(json) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(json.clone());
        }
        let json: Arc<str> = tokio::task::spawn_blocking(make).await.map_err(|e| ServeError::Internal(e.to_string()))??.into();
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT {
            kept.clear();
        }
        kept.insert(key, json.clone());
        Ok(json)
    }
}

/// The time a view is for: `at`, or [`diff::DEFAULT_AT`].
fn at(query: Option<&str>) -> Result<chrono::DateTime<chrono::FixedOffset>, ServeError> {
    let text = query.unwrap_or(diff::DEFAULT_AT);
    kitei::time::parse_timestamp(text)
        .ok_or_else(|| ServeError::BadQuery(format!("`at`: invalid timestamp `{text}`, expected RFC 3339 such as {}", diff::DEFAULT_AT)))
}

/// A comparison that could not be made (a module failed or ran out of time).
fn failed(e: diff::DiffError) -> ServeError {
    ServeError::Internal(kitei::Report(&e).to_string())
}

/// A query string that does not fit: named, as JSON like every error.
fn bad_query(e: QueryRejection) -> ServeError {
    ServeError::BadQuery(e.body_text())
}

fn json(body: Arc<str>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// `GET /v1/matrix` parameters.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// the time the canonical requests are for (RFC 3339; default 2024-04-01T10:00:00+09:00)
    #[param(schema_with = kitei::openapi::timestamp)]
    at: Option<String>,
}

/// Every variant serving now, rule by rule: each cell is the module's own
/// answer to a canonical request, with the clauses it cites.
#[utoipa::path(get, path = "/v1/matrix", tag = "review", params(MatrixQuery), responses(
    (status = 200, description = "the matrix (as `kitei matrix --format json`)", body = kitei_tools::diff::matrix::Matrix),
    (status = 400, description = "a query parameter that does not fit (`bad_query`)", body = super::openapi::ErrorBody),
    (status = 503, description = "not loaded yet (`not_ready`), or no module serves: every one refused, or none in the directory (`no_policies`)", body = super::openapi::ErrorBody),
))]
pub async fn matrix(State(state): State<AppState>, q: Result<Query<MatrixQuery>, QueryRejection>) -> Result<Response, ServeError> {
    let Query(q) = q.map_err(bad_query)?;
    let at = at(q.at.as_deref())?;
    if !state.is_ready() {
        return Err(ServeError::NotReady(state.policies_dir().display().to_string()));
    }
    let registry = state.registry();
    if registry.policies().is_empty() {
        let refused = registry.rejected().iter().map(|r| r.file().file_name().unwrap_or(r.file().as_os_str()).to_string_lossy().into_owned()).collect();
        return Err(ServeError::NoPolicies { dir: state.policies_dir().display().to_string(), refused });
    }
    let mut key: Vec<&str> = registry.policies().iter().map(|p| p.info().sha256.as_str()).collect();
    key.sort_unstable();
    let key = format!("matrix {} {}", at.to_rfc3339(), key.join(" "));
    let body = state
        .reviews()
        .get_or_make(key, move || {
            let m = diff::matrix::matrix(registry.policies(), at).map_err(failed)?;
            diff::render_matrix(&m, diff::Format::Json).map_err(failed)
        })
        .await?;
    Ok(json(body))
}

/// `GET /v1/diff` parameters.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// the old variant (`gunma-2019`)
    #[param(example = "gunma-2019")]
    old: String,
    /// the new variant (`gunma-2023`)
    #[param(example = "gunma-2023")]
    new: String,
    /// the time the generated requests are for (RFC 3339; default 2024-04-01T10:00:00+09:00)
    #[param(schema_with = kitei::openapi::timestamp)]
    at: Option<String>,
}

/// The behavioural difference of two variants serving now (the 新旧対比表):
/// every class of generated requests they answer differently, and every
/// clause whose text changed. As `kitei diff`, both answer under the same
/// settings ([`diff::common_settings`]), so the difference is the rules'.
#[utoipa::path(get, path = "/v1/diff", tag = "review", params(DiffQuery), responses(
    (status = 200, description = "the report (as `kitei diff --format json`)", body = kitei_tools::diff::Report),
    (status = 400, description = "a query parameter that does not fit (`bad_query`)", body = super::openapi::ErrorBody),
    (status = 404, description = "no such variant serving (`unknown_variant`)", body = super::openapi::ErrorBody),
))]
pub async fn diff(State(state): State<AppState>, q: Result<Query<DiffQuery>, QueryRejection>) -> Result<Response, ServeError> {
    let Query(q) = q.map_err(bad_query)?;
    let at = at(q.at.as_deref())?;
    let registry = state.registry();
    let find = |v: &str| registry.variant(v).cloned().ok_or_else(|| ServeError::Decision(DecisionError::unknown_variant(v.to_string())));
    let (old, new) = (find(&q.old)?, find(&q.new)?);
    let key = format!("diff {} {} {}", at.to_rfc3339(), old.info().sha256, new.info().sha256);
    let body = state
        .reviews()
        .get_or_make(key, move || {
            // as `kitei diff` compares: both under the same settings
            let old = diff::with_common_settings(old.as_ref()).map_err(failed)?;
            let new = diff::with_common_settings(new.as_ref()).map_err(failed)?;
            let report = diff::compare(old.as_ref(), new.as_ref(), at).map_err(failed)?;
            diff::render(&report, diff::Format::Json).map_err(failed)
        })
        .await?;
    Ok(json(body))
}
