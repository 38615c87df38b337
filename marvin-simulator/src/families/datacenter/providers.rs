//! `listStorageProviders` (`DataStoreProviderManagerImpl.getDataStoreProviders`):
//! the storage providers of a type, as the ones this cloud's pools and
//! image stores are made with (`createStoragePool` uses `DefaultPrimary`,
//! `addImageStore` takes NFS, SMB, S3 and Swift; NFS stores also serve as
//! staging caches).

use serde_json::json;

use crate::kernel::contract::{Call, Reply};
use crate::kernel::error::ApiError;

/// The providers of each type: the type as the answer spells it, and names.
const PROVIDERS: &[(&str, &[&str])] = &[
    ("PRIMARY", &["DefaultPrimary"]),
    ("IMAGE", &["NFS", "SMB", "S3", "Swift"]),
    ("ImageCache", &["NFS"]),
];

/// `listStorageProviders`: `type` is primary, image or imagecache (any
/// case); anything else is refused (431).
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let kind = call.required("type")?;
    let (spelling, names) = PROVIDERS
        .iter()
        .find(|(spelling, _)| spelling.eq_ignore_ascii_case(kind))
        .ok_or_else(|| ApiError::param(format!("Invalid parameter: {kind}")))?;
    let items: Vec<_> = names
        .iter()
        .map(|name| json!({ "name": name, "type": spelling }))
        .collect();
    Ok(Reply::List {
        key: "dataStoreProvider",
        count: items.len(),
        items,
    })
}

#[cfg(test)]
mod tests {
    use crate::families::testkit::{Kit, code};

    /// `getDataStoreProviders`: primary, image and cache providers, the
    /// type spelt as the server spells it; an unknown type is 431.
    #[test]
    fn providers_are_listed_by_type() {
        let mut kit = Kit::new();
        let admin = kit.admin();
        let primary = kit
            .call(&admin, "listStorageProviders", &[("type", "primary")])
            .unwrap();
        assert_eq!(primary["dataStoreProvider"][0]["name"], "DefaultPrimary");
        assert_eq!(primary["dataStoreProvider"][0]["type"], "PRIMARY");
        let image = kit
            .call(&admin, "listStorageProviders", &[("type", "Image")])
            .unwrap();
        assert_eq!(image["count"], 4);
        let err = kit
            .call(&admin, "listStorageProviders", &[("type", "tape")])
            .unwrap_err();
        assert_eq!(
            (code(&err), err.text.as_str()),
            (431, "Invalid parameter: tape")
        );
    }
}
