//! The model of a `listApis` answer: what `api-precache.json` holds.
//!
//! One model serves three readers: the code generator (typed commands and
//! entities), the simulator (it serves `listApis` from it and validates every
//! call against it) and `marvin sync` (which writes it back, sorted).
//!
//! Real answers are untidy, and this model accepts them as they are: the
//! document may be wrapped in `listapisresponse` or not, descriptions and
//! lengths may be missing (the 4.22 schema rebuilt from cloudstack-go has
//! none), response lists contain empty `{}` entries (a 4.18 server sends
//! 1,467 of them), and unknown keys are ignored.
//!
//! ```
//! use marvin_core::schema::ApiList;
//! let doc = r#"{"listapisresponse":{"count":1,"api":[{"name":"listZones",
//!     "description":"Lists zones","isasync":false,
//!     "params":[{"name":"id","type":"uuid","required":false}],
//!     "response":[{"name":"id","type":"string"},{}]}]}}"#;
//! let apis = ApiList::from_json(doc).unwrap();
//! assert_eq!(apis.api[0].name, "listZones");
//! assert_eq!(apis.api[0].params[0].kind, "uuid");
//! assert!(apis.api[0].response[1].is_empty());
//! ```

use serde::{Deserialize, Serialize};

/// A whole `listApis` answer (the inner object of `listapisresponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiList {
    /// Number of APIs, as the server reported it.
    #[serde(default)]
    pub count: usize,
    /// The APIs.
    #[serde(default)]
    pub api: Vec<Api>,
}

/// One API command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Api {
    /// The command name, in CloudStack's camel case (`deployVirtualMachine`).
    pub name: String,
    /// What the command does.
    #[serde(default)]
    pub description: String,
    /// Whether the command answers with a job id.
    #[serde(default)]
    pub isasync: bool,
    /// The CloudStack version that introduced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Related commands, comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<String>,
    /// The request parameters.
    #[serde(default)]
    pub params: Vec<Param>,
    /// The fields of the answer's object.
    #[serde(default)]
    pub response: Vec<ResponseField>,
}

/// One request parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The parameter name, lower case.
    pub name: String,
    /// What the parameter means.
    #[serde(default)]
    pub description: String,
    /// The CloudStack type: `boolean, date, float, double, integer, short,
    /// list, long, object, map, string, uuid, tzdate`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The maximum length of a string value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Whether the call fails without it.
    #[serde(default)]
    pub required: bool,
    /// The CloudStack version that introduced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Commands whose answers give values for it (for ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<String>,
}

/// One field of an answer; nested objects carry their own `response` list.
///
/// Every attribute is optional because real answers contain empty `{}`
/// entries; [`ResponseField::is_empty`] tells those apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseField {
    /// The field name, lower case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the field means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The type: `string, boolean, integer, long, date, list, set, map, ...`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The fields of a nested object or of the items of a nested list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Vec<ResponseField>>,
}

impl ResponseField {
    /// True for the empty `{}` entries real servers put in response lists.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.kind.is_none() && self.response.is_none()
    }
}

/// Why a precache document could not be read.
#[derive(Debug, thiserror::Error)]
#[error("not a listApis document: {0}")]
pub struct SchemaError(#[from] serde_json::Error);

/// A `listApis` answer as the server wraps it.
#[derive(Deserialize)]
struct Wrapped {
    listapisresponse: ApiList,
}

#[derive(Serialize)]
struct WrappedRef<'a> {
    listapisresponse: &'a ApiList,
}

impl ApiList {
    /// Reads a `listApis` answer, wrapped in `listapisresponse` or bare.
    pub fn from_json(text: &str) -> Result<Self, SchemaError> {
        // The wrapped form first, read in one pass (an untagged enum would
        // buffer the whole document before trying each form); a bare list
        // has no `listapisresponse` and is read again as what it is.
        match serde_json::from_str::<Wrapped>(text) {
            Ok(Wrapped { listapisresponse }) => Ok(listapisresponse),
            Err(wrapped) => serde_json::from_str(text).map_err(|bare| {
                if text.trim_start().starts_with("{\"listapisresponse\"") {
                    SchemaError(wrapped)
                } else {
                    SchemaError(bare)
                }
            }),
        }
    }

