//! The service's routes, testable without a port (`tower::ServiceExt::oneshot`).

use super::state::AppState;
use super::{decisions, explorer, openapi, review, status};
use axum::Router;
use axum::routing::{get, post};

/// Every endpoint of `kitei serve` over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/decisions", post(decisions::decide))
        .route("/v1/decisions/batch", post(decisions::batch))
        .route("/v1/policies", get(status::policies))
        .route("/v1/matrix", get(review::matrix))
        .route("/v1/diff", get(review::diff))
        .route("/v1/shadow", get(status::shadow))
        .route("/openapi.json", get(openapi::document))
        .route("/", get(explorer::index))
        .route("/explorer/{file}", get(explorer::file))
        .route("/healthz", get(status::healthz))
        .route("/readyz", get(status::readyz))
        .route("/metrics", get(status::metrics))
        .fallback(status::no_route)
        .with_state(state)
}
