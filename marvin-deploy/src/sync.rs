//! Reading a cloud's `listApis` into the precache snapshot (`marvin sync`).

use marvin_core::schema::ApiList;
use marvin_core::{Client, Error, Result};
use marvin_entities::api;

/// Reads `listApis` from the cloud and returns it in the stable, sorted form
/// that `api-precache.json` is written in.
pub async fn fetch_precache(client: &Client) -> Result<ApiList> {
    let answer = client.call(api("listApis")).await?;
    let mut apis: ApiList = serde_json::from_value(answer).map_err(|error| {
        Error::setup(format!(
            "the listApis answer is not a listApis document: {error}"
        ))
    })?;
    apis.normalize();
    Ok(apis)
}
