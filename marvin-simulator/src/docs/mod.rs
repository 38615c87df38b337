//! The API's own description: the OpenAPI 3.1 document of the precache the
//! simulator serves (`/client/api/openapi.json`, made by
//! [`marvin_core::openapi`] once, on the first request) and a page that
//! shows it (`/docs`): swagger-ui from the vendored `swagger-ui-dist`
//! (`assets/swagger-ui`, no CDN, so it works offline) and our `index.html`,
//! whose request interceptor sends every "Try it out" call to `/client/api`
//! with the key of the session `login` opened.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use marvin_core::openapi;
use marvin_core::schema::ApiList;

use crate::kernel::catalog::Catalog;

/// Our page.
const INDEX: &str = include_str!("index.html");

/// The vendored swagger-ui files: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
    ),
    (
        "favicon-32x32.png",
        "image/png",
        include_bytes!("../../assets/swagger-ui/favicon-32x32.png"),
    ),
    (
        "LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/LICENSE"),
    ),
    (
        "NOTICE",
        "text/plain; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/NOTICE"),
    ),
    (
        "swagger-ui-bundle.js.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js.LICENSE.txt"),
    ),
];

/// The document of the served precache, serialised once.
fn document() -> Result<&'static str, String> {
    static DOCUMENT: OnceLock<Result<String, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| {
            let catalog = Catalog::global()?;
            let list = ApiList {
                count: catalog.apis().len(),
                api: catalog.apis().to_vec(),
            };
            serde_json::to_string(&openapi::document(&list, "simulator")).map_err(|e| e.to_string())
        })
        .as_deref()
        .map_err(Clone::clone)
}

fn with_type(status: StatusCode, kind: &'static str, body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

/// `GET /client/api/openapi.json`.
pub(crate) async fn openapi_json() -> Response {
    match tokio::task::spawn_blocking(document).await {
        Ok(Ok(text)) => with_type(StatusCode::OK, "application/json; charset=UTF-8", text),
        Ok(Err(error)) => with_type(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            error,
        ),
        Err(error) => with_type(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            error.to_string(),
        ),
    }
}

/// `GET /docs`: the page.
pub(crate) async fn index() -> Response {
    with_type(StatusCode::OK, "text/html; charset=utf-8", INDEX)
}

/// `GET /docs/{file}`: a vendored swagger-ui file.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, kind, bytes)) => {
            let mut response = with_type(StatusCode::OK, kind, *bytes);
            response.headers_mut().insert(
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            response
        }
        None => with_type(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            format!("no file {file} under /docs"),
        ),
    }
}
