//! Envelope decoding against the real sample bodies of
//! `testdata/cloudstack/responses`.

use std::path::PathBuf;

use marvin_core::envelope::{
    self, JobState, decode_body, entity_key, job_status, list_page, single_entity, success,
};
use serde_json::{Value, json};

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/cloudstack/responses")
}

/// Every `(file, command, envelope)` of the corpus.
fn all_samples() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(samples_dir())
        .expect("the recorded sample bodies")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (command, envelope) in doc.as_object().unwrap() {
            out.push((name.clone(), command.clone(), envelope.clone()));
        }
    }
    out
}

fn decode(command: &str, envelope: &Value) -> Value {
    decode_body(
        command,
        200,
        envelope.to_string().as_bytes(),
        &[] as &[&str],
    )
    .unwrap_or_else(|e| panic!("{command}: {e}"))
}

#[test]
fn every_sample_body_decodes_to_its_inner_object() {
    let samples = all_samples();
    assert!(samples.len() > 90, "{}", samples.len());
    let (mut lists, mut singles, mut jobs, mut successes) = (0, 0, 0, 0);
    for (file, command, envelope) in &samples {
        let inner = decode(command, envelope);
        let expected = envelope.as_object().unwrap().values().next().unwrap();
        assert_eq!(&inner, expected, "{file} {command}");

        if inner.get("jobstatus").is_some() {
            // Stored as the final queryAsyncJobResult answer of the command.
            let status = job_status(command, &inner).unwrap();
            match status.state {
                JobState::Succeeded => assert!(status.result.is_some(), "{command}"),
                other => panic!("{command}: {other:?}"),
            }
            jobs += 1;
        } else if inner.get("count").is_some() {
            let page = list_page(command, &inner).unwrap();
            assert_eq!(
                page.count,
                Some(page.items.len() as u64),
                "{file} {command}"
            );
            assert!(page.key.is_some());
            lists += 1;
        } else if let Some(ok) = success(&inner) {
            assert!(ok, "{command}");
            successes += 1;
        } else if let Some(entity) = single_entity(&inner).filter(|e| e.is_object()) {
            assert!(entity_key(&inner).is_some());
            assert!(!entity.as_object().unwrap().is_empty(), "{file} {command}");
            singles += 1;
        } else {
            // Unwrapped answers: the login data, and logout's
            // {"description": "success"}.
            assert!(
                ["login", "logout"].contains(&command.as_str()),
                "{file} {command}"
            );
        }
    }
    assert!(
        lists >= 25 && singles >= 20 && jobs >= 40 && successes >= 8,
        "{lists} {singles} {jobs} {successes}"
    );
}

#[test]
fn odd_envelope_keys_are_found() {
    let samples = all_samples();
    let find = |command: &str| {
        samples
            .iter()
            .find(|(_, c, _)| c == command)
            .map(|(_, _, e)| e.clone())
            .unwrap()
    };
    // listvpcresponse (not listvpcsresponse), disableResponse, a mixed-case
    // key, and a sample stored without the `response` suffix.
    for command in [
        "listVPCs",
        "disableUser",
        "resetSSHKeyForVirtualMachine",
        "listVirtualMachines",
    ] {
        let envelope = find(command);
        let (key, _) = envelope::find_response(command, &envelope).unwrap();
        assert_eq!(key, envelope.as_object().unwrap().keys().next().unwrap());
    }
    let vms = decode("listVirtualMachines", &find("listVirtualMachines"));
    assert_eq!(
        list_page("listVirtualMachines", &vms)
            .unwrap()
            .key
            .as_deref(),
        Some("virtualmachine")
    );
}

#[test]
fn login_answers_are_unwrapped_and_their_session_key_is_redacted_in_snippets() {
    let envelope = all_samples()
        .into_iter()
        .find(|(_, c, _)| c == "login")
        .unwrap()
        .2;
    let inner = decode("login", &envelope);
    assert_eq!(inner["username"], "admin");
    assert_eq!(inner["sessionkey"], "umn5ciBuEdorc784g4pJr-U5POM");
    let snippet = envelope::snippet(envelope.to_string().as_bytes(), &[] as &[&str]);
    assert!(
        !snippet.contains("umn5ciBuEdorc784g4pJr-U5POM"),
        "{snippet}"
    );
}

#[test]
fn user_keys_never_appear_in_decode_errors() {
    let envelope = json!({"getuserkeysresponse": {"userkeys": {"apikey": "a-key-123", "secretkey": "s-key-456"}}});
    // Decoded as another command with a broken shape: an error that shows a snippet.
    let err = decode_body(
        "getUserKeys",
        500,
        envelope.to_string().as_bytes(),
        &[] as &[&str],
    )
    .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("s-key-456") && !text.contains("a-key-123"),
        "{text}"
    );
    assert_eq!(err.status(), Some(500));
}

#[test]
fn a_bare_document_is_no_envelope_and_its_snippet_stays_short() {
    // The stored 4.18 listApis answer is not wrapped in listapisresponse.
    let path = samples_dir().join("../listApis-4.18.json");
    let text = std::fs::read_to_string(path).unwrap();
    let err = decode_body("listApis", 200, text.as_bytes(), &[] as &[&str]).unwrap_err();
    assert!(matches!(err, marvin_core::Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().len() < 400, "{}", err.to_string().len());
    assert!(err.to_string().contains("no listapisresponse key"), "{err}");
}

#[test]
fn every_sample_as_written_decodes_the_same_as_a_value_and_typed() {
    // The bodies as stored (CloudStack's key order and spacing), not
    // re-serialized: the one-pass decoders must find the same answer.
    use serde_json::value::RawValue;
    let mut files: Vec<_> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: std::collections::BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(&text).unwrap();
        for (command, raw) in doc {
            let body = raw.get().as_bytes();
            let tree: Value = serde_json::from_slice(body).unwrap();
            let expected = tree.as_object().unwrap().values().next().unwrap();
            let value = decode_body(&command, 200, body, &[] as &[&str]).unwrap();
            assert_eq!(&value, expected, "{command}");
            let typed: std::collections::BTreeMap<String, Value> =
                envelope::decode_body_as(&command, 200, body, &[] as &[&str]).unwrap();
            assert_eq!(serde_json::to_value(typed).unwrap(), *expected, "{command}");
            checked += 1;
        }
    }
    assert!(checked > 90, "{checked}");
}
