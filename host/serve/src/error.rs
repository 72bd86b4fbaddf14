//! HTTP errors: api.md's decision errors plus what only HTTP can get wrong.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kitei::{DecisionError, DecisionErrorKind};

/// Why the service answered with an error; the body is always
/// `{"error": {"code", "message"}}` and never a permit.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    /// a decision error of the library (its own code and status)
    Decision(#[from] DecisionError),
    #[error("request body is larger than the limit of {limit} bytes")]
    /// the body is over `--max-body-bytes` (413)
    TooLarge {
        /// the limit, in bytes
        limit: usize,
    },
    #[error("a batch of {got} requests; at most {limit} are answered at once")]
    /// a batch of more requests than the limit (413)
    BatchTooLarge {
        /// how many requests the batch holds
        got: usize,
        /// how many are answered at once
        limit: usize,
    },
    #[error("the request body did not arrive within {0:?}")]
    /// the body did not arrive within the read timeout (408)
    BodyTimeout(std::time::Duration),
    #[error("`Content-Type` must be `application/json`, got {0}")]
    /// a body whose `Content-Type` is not JSON, with the type sent (415)
    NotJson(String),
    #[error("policies are not loaded yet (directory `{0}`)")]
    /// the first load has not finished, naming the directory (503)
    NotReady(String),
    /// loaded, and nothing serves: every module refused, or none there
    #[error("{}", no_policies(dir, refused))]
    NoPolicies {
        /// the policy directory
        dir: String,
        /// each refused file with its reason
        refused: Vec<String>,
    },
    #[error("cannot read the request body: {0}")]
    /// the body could not be read, with the transport's reason (400)
    Body(String),
    #[error("decision task failed: {0}")]
    /// the task deciding the request failed (500)
    Internal(String),
    #[error("bad query: {0}")]
    /// a query string the endpoint cannot read, naming the parameter (400)
    BadQuery(String),
    #[error("no such endpoint `{0}`")]
    /// no route for the path asked (404)
    NoRoute(String),
    #[error("cannot write the decision log: {0}")]
    /// the decision could not be logged, so it is not answered (503)
    Log(String),
}

impl ServeError {
    /// The machine-readable `code` of the JSON error.
    pub fn code(&self) -> &'static str {
        match self {
            ServeError::Decision(e) => e.code(),
            ServeError::TooLarge { .. } | ServeError::BatchTooLarge { .. } => "too_large",
            ServeError::BodyTimeout(_) => "request_timeout",
            ServeError::NotJson(_) => "not_json",
            ServeError::NotReady(_) => "not_ready",
            ServeError::NoPolicies { .. } => "no_policies",
            ServeError::Body(_) => "bad_body",
            ServeError::Internal(_) => "internal",
            ServeError::BadQuery(_) => "bad_query",
            ServeError::NoRoute(_) => "not_found",
            ServeError::Log(_) => "decision_log_failed",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> StatusCode {
        let code = match self {
            ServeError::Decision(e) => decision_status(e),
            ServeError::TooLarge { .. } | ServeError::BatchTooLarge { .. } => 413,
            ServeError::BodyTimeout(_) => 408,
            ServeError::NotJson(_) => 415,
            ServeError::NotReady(_) | ServeError::NoPolicies { .. } => 503,
            ServeError::Body(_) => 400,
            ServeError::Internal(_) => 500,
            ServeError::BadQuery(_) => 400,
            ServeError::NoRoute(_) => 404,
            ServeError::Log(_) => 503,
        };
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// `{"error": {"code", "message"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ServeError::Decision(e) => e.to_json(),
            _ => serde_json::json!({ "error": { "code": self.code(), "message": self.to_string() } }),
        }
    }
}

fn no_policies(dir: &str, refused: &[String]) -> String {
    match refused {
        [] => format!("no module serves: the policy directory `{dir}` holds none"),
        files => format!(
            "no module serves: every module of `{dir}` was refused ({}; GET /v1/policies says why)",
            files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The HTTP status api.md assigns to a decision error.
pub fn decision_status(e: &DecisionError) -> u16 {
    match e.kind() {
        DecisionErrorKind::Malformed => 400,
        DecisionErrorKind::Invalid => 422,
        DecisionErrorKind::UnknownInstitution | DecisionErrorKind::UnknownVariant | DecisionErrorKind::NotInForce => 404,
        DecisionErrorKind::PolicyFailed | DecisionErrorKind::Timeout => 503,
        // an error this service does not know yet is the module's or the host's: fail closed
        _ => 503,
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        (self.status(), axum::Json(self.to_json())).into_response()
    }
}