    /// Finds an API by name, ignoring case (CloudStack dispatches that way).
    pub fn find(&self, name: &str) -> Option<&Api> {
        self.api
            .iter()
            .find(|api| api.name.eq_ignore_ascii_case(name))
    }

    /// Sorts APIs by name, and parameters and response fields by name at every
    /// level, and sets `count`: the stable form `marvin sync` writes so that
    /// diffs between snapshots stay readable.
    pub fn normalize(&mut self) {
        self.api.sort_by(|a, b| a.name.cmp(&b.name));
        for api in &mut self.api {
            api.params.sort_by(|a, b| a.name.cmp(&b.name));
            sort_fields(&mut api.response);
        }
        self.count = self.api.len();
    }

    /// Writes the document the way CloudStack answers it, wrapped in
    /// `listapisresponse`, pretty-printed with a final newline.
    pub fn to_pretty_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&WrappedRef {
            listapisresponse: self,
        })
        .expect("the schema model always serialises");
        text.push('\n');
        text
    }
}

fn sort_fields(fields: &mut Vec<ResponseField>) {
    fields.retain(|field| !field.is_empty());
    fields.sort_by(|a, b| a.name.cmp(&b.name));
    for field in fields {
        if let Some(nested) = &mut field.response {
            sort_fields(nested);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bare_and_wrapped_documents_alike() {
        let bare = r#"{"count":0,"api":[]}"#;
        let wrapped = r#"{"listapisresponse":{"count":0,"api":[]}}"#;
        assert_eq!(
            ApiList::from_json(bare).unwrap(),
            ApiList::from_json(wrapped).unwrap()
        );
    }

    #[test]
    fn missing_descriptions_and_unknown_keys_are_accepted() {
        let doc = r#"{"api":[{"name":"a","isasync":true,"group":"X",
            "params":[{"name":"p","type":"string","required":true,"sdkrequired":true}],
            "response":[]}]}"#;
        let list = ApiList::from_json(doc).unwrap();
        assert_eq!(list.api[0].description, "");
        assert!(list.api[0].params[0].required);
    }

    #[test]
    fn normalize_sorts_everything_and_drops_empty_entries() {
        let doc = r#"{"api":[
            {"name":"b","params":[{"name":"z","type":"string"},{"name":"a","type":"string"}],
             "response":[{"name":"y","type":"list","response":[{"name":"q"},{},{"name":"c"}]},{},{"name":"x"}]},
            {"name":"a"}]}"#;
        let mut list = ApiList::from_json(doc).unwrap();
        list.normalize();
        assert_eq!(list.count, 2);
        assert_eq!(list.api[0].name, "a");
        let b = &list.api[1];
        assert_eq!(b.params[0].name, "a");
        let names: Vec<_> = b.response.iter().map(|f| f.name.clone().unwrap()).collect();
        assert_eq!(names, ["x", "y"]);
        let nested: Vec<_> = b.response[1]
            .response
            .as_ref()
            .unwrap()
            .iter()
            .map(|f| f.name.clone().unwrap())
            .collect();
        assert_eq!(nested, ["c", "q"]);
    }

    #[test]
    fn pretty_output_reads_back_identically() {
        let mut list =
            ApiList::from_json(r#"{"api":[{"name":"listZones","isasync":false}]}"#).unwrap();
        list.normalize();
        let text = list.to_pretty_json();
        assert!(text.starts_with("{\n  \"listapisresponse\""));
        assert_eq!(ApiList::from_json(&text).unwrap(), list);
    }
}
