//! Fixture files: API calls run at start-up, after the seed (see the crate
//! docs for the format).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::kernel::params::Params;

/// One call of a fixture file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureCall {
    /// The command (`createDomain`).
    pub(crate) command: String,
    /// Its parameters.
    #[serde(default)]
    pub(crate) params: Map<String, Value>,
    /// A name for the result, for `${name.field}` in later calls.
    #[serde(default, rename = "as")]
    pub(crate) name: Option<String>,
}

impl FixtureCall {
    /// The request parameters, with references to earlier results filled in.
    pub(crate) fn params(&self, results: &HashMap<String, Value>) -> Result<Params, String> {
        let mut params = Params::new();
        for (name, value) in &self.params {
            match value {
                Value::Null => {}
                Value::Array(items) if items.iter().all(Value::is_object) => {
                    for (index, item) in items.iter().enumerate() {
                        entries(&mut params, name, index, item, results)?;
                    }
                }
                Value::Array(items) => {
                    let joined = items
                        .iter()
                        .map(|item| scalar(item, results))
                        .collect::<Result<Vec<_>, _>>()?;
                    params.insert(name, joined.join(","));
                }
                Value::Object(_) => entries(&mut params, name, 0, value, results)?,
                other => params.insert(name, scalar(other, results)?),
            }
        }
        Ok(params)
    }
}

fn entries(
    params: &mut Params,
    name: &str,
    index: usize,
    item: &Value,
    results: &HashMap<String, Value>,
) -> Result<(), String> {
    if let Value::Object(fields) = item {
        for (field, value) in fields {
            params.insert(&format!("{name}[{index}].{field}"), scalar(value, results)?);
        }
    }
    Ok(())
}

fn scalar(value: &Value, results: &HashMap<String, Value>) -> Result<String, String> {
    match value {
        Value::String(text) => substitute(text, results),
        Value::Null => Ok(String::new()),
        Value::Bool(_) | Value::Number(_) => Ok(value.to_string()),
        Value::Array(_) | Value::Object(_) => {
            Err(format!("nested value {value} is not supported here"))
        }
    }
}

/// Replaces every `${name.field}` by that field of an earlier named result.
fn substitute(text: &str, results: &HashMap<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed reference in {text:?}"))?;
        let reference = &after[..end];
        let (name, field) = reference
            .split_once('.')
            .ok_or_else(|| format!("reference {reference:?} needs name.field"))?;
        let result = results
            .get(name)
            .ok_or_else(|| format!("no earlier result is named {name:?}"))?;
        let value = result
            .get(field)
            .ok_or_else(|| format!("the result {name:?} has no field {field:?}"))?;
        match value {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The object a call produced: the single entity inside the answer (or the
/// first item of a list answer), else the whole answer.
pub(crate) fn result_object(answer: Value) -> Value {
    if let Value::Object(map) = &answer {
        let entities: Vec<&Value> = map
            .iter()
            .filter(|(k, _)| k.as_str() != "count")
            .map(|(_, v)| v)
            .collect();
        if let [only] = entities.as_slice() {
            match only {
                Value::Object(_) => return (*only).clone(),
                Value::Array(items) if !items.is_empty() => return items[0].clone(),
                _ => {}
            }
        }
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_cover_scalars_lists_maps_and_references() {
        let call: FixtureCall = serde_json::from_value(json!({
            "command": "createThing",
            "as": "thing",
            "params": {
                "name": "a-${zone.name}",
                "zoneid": "${zone.id}",
                "size": 5,
                "flag": true,
                "ids": ["x", "y"],
                "tags": [{"key": "k", "value": "v"}, {"key": "k2", "value": "v2"}],
                "details": {"cpuNumber": 2},
                "skipped": null
            }
        }))
        .unwrap();
        let results = HashMap::from([("zone".to_string(), json!({"id": "z1", "name": "Z"}))]);
        let params = call.params(&results).unwrap();
        assert_eq!(params.get("name"), Some("a-Z"));
        assert_eq!(params.get("zoneid"), Some("z1"));
        assert_eq!(params.get("size"), Some("5"));
        assert_eq!(params.get("flag"), Some("true"));
        assert_eq!(params.get("ids"), Some("x,y"));
        assert_eq!(params.map("tags")[1]["value"], "v2");
        assert_eq!(params.get("details[0].cpunumber"), Some("2"));
        assert_eq!(params.get("skipped"), None);
    }

    #[test]
    fn bad_references_are_reported() {
        let results = HashMap::from([("zone".to_string(), json!({"id": "z1"}))]);
        assert!(
            substitute("${nope.id}", &results)
                .unwrap_err()
                .contains("nope")
        );
        assert!(
            substitute("${zone.name}", &results)
                .unwrap_err()
                .contains("name")
        );
        assert!(
            substitute("${zone", &results)
                .unwrap_err()
                .contains("unclosed")
        );
    }

    #[test]
    fn results_unwrap_the_entity() {
        assert_eq!(
            result_object(json!({"zone": {"id": "z"}})),
            json!({"id": "z"})
        );
        assert_eq!(
            result_object(json!({"count": 1, "zone": [{"id": "z"}]})),
            json!({"id": "z"})
        );
        assert_eq!(
            result_object(json!({"success": true})),
            json!({"success": true})
        );
    }
}
