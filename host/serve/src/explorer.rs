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

/// A JavaScript module of the page, built in.
macro_rules! js {
    ($name:literal) => {
        ($name, "text/javascript; charset=utf-8", include_str!(concat!("../explorer/", $name)))
    };
}

/// The page's files: name, content type, built-in text. The script is
/// native ES modules, no build step: `main.js` is the entry `index.html`
/// loads, and imports the others (one per view, plus small shared ones).
const ASSETS: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../explorer/index.html")),
    ("explorer.css", "text/css; charset=utf-8", include_str!("../explorer/explorer.css")),
    js!("main.js"),
    js!("router.js"),
    js!("page.js"),
    js!("routes.js"),
    js!("api.js"),
    js!("dom.js"),
    js!("widgets.js"),
    js!("format.js"),
    js!("textdiff.js"),
    js!("timeline.js"),
    js!("view-overview.js"),
    js!("view-institution.js"),
    js!("view-rules.js"),
    js!("view-matrix.js"),
    js!("view-diff.js"),
    js!("view-try.js"),
    js!("form.js"),
    js!("answer.js"),
];

/// The page's own origin only: no inline script, nothing from elsewhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One of [`ASSETS`], or `None`.
fn asset(name: &str) -> Option<Response> {
    let &(_, content_type, built_in) = ASSETS.iter().find(|(n, ..)| *n == name)?;
    let body: Body = match std::env::var_os("KITEI_EXPLORER_DIR") {
        Some(dir) => match std::fs::read_to_string(std::path::Path::new(&dir).join(name)) {
            Ok(text) => text.into(),
            Err(e) => {
                return Some((StatusCode::INTERNAL_SERVER_ERROR, format!("KITEI_EXPLORER_DIR: {name}: {e}")).into_response());
            }
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

/// `GET /explorer/{file}`: its stylesheet and script modules (not part of
/// the API, so not in the OpenAPI document); a name not in [`ASSETS`] is a 404.
pub async fn file(Path(name): Path<String>) -> Response {
    match asset(&name) {
        Some(r) if name != "index.html" => r,
        _ => super::status::not_found(&format!("/explorer/{name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    /// Every file of `host/serve/explorer/` is served, and nothing else: a
    /// module added to the directory but not to [`ASSETS`] would be a 404
    /// in the browser (its import failing) while editing from disk worked.
    #[test]
    fn every_file_of_the_explorer_directory_is_an_asset() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("explorer");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = ASSETS.iter().map(|(name, ..)| name.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk, "ASSETS in host/serve/src/explorer.rs against the files of {}", dir.display());
        for (name, content_type, _) in ASSETS {
            if name.ends_with(".js") {
                assert_eq!(*content_type, "text/javascript; charset=utf-8", "{name}");
            }
        }
    }
}
