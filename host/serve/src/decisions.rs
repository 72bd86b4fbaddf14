//! `POST /v1/decisions` and `POST /v1/decisions/batch`.
//!
//! The registry is taken once per HTTP request (a batch is answered wholly by
//! one set of policies).
//!
//! Where the wasmtime call runs: a single decision takes a few microseconds
//! and its epoch deadline bounds it, so it runs inline on the async worker
//! (a hop to the blocking pool cost more than the decision). A module that
//! ran out of time is marked slow for a while ([`SLOW_FOR`]); its calls then
//! run on tokio's blocking pool, so a looping module holds an async worker
//! at most once per period, not on every request. A batch always runs on
//! the blocking pool.

use super::body::json_body;
use super::decision_log::{Entry, FORMAT, Sync, kept_request};
use super::error::ServeError;
use super::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kitei::{Answer, DecisionError, DecisionErrorKind, Question, Reason, Registry, Wire};
use serde_json::Value;
use serde_json::value::RawValue;
use std::sync::Arc;
use std::time::Instant;

/// How long a module that ran out of time answers on the blocking pool.
pub const SLOW_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// `POST /v1/decisions`: one api.md request, one response.
#[utoipa::path(post, path = "/v1/decisions", tag = "decisions",
    request_body(content = kitei::openapi::DecisionRequest, content_type = "application/json",
        description = "api.md's request: `institution` (the variant in force at `at` is picked) or `variant`, the `operation` and its facts"),
    responses(
    (status = 200, description = "the answer, every reason cited", body = kitei::Answer,
        headers(("kitei-decision-id" = String, description = "the decision's id, a UUIDv7, also in its decision-log line (a batch's elements are logged as `<id>/<index>`; docs/decision-log.md)"))),
    super::openapi::DecideErrors,
))]
pub async fn decide(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let id = decision_id();
    let answer = async {
        let registry = ready(&state)?;
        let limits = state.limits();
        let body = json_body(&headers, body, limits.body_bytes, limits.body_timeout).await?;
        let started = Instant::now();
        // the question goes on with the answer, to the shadow (not read again there)
        let (outcome, question) = match Question::from_json(&body) {
            Err(e) => (Err(e), None),
            Ok(question) => match question.check_terms(registry.vocabulary()).and_then(|()| registry.select_for(&question)) {
                Err(e) => (Err(e), None),
                Ok(policy) if state.slow_modules().is_slow(&policy.info().sha256) => {
                    let policy = policy.clone();
                    blocking(move || {
                        let outcome = policy.decide(&question);
                        Ok((outcome, Some(question)))
                    })
                    .await?
                }
                Ok(policy) => {
                    let outcome = policy.decide(&question);
                    if matches!(&outcome, Err(e) if e.kind() == DecisionErrorKind::Timeout) {
                        state.slow_modules().mark(&policy.info().sha256, SLOW_FOR);
                    }
                    (outcome, Some(question))
                }
            },
        };
        if state.decision_log().is_some_and(|log| log.sync() != Sync::None) {
            // waiting for the disk is blocking work
            let st = state.clone();
            let id = id.clone();
            blocking(move || finish(&st, &body, &id, outcome, started).and_then(|answer| reply(&st, answer, question, &id))).await
        } else {
            finish(&state, &body, &id, outcome, started).and_then(|answer| reply(&state, answer, question, &id))
        }
    }
    .await;
    respond(&state, &id, answer)
}

/// The reply's bytes; then, the reply built, the decision offered to
/// shadow evaluation (never waits).
fn reply(state: &AppState, answer: Answer, question: Option<Question>, id: &str) -> Result<Vec<u8>, ServeError> {
    let bytes = to_bytes(&answer)?;
    if let (Some(shadow), Some(question)) = (state.shadow(), question) {
        shadow.offer(answer, question, id.to_string());
    }
    Ok(bytes)
}

/// A new decision id: a UUIDv7 (time-ordered, so a log sorts by it).
fn decision_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The response header naming the decision (a batch's: the batch; its
/// elements are `<id>/<index>` in the log).
pub const DECISION_ID: &str = "kitei-decision-id";

/// `POST /v1/decisions/batch`: a JSON array of requests, answered in order;
/// each element is a response or an api.md error object.
#[utoipa::path(post, path = "/v1/decisions/batch", tag = "decisions",
    request_body(content = Vec<super::openapi::BatchElement>, content_type = "application/json",
        description = "an array of api.md requests (at most `--batch-limit`), answered in order by one set of policies"),
    responses(
    (status = 200, description = "one element per request, in order: its answer or its error", body = Vec<super::openapi::BatchItem>,
        headers(("kitei-decision-id" = String, description = "the decision's id, a UUIDv7, also in its decision-log line (a batch's elements are logged as `<id>/<index>`; docs/decision-log.md)"))),
    super::openapi::BatchErrors,
))]
pub async fn batch(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let id = decision_id();
    let batch_id = id.clone();
    let answer = async {
        let registry = ready(&state)?;
        let limits = *state.limits();
        let body = json_body(&headers, body, limits.batch_body_bytes, limits.body_timeout).await?;
        let st = state.clone();
        blocking(move || {
            // not a decision (no log line), but an error answered: counted
            let items = split_batch(&body).inspect_err(|e| st.metrics().error(e.code()))?;
            if items.len() > limits.batch_requests {
                return Err(ServeError::BatchTooLarge { got: items.len(), limit: limits.batch_requests });
            }
            // each element's id and question, kept for the shadow when it is on
            let shadow = st.shadow();
            let mut shadowed: Vec<(String, Option<Question>)> = Vec::new();
            let answers: Vec<Item> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let id = format!("{batch_id}/{i}");
                    let (outcome, question) = decide_one(&st, &registry, item.get().as_bytes(), &id);
                    if shadow.is_some() {
                        shadowed.push((id, question));
                    }
                    match outcome {
                        Ok(answer) => Item::Answer(answer),
                        Err(e) => Item::Error(e.to_json()),
                    }
                })
                .collect();
            let bytes = to_bytes(&answers)?;
            if let Some(shadow) = shadow {
                for (answer, (id, question)) in answers.into_iter().zip(shadowed) {
                    if let (Item::Answer(answer), Some(question)) = (answer, question) {
                        shadow.offer(answer, question, id);
                    }
                }
            }
            Ok(bytes)
        })
        .await
    }
    .await;
    respond(&state, &id, answer)
}

