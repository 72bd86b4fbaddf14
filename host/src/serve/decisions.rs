//! `POST /v1/decisions` and `POST /v1/decisions/batch`.
//!
//! The registry is taken once per HTTP request (a batch is answered wholly by
//! one set of policies), and the synchronous wasmtime calls run on tokio's
//! blocking pool so the async workers keep accepting connections.

use super::body::json_body;
use super::decision_log::Entry;
use super::error::ServeError;
use super::state::AppState;
use crate::error::DecisionError;
use crate::registry::Registry;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::value::RawValue;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// `POST /v1/decisions`: one api.md request, one response.
pub async fn decide(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let answer = async {
        let registry = ready(&state)?;
        let body = json_body(&headers, body, state.body_limit()).await?;
        let st = state.clone();
        blocking(move || decide_one(&st, &registry, &body).and_then(|v| to_bytes(&v))).await
    }
    .await;
    respond(&state, answer)
}

/// `POST /v1/decisions/batch`: a JSON array of requests, answered in order;
/// each element is a response or an api.md error object.
pub async fn batch(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let answer = async {
        let registry = ready(&state)?;
        let body = json_body(&headers, body, state.body_limit()).await?;
        let st = state.clone();
        blocking(move || {
            let items = split_batch(&body)?;
            let answers: Vec<Value> = items
                .iter()
                .map(|item| decide_one(&st, &registry, item.get().as_bytes()).unwrap_or_else(|e| e.to_json()))
                .collect();
            to_bytes(&Value::Array(answers))
        })
        .await
    }
    .await;
    respond(&state, answer)
}

fn ready(state: &AppState) -> Result<Arc<Registry>, ServeError> {
    if state.is_ready() {
        Ok(state.registry())
    } else {
        Err(ServeError::NotReady(state.policies_dir().display().to_string()))
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ServeError> + Send + 'static) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServeError::Internal(e.to_string()))?
}

fn to_bytes(v: &Value) -> Result<Vec<u8>, ServeError> {
    serde_json::to_vec(v).map_err(|e| ServeError::Internal(e.to_string()))
}

/// The elements of a batch body, each kept as its own bytes.
fn split_batch(body: &[u8]) -> Result<Vec<&RawValue>, ServeError> {
    serde_json::from_slice::<Vec<&RawValue>>(body).map_err(|e| {
        let err = match e.classify() {
            serde_json::error::Category::Data => {
                DecisionError::Invalid(format!("batch: the body must be a JSON array of requests: {e}"))
            }
            _ => DecisionError::Malformed(e.to_string()),
        };
        ServeError::Decision(err)
    })
}

fn respond(state: &AppState, answer: Result<Vec<u8>, ServeError>) -> Response {
    match answer {
        Ok(bytes) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => {
            // errors of decide_one were counted there
            if !matches!(e, ServeError::Decision(_)) {
                state.metrics().error(e.code());
            }
            e.into_response()
        }
    }
}

/// Decides one request, counts it, and logs it before anyone sees it.
fn decide_one(state: &AppState, registry: &Registry, body: &[u8]) -> Result<Value, ServeError> {
    let started = Instant::now();
    let outcome = crate::decide_json(registry, body);
    let logged = log(state, body, &outcome);
    state.metrics().latency(started.elapsed());
    match (&outcome, &logged) {
        (Ok(v), Ok(())) => {
            let s = |k: &str| v[k].as_str().unwrap_or("none").to_string();
            let variant = v["policy"]["variant"].as_str().unwrap_or("none");
            state.metrics().decision(variant, &s("operation"), &s("decision"));
        }
        (Err(e), _) => state.metrics().error(e.code()),
        (Ok(_), Err(e)) => state.metrics().error(e.code()),
    }
    logged?;
    Ok(outcome?)
}

fn log(state: &AppState, body: &[u8], outcome: &Result<Value, DecisionError>) -> Result<(), ServeError> {
    let Some(log) = state.decision_log() else { return Ok(()) };
    let request_sha256 = crate::component::sha256_hex(body);
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let entry = match outcome {
        Ok(v) => Entry {
            time,
            variant: v["policy"]["variant"].as_str(),
            module_sha256: v["policy"]["sha256"].as_str(),
            request_sha256,
            operation: v["operation"].as_str(),
            decision: v["decision"].as_str(),
            error: None,
            cites: cites(v),
        },
        Err(e) => Entry {
            time,
            variant: match e {
                DecisionError::PolicyFailed { variant, .. } | DecisionError::Timeout { variant, .. } => Some(variant),
                _ => None,
            },
            module_sha256: None,
            request_sha256,
            operation: None,
            decision: None,
            error: Some(e.code()),
            cites: Vec::new(),
        },
    };
    log.write(&entry).map_err(|e| ServeError::Log(e.to_string()))
}

/// Every `cite` of a response's reasons, in order (not `describe`'s sheet).
fn cites(v: &Value) -> Vec<&str> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match (k.as_str(), x) {
                        ("metadata", _) => {}
                        ("cite", Value::String(s)) => out.push(s),
                        _ => walk(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}
