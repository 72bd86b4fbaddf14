//! The explorer at `/`: one page for compliance reviewers, built into the
//! binary (HTML, CSS and JavaScript from `host/serve/explorer/`; no CDN, no
//! network) and working only with the service's own JSON API.
//!
//! `KITEI_EXPLORER_DIR=host/serve/explorer` serves the files from disk
//! instead, read on every request, so the page can be edited without a
//! rebuild.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page's files: name, content type, built-in text.
const ASSETS: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../explorer/index.html")),
    ("explorer.css", "text/css; charset=utf-8", include_str!("../explorer/explorer.css")),
    ("explorer.js", "text/javascript; charset=utf-8", include_str!("../explorer/explorer.js")),
];

/// The page's own origin only: no inline script, nothing from elsewhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One of [`ASSETS`], or `None`.
fn asset(name: &str) -> Option<Response> {
    let &(_, content_type, built_in) = ASSETS.iter().find(|(n, ..)| *n == name)?;
    let body: Body = match std::env::var_os("KITEI_EXPLORER_DIR") {
        Some(dir) => match std::fs::read_to_string(std::path::Path::new(&dir).join(name)) {
            Ok(text) => text.into(),
            Err(e) => return Some((StatusCode::INTERNAL_SERVER_ERROR, format!("KITEI_EXPLORER_DIR: {name}: {e}")).into_response()),
        },
        None => built_in.into(),
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(r)
}

/// `GET /`: the explorer.
#[utoipa::path(get, path = "/", tag = "operations", responses((status = 200, description = "the explorer: a page for reviewers over this API", content_type = "text/html", body = String)))]
pub async fn index() -> Response {
    asset("index.html").unwrap_or_else(|| unreachable!("index.html is one of the assets"))
}

/// `GET /explorer/{file}`: its stylesheet and script (not part of the API,
/// so not in the OpenAPI document).
pub async fn file(Path(name): Path<String>) -> Response {
    match asset(&name) {
        Some(r) if name != "index.html" => r,
        _ => super::status::not_found(&format!("/explorer/{name}")),
    }
}