fn ready(state: &AppState) -> Result<Arc<Registry>, ServeError> {
    if state.is_ready() { Ok(state.registry()) } else { Err(ServeError::NotReady(state.policies_dir().display().to_string())) }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ServeError> + Send + 'static) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServeError::Internal(e.to_string()))?
}

/// One element of a batch's answer: a response, or api.md's error object.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Item {
    Answer(Answer),
    Error(Value),
}

fn to_bytes<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, ServeError> {
    serde_json::to_vec(v).map_err(|e| ServeError::Internal(e.to_string()))
}

/// The elements of a batch body, each kept as its own bytes.
fn split_batch(body: &[u8]) -> Result<Vec<&RawValue>, ServeError> {
    serde_json::from_slice::<Vec<&RawValue>>(body).map_err(|e| {
        let err = match e.classify() {
            serde_json::error::Category::Data => DecisionError::invalid(format!("batch: the body must be a JSON array of requests: {e}")),
            _ => DecisionError::malformed(e.to_string()),
        };
        ServeError::Decision(err)
    })
}

fn respond(state: &AppState, id: &str, answer: Result<Vec<u8>, ServeError>) -> Response {
    let mut response = match answer {
        Ok(bytes) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => {
            // errors of decide_one were counted there
            if !matches!(e, ServeError::Decision(_)) {
                state.metrics().error(e.code());
            }
            e.into_response()
        }
    };
    if let Ok(value) = header::HeaderValue::from_str(id) {
        response.headers_mut().insert(DECISION_ID, value);
    }
    response
}

/// Decides one element of a batch, counts it, and logs it before anyone
/// sees it; with its question, when it was one (for the shadow).
fn decide_one(state: &AppState, registry: &Registry, body: &[u8], id: &str) -> (Result<Answer, ServeError>, Option<Question>) {
    let started = Instant::now();
    let (outcome, question) = match Question::from_json(body) {
        Ok(question) => (registry.decide(&question), Some(question)),
        Err(e) => (Err(e), None),
    };
    (finish(state, body, id, outcome, started), question)
}

/// Logs a decision (before anyone sees it) and counts it.
fn finish(state: &AppState, body: &[u8], id: &str, outcome: Result<Answer, DecisionError>, started: Instant) -> Result<Answer, ServeError> {
    let logged = log(state, body, id, &outcome);
    state.metrics().latency(started.elapsed());
    match (&outcome, &logged) {
        (Ok(answer), Ok(())) => {
            let decision = answer.decision().map_or("none", Wire::wire);
            state.metrics().decision(&answer.policy().variant, answer.operation().wire(), decision);
        }
        (Err(e), _) => state.metrics().error(e.code()),
        (Ok(_), Err(e)) => state.metrics().error(e.code()),
    }
    logged?;
    Ok(outcome?)
}

/// sha256 of an answer's JSON, as it is sent (`kitei replay` compares it).
pub fn answer_sha256(answer: &Answer) -> String {
    kitei::component::sha256_hex(&serde_json::to_vec(answer).unwrap_or_default())
}

fn log(state: &AppState, body: &[u8], id: &str, outcome: &Result<Answer, DecisionError>) -> Result<(), ServeError> {
    let Some(log) = state.decision_log() else { return Ok(()) };
    let request_sha256 = kitei::component::sha256_hex(body);
    let (request, request_text) = kept_request(body, log.request_mode());
    let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let entry = match outcome {
        Ok(answer) => Entry {
            v: FORMAT,
            time,
            decision_id: id,
            request,
            request_text,
            institution: Some(&answer.policy().institution),
            variant: Some(&answer.policy().variant),
            version: Some(&answer.policy().version),
            module_sha256: Some(&answer.policy().sha256),
            request_sha256,
            operation: Some(answer.operation().wire()),
            decision: answer.decision().map(Wire::wire),
            error: None,
            cites: answer.reasons().into_iter().map(Reason::cite).collect(),
            answer_sha256: Some(answer_sha256(answer)),
        },
        Err(e) => Entry {
            v: FORMAT,
            time,
            decision_id: id,
            request,
            request_text,
            institution: None,
            variant: e.variant(),
            version: None,
            module_sha256: None,
            request_sha256,
            operation: None,
            decision: None,
            error: Some(e.code()),
            cites: Vec::new(),
            answer_sha256: None,
        },
    };
    log.write(&entry).map_err(|e| ServeError::Log(e.to_string()))
}
