//! Reading a JSON request body: the `Content-Type` (415) and the size limit
//! (413) are checked before any JSON is parsed; a body that does not arrive
//! within the body timeout is 408.

use super::error::ServeError;
use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use std::time::Duration;

/// Whether a media type is JSON: `application/json` or `application/*+json`,
/// parameters (`; charset=utf-8`) ignored.
fn is_json(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// The body of a JSON request, at most `limit` bytes.
///
/// # Errors
/// [`ServeError::NotJson`] (415), [`ServeError::TooLarge`] (413),
/// [`ServeError::BodyTimeout`] (408), or [`ServeError::Body`] when the
/// client's body cannot be read.
pub async fn json_body(headers: &HeaderMap, body: Body, limit: usize, timeout: Duration) -> Result<Bytes, ServeError> {
    match headers.get(CONTENT_TYPE) {
        None => return Err(ServeError::NotJson("no `Content-Type`".into())),
        Some(v) => {
            let ct = v.to_str().unwrap_or_default();
            if !is_json(ct) {
                return Err(ServeError::NotJson(format!("`{ct}`")));
            }
        }
    }
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|s| s.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ServeError::TooLarge { limit });
    }
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit));
    read.await.map_err(|_| ServeError::BodyTimeout(timeout))?.map_err(|e| {
        let inner = e.into_inner();
        if inner.is::<http_body_util::LengthLimitError>() { ServeError::TooLarge { limit } } else { ServeError::Body(inner.to_string()) }
    })
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json(""));
    }
}
