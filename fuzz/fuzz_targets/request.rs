//! Fuzzes the simulator's request path end to end: the query-string and
//! form-body decoding, the signature verification, the command lookup and
//! the generic validation, through its public face (HTTP on an embedded
//! simulator, started once per fuzzing process).
//!
//! Each input is sent either raw (fuzzed query bytes, made legal in a
//! request target, plus a fuzzed form body) or as a correctly signed call of
//! a real command with fuzzed parameters. Properties: no panic anywhere in
//! the process (libFuzzer's panic hook aborts on any thread, so a handler
//! panic that the engine would have turned into a 530 is still caught);
//! every answer is CloudStack-shaped JSON whose `errorcode` equals the HTTP
//! status; never a 500; a correctly signed request is never a 401.
//!
//! A faster, socket-free target needs a public decoding entry point in
//! marvin-simulator (see docs/reliability.md).

#![no_main]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, OnceLock};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use serde_json::Value;

/// Commands a signed input calls (reads and harmless writes: the fuzzer
/// must not delete the admin or arm faults).
const COMMANDS: &[&str] = &[
    "listZones",
    "listAccounts",
    "listVirtualMachines",
    "listDomains",
    "listTemplates",
    "listServiceOfferings",
    "listApis",
    "createDomain",
    "createTags",
    "updateVirtualMachine",
    "deployVirtualMachine",
    "listAsyncJobs",
    "queryAsyncJobResult",
    "listEvents",
];

struct Target {
    _runtime: tokio::runtime::Runtime,
    _sim: RunningSimulator,
    addr: SocketAddr,
    api_key: String,
    secret_key: String,
    connection: Mutex<Option<BufReader<TcpStream>>>,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let sim = runtime
            .block_on(Simulator::start(SimulatorConfig {
                job_delay: std::time::Duration::ZERO,
                ..Default::default()
            }))
            .expect("the simulator starts");
        Target {
            addr: sim.addr(),
            api_key: sim.api_key().to_owned(),
            secret_key: sim.secret_key().to_owned(),
            _sim: sim,
            _runtime: runtime,
            connection: Mutex::new(None),
        }
    })
}

#[derive(Debug, Arbitrary)]
enum Input {
    Raw {
        post: bool,
        form_content_type: bool,
        query: Vec<u8>,
        body: Vec<u8>,
    },
    Signed {
        command: u8,
        post: bool,
        v3: bool,
        pairs: Vec<(String, String)>,
    },
}

/// Makes fuzzed bytes a legal request target: bytes a URI may carry stay
/// (including `%`, so broken escapes get through), others are escaped.
fn legal_query(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%[]".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends one request on the kept-alive connection; returns status and body.
fn exchange(target: &Target, request: &[u8]) -> (u16, Vec<u8>) {
    let mut slot = target.connection.lock().unwrap_or_else(|e| e.into_inner());
    for attempt in 0..2 {
        if slot.is_none() {
            let stream = TcpStream::connect(target.addr).expect("the simulator listens");
            stream.set_nodelay(true).ok();
            *slot = Some(BufReader::new(stream));
        }
        let reader = slot.as_mut().expect("connected");
        if reader.get_mut().write_all(request).is_err() {
            *slot = None;
            continue;
        }
        match read_response(reader) {
            Some(answer) => return answer,
            None if attempt == 0 => *slot = None,
            None => panic!("the simulator closed the connection without an answer"),
        }
    }
    unreachable!("two attempts")
}

fn read_response(reader: &mut BufReader<TcpStream>) -> Option<(u16, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status: u16 = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((status, body))
}

fn http(method: &str, target_path: &str, form: bool, body: &[u8]) -> Vec<u8> {
    let mut request = format!("{method} {target_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if form {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    if method == "POST" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn check(status: u16, body: &[u8], signed: bool) {
    let text = String::from_utf8_lossy(body);
    assert_ne!(status, 500, "HTTP 500: {text}");
    let Ok(Value::Object(outer)) = serde_json::from_slice::<Value>(body) else {
        panic!("not a JSON object (HTTP {status}): {text}");
    };
    assert_eq!(outer.len(), 1, "one top-level key: {text}");
    let (key, inner) = outer.into_iter().next().expect("one key");
    assert!(key.to_ascii_lowercase().ends_with("response"), "{text}");
    if status != 200 {
        assert_eq!(
            inner["errorcode"].as_u64(),
            Some(u64::from(status)),
            "{text}"
        );
        assert!(inner["errortext"].is_string(), "{text}");
        let text = inner["errortext"].as_str().unwrap_or_default();
        assert!(!text.contains("database is locked"), "{text}");
    }
    if signed {
        assert_ne!(
            status, 401,
            "a correctly signed request was refused: {text}"
        );
    }
}

fuzz_target!(|input: Input| {
    let target = target();
    match input {
        Input::Raw {
            post,
            form_content_type,
            query,
            body,
        } => {
            let path = format!("/client/api?{}", legal_query(&query));
            let (method, body) = if post {
                ("POST", &body[..])
            } else {
                ("GET", &[][..])
            };
            let (status, answer) = exchange(target, &http(method, &path, form_content_type, body));
            check(status, &answer, false);
        }
        Input::Signed {
            command,
            post,
            v3,
            pairs,
        } => {
            let command = COMMANDS[usize::from(command) % COMMANDS.len()];
            // Fuzzed names must not replace the ones that authenticate, and
            // each is sent once: the server signs one value per name.
            let mut seen = std::collections::HashSet::new();
            let mut all: Vec<(String, String)> = pairs
                .into_iter()
                .filter(|(name, _)| {
                    let lower = name.to_ascii_lowercase();
                    !name.is_empty()
                        && seen.insert(name.clone())
                        && ![
                            "command",
                            "response",
                            "apikey",
                            "signature",
                            "signatureversion",
                            "expires",
                            "sessionkey",
                        ]
                        .contains(&lower.as_str())
                })
                .take(32)
                .collect();
            all.push(("command".into(), command.into()));
            all.push(("response".into(), "json".into()));
            all.push(("apiKey".into(), target.api_key.clone()));
            if v3 {
                all.push(("signatureVersion".into(), "3".into()));
                all.push(("expires".into(), "2999-01-01T00:00:00+0000".into()));
            }
            let signature = sign(
                all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                &target.secret_key,
            );
            all.push(("signature".into(), signature));
            let query: String = all
                .iter()
                .map(|(n, v)| format!("{}={}", java_url_encode(n), java_url_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let request = if post {
                http("POST", "/client/api", true, query.as_bytes())
            } else {
                http("GET", &format!("/client/api?{query}"), false, &[])
            };
            let (status, answer) = exchange(target, &request);
            check(status, &answer, true);
        }
    }
});
