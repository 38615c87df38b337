//! Bad input: random and malformed requests over every API of the precache.
//!
//! Each request is a plausible call of a random API (required parameters
//! and a few optional ones, with values of the right type, ids taken from
//! the simulator's own objects half of the time) with one mutation applied.
//! The mutation decides what the answer must be: a given code (431 for a
//! missing or mistyped parameter, 430 for an undecodable request or a
//! parameter name CloudStack's dispatcher cannot unpack, 401 for
//! any signature problem, 432 for unknown commands without keys or for
//! non-JSON requests, 405 for other methods) or, for requests that may
//! legitimately succeed or fail in the handler, any CloudStack-shaped
//! answer. Every answer must be CloudStack-shaped (see
//! [`support::check_shape`]), no server thread may panic, and no answer may
//! be a 500 or say that the server broke.
//!
//! Size: 20,000 requests (`MARVIN_TORTURE_SCALE` multiplies it).

use marvin_entities::api;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::catalog::{ApiSpec, Catalog, ParamKind, ParamSpec};
use marvin_simulator::{Simulator, SimulatorConfig};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::support::{self, RawError, RawHttp, check_shape};

/// Requests per CI run.
const REQUESTS: usize = 20_000;
/// Concurrent senders.
const WORKERS: usize = 8;
/// The fault APIs can make later calls hang or fail on purpose: they get
/// only the mutations that fail before any handler runs.
const FAULT_APIS: &[&str] = &[
    "configureSimulatorFault",
    "listSimulatorFaults",
    "deleteSimulatorFault",
];

/// What the answer to a request must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Exactly this status (and `errorcode`).
    Code(u16),
    /// Any CloudStack-shaped answer.
    Shaped,
    /// Any CloudStack-shaped answer but a 401: the request is correctly
    /// signed however it was split or encoded.
    Authenticated,
    /// A request line HTTP itself refuses (raw spaces, control or non-ASCII
    /// bytes, `"<>{}|`): hyper answers a bare 400 before the simulator sees
    /// it (docs/reliability.md); a CloudStack-shaped answer is fine too.
    HttpLayer400,
}

/// Which listener and which identity a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// The API port with the admin's keys.
    Keys,
    /// The unauthenticated integration port.
    Integration,
    /// The API port with the admin's session.
    Session,
}

/// One request to send.
#[derive(Debug)]
struct Case {
    label: &'static str,
    via: Via,
    method: &'static str,
    target: Vec<u8>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    command: Option<String>,
    expect: Expect,
}

/// What the generator knows about the simulator.
struct World {
    catalog: &'static Catalog,
    names: Vec<String>,
    api_key: String,
    secret_key: String,
    username: String,
    password: String,
    session: (String, String),
    ids: Vec<String>,
    addr: SocketAddr,
    integration: SocketAddr,
}

const WORDS: &[&str] = &[
    "alpha",
    "bravo",
    "featured",
    "self",
    "all",
    "Running",
    "Stopped",
    "Simulator",
    "KVM",
    "Advanced",
    "Basic",
    "Shared",
    "Isolated",
    "user",
    "x",
    "ünïcødé",
    "日本語",
    "a b",
    "a+b",
    "a&b=c",
    "%",
    "'; DROP TABLE accounts; --",
    "\"quoted\"",
    "<xml/>",
    "nul\u{0}byte",
    "-1",
    "0",
    "true",
];

fn word(rng: &mut StdRng) -> String {
    let mut word = (*WORDS.choose(rng).expect("words")).to_owned();
    if rng.random_bool(0.5) {
        write!(word, "{}", rng.random_range(0..100_000)).expect("a string");
    }
    word
}

fn uuid(rng: &mut StdRng) -> String {
    let bytes: [u8; 16] = rng.random();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A value of the right type for a parameter.
fn plausible(rng: &mut StdRng, world: &World, param: &ParamSpec) -> String {
    let id = |rng: &mut StdRng| {
        if rng.random_bool(0.6) {
            world.ids.choose(rng).cloned().unwrap_or_else(|| uuid(rng))
        } else {
            uuid(rng)
        }
    };
    match param.kind {
        ParamKind::Uuid => id(rng),
        ParamKind::Boolean => ["true", "false", "TRUE", "yes"]
            .choose(rng)
            .expect("bools")
            .to_string(),
        ParamKind::Short | ParamKind::Integer | ParamKind::Long => {
            if param.name == "page" {
                rng.random_range(1..4).to_string()
            } else if param.name == "pagesize" {
                ["1", "10", "500", "-1"]
                    .choose(rng)
                    .expect("sizes")
                    .to_string()
            } else {
                rng.random_range(-1..200).to_string()
            }
        }
        ParamKind::Float => format!("{:.2}", rng.random_range(0.0..100.0)),
        ParamKind::Date | ParamKind::TzDate => ["2024-01-01", "2024-01-01 10:00:00"]
            .choose(rng)
            .expect("dates")
            .to_string(),
        ParamKind::List => (0..rng.random_range(1..4))
            .map(|_| {
                if rng.random_bool(0.5) {
                    id(rng)
                } else {
                    word(rng)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        ParamKind::Map | ParamKind::Other => word(rng),
        ParamKind::String => {
            let value = if param.name.contains("email") {
                format!("{}@example.com", word(rng).replace(' ', ""))
            } else {
                word(rng)
            };
            match param.length {
                Some(max) if value.encode_utf16().count() > max as usize => {
                    value.chars().take(max as usize).collect()
                }
                _ => value,
            }
        }
    }
}

/// Parameters of a plausible call: the required ones and a few optional
/// ones. Map parameters become `name[i].field=value` entries.
fn plausible_params(rng: &mut StdRng, world: &World, spec: &ApiSpec) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for param in &spec.params {
        if param.name == "page" || param.name == "pagesize" {
            continue;
        }
        if !param.required && !rng.random_bool(0.12) {
            continue;
        }
        if param.kind == ParamKind::Map {
            for index in 0..rng.random_range(1..3) {
                for field in ["key", "value"] {
                    pairs.push((format!("{}[{index}].{field}", param.name), word(rng)));
                }
            }
        } else {
            pairs.push((param.name.clone(), plausible(rng, world, param)));
        }
    }
    if spec.paged && rng.random_bool(0.2) {
        pairs.push(("page".into(), rng.random_range(1..3).to_string()));
        pairs.push(("pagesize".into(), rng.random_range(1..50).to_string()));
    }
    pairs
}

/// A value that fails the type check of `kind`.
fn mistyped(rng: &mut StdRng, kind: ParamKind) -> Option<String> {
    let bad: &[&str] = match kind {
        ParamKind::Short => &["abc", "1.5", "40000", "0x10", "1e3", "--1"],
        ParamKind::Integer => &["abc", "1.5", "3000000000", "0x10", "１２", "2_000"],
        ParamKind::Long => &["abc", "1.5", "99999999999999999999", "0x10", "NaN"],
        ParamKind::Float => &["abc", "NaN", "inf", "1,5", "--2"],
        ParamKind::Uuid => &[
            "not-a-uuid",
            "12345",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5b-d9cb-469f-a165-70867728950ez",
            "0f8fad5bd9cb469fa16570867728950e0000",
            "' OR 1=1 --",
        ],
        ParamKind::Date | ParamKind::TzDate => &["yesterday", "2024-13-45", "01/02/2024", "2024"],
        _ => return None,
    };
    Some((*bad.choose(rng).expect("values")).to_owned())
}

/// The pairs of a signed request: caller's, then command, response, apiKey
/// (and v3 fields when asked), in the order a client sends them.
fn with_auth(
    world: &World,
    command: &str,
    pairs: &[(String, String)],
    v3: bool,
) -> Vec<(String, String)> {
    let mut all = pairs.to_vec();
    all.push(("command".into(), command.into()));
    all.push(("response".into(), "json".into()));
    all.push(("apiKey".into(), world.api_key.clone()));
    if v3 {
        all.push(("signatureVersion".into(), "3".into()));
        all.push((
            "expires".into(),
            support::expires(time::Duration::minutes(10)),
        ));
    }
    all
}

fn signature(world: &World, pairs: &[(String, String)]) -> String {
    sign(
        pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        &world.secret_key,
    )
}

fn query_of(pairs: &[(String, String)]) -> String {
    support::encode_pairs(pairs)
}

fn target(query: &str) -> Vec<u8> {
    format!("/client/api?{query}").into_bytes()
}

/// A request carrying `pairs` plus command and authentication for `via`,
/// as GET (POST for login, or when long).
fn request(
    world: &World,
    rng: &mut StdRng,
    via: Via,
    command: &str,
    pairs: &[(String, String)],
    label: &'static str,
    expect: Expect,
) -> Case {
    let post = command.eq_ignore_ascii_case("login")
        || pairs.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>() > 1500;
    let query = match via {
        Via::Keys => {
            let all = with_auth(world, command, pairs, rng.random_bool(0.5));
            let signature = signature(world, &all);
            format!(
                "{}&signature={}",
                query_of(&all),
                java_url_encode(&signature)
            )
        }
        Via::Integration => {
            let mut all = pairs.to_vec();
            all.push(("command".into(), command.into()));
            all.push(("response".into(), "json".into()));
            query_of(&all)
        }
        Via::Session => {
            let mut all = pairs.to_vec();
            all.push(("command".into(), command.into()));
            all.push(("response".into(), "json".into()));
            all.push(("sessionkey".into(), world.session.1.clone()));
            query_of(&all)
        }
    };
    let (target, body) = if post {
        (b"/client/api".to_vec(), query.into_bytes())
    } else {
        (self::target(&query), Vec::new())
    };
    Case {
        label,
        via,
        method: if post { "POST" } else { "GET" },
        target,
        content_type: post.then_some("application/x-www-form-urlencoded"),
        body,
        command: Some(command.to_owned()),
        expect,
    }
}

/// One random case.
fn case(rng: &mut StdRng, world: &World) -> Case {
    let name = world.names.choose(rng).expect("APIs").clone();
    let spec = world.catalog.spec(&name).expect("a spec");
    let authenticator = name == "login" || name == "logout";
    let fault_api = FAULT_APIS.contains(&name.as_str());
    let mut pairs = plausible_params(rng, world, spec);
    let via = match rng.random_range(0..20) {
        0 | 1 => Via::Integration,
        2 => Via::Session,
        _ => Via::Keys,
    };
    let via = if authenticator { Via::Keys } else { via };
    let roll = rng.random_range(0..100);
    match roll {
        // A plausible call: the handler decides.
        0..=13 if !fault_api => request(
            world,
            rng,
            via,
            &name,
            &pairs,
            "plausible",
            Expect::Authenticated,
        ),
        // A required parameter missing (empty counts as missing).
        0..=23 => {
            let required: Vec<&ParamSpec> = spec.params.iter().filter(|p| p.required).collect();
            match required.choose(rng) {
                Some(param) => {
                    pairs.retain(|(n, _)| {
                        n != &param.name && !n.starts_with(&format!("{}[", param.name))
                    });
                    if rng.random_bool(0.3) {
                        pairs.push((param.name.clone(), String::new()));
                    }
                    request(
                        world,
                        rng,
                        via,
                        &name,
                        &pairs,
                        "missing required",
                        Expect::Code(431),
                    )
                }
                None => unknown_command(world, rng),
            }
        }
        // A value of the wrong type.
        24..=35 => {
            let typed: Vec<&ParamSpec> = spec
                .params
                .iter()
                .filter(|p| mistyped(rng, p.kind).is_some())
                .collect();
            match typed.choose(rng) {
                Some(param) if !authenticator => {
                    let value = mistyped(rng, param.kind).expect("typed");
                    pairs.retain(|(n, _)| n != &param.name);
                    pairs.push((param.name.clone(), value));
                    request(
                        world,
                        rng,
                        via,
                        &name,
                        &pairs,
                        "wrong type",
                        Expect::Code(431),
                    )
                }
                _ => bad_signature(world, rng, &name, &pairs),
            }
        }
        // A string longer than its length.
        36..=41 => {
            let bounded: Vec<&ParamSpec> = spec
                .params
                .iter()
                .filter(|p| p.kind == ParamKind::String && p.length.is_some_and(|l| l < 100_000))
                .collect();
            match bounded.choose(rng) {
                Some(param) if !authenticator => {
                    let max = param.length.expect("bounded") as usize;
                    let unit = ["a", "é", "日", "😀"].choose(rng).expect("units");
                    let per = unit.encode_utf16().count();
                    let value = unit.repeat(max / per + rng.random_range(1..50));
                    pairs.retain(|(n, _)| n != &param.name);
                    pairs.push((param.name.clone(), value));
                    request(
                        world,
                        rng,
                        via,
                        &name,
                        &pairs,
                        "too long",
                        Expect::Code(431),
                    )
                }
                _ => bad_signature(world, rng, &name, &pairs),
            }
        }
        // Huge values anywhere (POST body), and many parameters.
        42..=43 => {
            if rng.random_bool(0.5) {
                let size = rng.random_range(20_000..1_000_000);
                push_new(&mut pairs, word(rng).replace(' ', ""), "x".repeat(size));
            } else {
                for i in 0..rng.random_range(200..2000) {
                    pairs.push((format!("extra{i}"), word(rng)));
                }
            }
            let expect = if fault_api {
                Expect::Shaped
            } else {
                Expect::Authenticated
            };
            let mut case = request(world, rng, via, &name, &pairs, "huge", expect);
            if fault_api {
                // Keep the fault APIs away from their handlers.
                case = with_bad_map(case, rng);
            }
            case
        }
        // Unknown extra parameters.
        44..=50 if !fault_api => {
            for _ in 0..rng.random_range(1..6) {
                let name = format!(
                    "{}{}",
                    word(rng).replace([' ', '[', ']'], ""),
                    rng.random_range(0..99)
                );
                let value = word(rng);
                push_new(&mut pairs, name, value);
            }
            request(
                world,
                rng,
                via,
                &name,
                &pairs,
                "extra params",
                Expect::Authenticated,
            )
        }
        // Map parameters with bad indexes.
        44..=56 => {
            let base = spec
                .params
                .iter()
                .filter(|p| p.kind == ParamKind::Map)
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .choose(rng)
                .cloned()
                .unwrap_or_else(|| "tags".into());
            // Names CloudStack's `ParamUnpackWorker` refuses with 430; `[-1]`,
            // `[0].` and a leading `[0].key` it accepts, so they are not here.
            let bad = [
                format!("{base}[x].key"),
                format!("{base}[0]key"),
                format!("{base}[].key"),
                format!("{base}[0][1].key"),
                format!("{base}[0"),
                format!("{base}[1.5].key"),
                format!("{base}[0].a]b"),
                format!("{base}[4294967296].key"),
                format!("{base}[2147483648].key"),
                format!("{base}[ 1].key"),
                format!("{base}[0x1].key"),
                format!("{base}[+-1].key"),
            ];
            pairs.push((bad.choose(rng).expect("names").clone(), word(rng)));
            request(
                world,
                rng,
                via,
                &name,
                &pairs,
                "bad map index",
                // login and logout bypass the dispatcher: their handler answers.
                if authenticator {
                    Expect::Shaped
                } else {
                    Expect::Code(430)
                },
            )
        }
        // Broken percent-encodings, in the query or the form body.
        57..=62 => broken_encoding(world, rng, &name, &pairs, false),
        // Bad UTF-8, percent-encoded or raw in a form body.
        63..=68 => broken_encoding(world, rng, &name, &pairs, true),
        // Signature problems.
        69..=77 => bad_signature(world, rng, &name, &pairs),
        // Unknown commands.
        78..=81 => unknown_command(world, rng),
        // XML and other non-JSON requests.
        82..=84 => xml(world, rng, &name, &pairs, fault_api),
        // The same signed parameters split between query and body.
        85..=89 if !fault_api && !authenticator => mixed(world, rng, &name, &pairs),
        // Other HTTP methods, login over GET, no command, other paths.
        85..=92 => odd_request(world, rng, &name, &pairs),
        // Bytes HTTP does not allow in a request line.
        93..=94 => raw_bytes(world, rng, &name, &pairs),
        // Random bytes as a query.
        _ => garbage(rng),
    }
}

/// Adds a parameter unless its exact name is already there: a client that
/// sends a name twice must sign it once, with the value the server reads,
/// which is not what these cases are about.
fn push_new(pairs: &mut Vec<(String, String)>, name: String, value: String) {
    if !pairs.iter().any(|(n, _)| *n == name) {
        pairs.push((name, value));
    }
}

fn raw_bytes(world: &World, rng: &mut StdRng, name: &str, pairs: &[(String, String)]) -> Case {
    let mut case = request(
        world,
        rng,
        Via::Keys,
        name,
        pairs,
        "raw bytes in the request line",
        Expect::HttpLayer400,
    );
    let bad: &[u8] = [
        &b"\xff\xfe"[..],
        b"a b",
        b"\x01",
        b"\"",
        b"<",
        b"{}",
        b"|",
        b"\x7f",
        b"\xc3\xa9",
    ]
    .choose(rng)
    .expect("bytes");
    let mut target = b"/client/api?value=".to_vec();
    target.extend_from_slice(bad);
    target.push(b'&');
    if case.method == "POST" {
        target.extend_from_slice(&case.body);
        case.body.clear();
        case.method = "GET";
        case.content_type = None;
    } else {
        target.extend_from_slice(&case.target["/client/api?".len()..]);
    }
    case.target = target;
    case
}

/// Makes a case fail generic validation (a bad map name) before any handler.
fn with_bad_map(mut case: Case, _rng: &mut StdRng) -> Case {
    let extra = b"&zz[q].x=1";
    if case.method == "POST" {
        // The form body is not part of this case's signature check order:
        // a bad map name is refused after authentication only if signed, so
        // re-sign is not possible here; the answer is any shaped one.
        case.body.extend_from_slice(extra);
    } else {
        case.target.extend_from_slice(extra);
    }
    case.expect = Expect::Shaped;
    case
}

fn bad_signature(world: &World, rng: &mut StdRng, name: &str, pairs: &[(String, String)]) -> Case {
    let v3 = rng.random_bool(0.5);
    let mut all = with_auth(world, name, pairs, v3);
    let signature = signature(world, &all);
    let label = match rng.random_range(0..8) {
        0 => {
            // One character of the signature changed.
            let mut bytes = signature.into_bytes();
            let at = rng.random_range(0..bytes.len() - 1);
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            all.push(("signature".into(), String::from_utf8(bytes).expect("ascii")));
            "tampered signature"
        }
        1 => "no signature",
        2 => {
            all.retain(|(n, _)| n != "apiKey");
            "no keys"
        }
        3 => {
            for pair in &mut all {
                if pair.0 == "apiKey" {
                    pair.1 = uuid(rng);
                }
            }
            let signature = sign(
                all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                &world.secret_key,
            );
            all.push(("signature".into(), signature));
            "unknown api key"
        }
        4 => {
            let signature = sign(
                all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                "not-the-secret",
            );
            all.push(("signature".into(), signature));
            "wrong secret"
        }
        5 => {
            all.push(("signature".into(), signature));
            all.push(("addedafter".into(), word(rng)));
            "parameter added after signing"
        }
        6 => {
            // v3 with an expiry in the past, unparsable, or missing.
            all.retain(|(n, _)| n != "signatureVersion" && n != "expires");
            all.push(("signatureVersion".into(), "3".into()));
            match rng.random_range(0..3) {
                0 => all.push((
                    "expires".into(),
                    support::expires(-time::Duration::minutes(rng.random_range(1..10_000))),
                )),
                1 => all.push(("expires".into(), word(rng))),
                _ => {}
            }
            let signature = sign(
                all.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                &world.secret_key,
            );
            all.push(("signature".into(), signature));
            "expired or bad expires"
        }
        _ => {
            all.push(("signature".into(), word(rng)));
            "garbage signature"
        }
    };
    let query = query_of(&all);
    let post = rng.random_bool(0.3);
    let (target, body) = if post {
        (b"/client/api".to_vec(), query.into_bytes())
    } else {
        (target(&query), Vec::new())
    };
    // login and logout need no signature: for them the answer is the
    // handler's (or a 405 for a login over GET).
    let authenticator = name == "login" || name == "logout";
    Case {
        label,
        via: Via::Keys,
        method: if post { "POST" } else { "GET" },
        target,
        content_type: post.then_some("application/x-www-form-urlencoded"),
        body,
        command: Some(name.to_owned()),
        expect: if authenticator {
            Expect::Shaped
        } else {
            Expect::Code(401)
        },
    }
}

fn unknown_command(world: &World, rng: &mut StdRng) -> Case {
    let name = format!(
        "{}Thing{}",
        ["list", "create", "delete", "frob"]
            .choose(rng)
            .expect("verbs"),
        rng.random_range(0..1000)
    );
    let via = [Via::Keys, Via::Integration, Via::Session]
        .choose(rng)
        .copied()
        .expect("vias");
    let pairs = vec![("id".to_owned(), uuid(rng))];
    // With keys, an unknown command is a 401 (CloudStack checks the key
    // against the command first); without keys, a 432.
    let expect = if via == Via::Keys { 401 } else { 432 };
    request(
        world,
        rng,
        via,
        &name,
        &pairs,
        "unknown command",
        Expect::Code(expect),
    )
}

fn xml(
    world: &World,
    rng: &mut StdRng,
    name: &str,
    pairs: &[(String, String)],
    fault_api: bool,
) -> Case {
    if rng.random_bool(0.6) || fault_api {
        // response=xml, or no response at all (CloudStack would answer XML).
        let mut all = pairs.to_vec();
        all.push(("command".into(), name.into()));
        if rng.random_bool(0.5) {
            all.push(("response".into(), "xml".into()));
        }
        all.push(("apiKey".into(), world.api_key.clone()));
        let signature = signature(world, &all);
        let query = format!(
            "{}&signature={}",
            query_of(&all),
            java_url_encode(&signature)
        );
        return Case {
            label: "xml response",
            via: Via::Keys,
            method: "GET",
            target: target(&query),
            content_type: None,
            body: Vec::new(),
            command: Some(name.to_owned()),
            expect: Expect::Code(432),
        };
    }
    // An XML body: not a form, so it is ignored; the signed query decides.
    let mut case = request(
        world,
        rng,
        Via::Keys,
        name,
        pairs,
        "xml body",
        Expect::Shaped,
    );
    if case.method == "POST" {
        // The parameters are in the form body: move them to the query.
        let mut target = b"/client/api?".to_vec();
        target.extend_from_slice(&case.body);
        case.target = target;
    }
    case.method = "POST";
    case.content_type = Some("application/xml");
    case.body = format!(
        "<?xml version=\"1.0\"?><request><command>{name}</command><id>{}</id></request>",
        uuid(rng)
    )
    .into_bytes();
    let login = name.eq_ignore_ascii_case("login");
    case.expect = if login {
        Expect::Shaped
    } else {
        Expect::Authenticated
    };
    case
}

/// Signed parameters split between the query string and the form body.
fn mixed(world: &World, rng: &mut StdRng, name: &str, pairs: &[(String, String)]) -> Case {
    let mut all = with_auth(world, name, pairs, rng.random_bool(0.5));
    let signature = signature(world, &all);
    all.push(("signature".into(), signature));
    let (mut query, mut body) = (Vec::new(), Vec::new());
    for pair in all {
        if rng.random_bool(0.5) {
            query.push(pair);
        } else {
            body.push(pair);
        }
    }
    let mut target = b"/client/api".to_vec();
    if !query.is_empty() {
        target.push(b'?');
        target.extend_from_slice(query_of(&query).as_bytes());
    }
    Case {
        label: "GET/POST mix",
        via: Via::Keys,
        method: "POST",
        target,
        content_type: Some(if rng.random_bool(0.5) {
            "application/x-www-form-urlencoded"
        } else {
            "application/x-www-form-urlencoded; charset=UTF-8"
        }),
        body: query_of(&body).into_bytes(),
        command: Some(name.to_owned()),
        expect: Expect::Authenticated,
    }
}

fn broken_encoding(
    world: &World,
    rng: &mut StdRng,
    name: &str,
    pairs: &[(String, String)],
    utf8: bool,
) -> Case {
    let mut case = request(world, rng, Via::Keys, name, pairs, "", Expect::Code(430));
    let bad: &[u8] = if utf8 {
        [
            &b"%FF"[..],
            b"%C3%28",
            b"%E2%82",
            b"%ED%A0%80",
            b"%F0%28%8C%BC",
            b"%C0%AF",
        ]
        .choose(rng)
        .expect("bad utf-8")
    } else {
        [&b"%zz"[..], b"%4", b"%", b"%%", b"%G1", b"%-1"]
            .choose(rng)
            .expect("bad escapes")
    };
    let in_name = rng.random_bool(0.3);
    let mut segment = Vec::new();
    if in_name {
        segment.extend_from_slice(b"na");
        segment.extend_from_slice(bad);
        segment.extend_from_slice(b"me=1");
    } else {
        segment.extend_from_slice(b"value=a");
        segment.extend_from_slice(bad);
    }
    case.label = if utf8 {
        "bad utf-8"
    } else {
        "bad percent-encoding"
    };
    if utf8 && rng.random_bool(0.3) {
        // Raw invalid UTF-8 bytes in a form body.
        case.label = "raw bad utf-8 in form body";
        segment = b"value=a\xff\xfeb".to_vec();
        case.method = "POST";
        case.content_type = Some("application/x-www-form-urlencoded");
    }
    if case.method == "POST" {
        case.body.push(b'&');
        case.body.extend_from_slice(&segment);
    } else {
        case.target.push(b'&');
        case.target.extend_from_slice(&segment);
    }
    case
}

fn odd_request(world: &World, rng: &mut StdRng, name: &str, pairs: &[(String, String)]) -> Case {
    match rng.random_range(0..4) {
        0 => {
            let mut case = request(
                world,
                rng,
                Via::Keys,
                name,
                pairs,
                "other method",
                Expect::Code(405),
            );
            case.method = ["PUT", "DELETE", "PATCH", "OPTIONS"]
                .choose(rng)
                .expect("methods");
            case
        }
        1 => {
            let pairs = vec![
                ("username".to_owned(), world.username.clone()),
                ("password".to_owned(), world.password.clone()),
            ];
            let mut case = request(
                world,
                rng,
                Via::Integration,
                "login",
                &pairs,
                "login over GET",
                Expect::Code(405),
            );
            if case.method == "POST" {
                let mut target = b"/client/api?".to_vec();
                target.extend_from_slice(&case.body);
                case.target = target;
                case.body.clear();
            }
            case.method = "GET";
            case.via = Via::Keys;
            case
        }
        2 => {
            let all = vec![
                ("response".to_owned(), "json".to_owned()),
                ("apiKey".to_owned(), world.api_key.clone()),
            ];
            let query = format!(
                "{}&signature={}",
                query_of(&all),
                java_url_encode(&signature(world, &all))
            );
            Case {
                label: "no command",
                via: Via::Keys,
                method: "GET",
                target: target(&query),
                content_type: None,
                body: Vec::new(),
                command: None,
                expect: Expect::Code(400),
            }
        }
        _ => Case {
            label: "other path",
            via: Via::Keys,
            method: "GET",
            // (`/` and `/client` are the readiness answer; `/admin.json`
            // is served only by the keys door; `/client/api/<one segment>`
            // is the API, as CloudStack's servlet maps `/api/*`.)
            target: [
                "/x",
                "/admin.json",
                "/client/api/x/y",
                "/api",
                "/client/api//",
            ]
            .choose(rng)
            .expect("paths")
            .as_bytes()
            .to_vec(),
            content_type: None,
            body: Vec::new(),
            command: None,
            expect: Expect::Code(404),
        },
    }
}

fn garbage(rng: &mut StdRng) -> Case {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789=&%[].+-_~*!$'(),;:@/?";
    let length = rng.random_range(0..300);
    let mut query: Vec<u8> = (0..length)
        .map(|_| *ALPHABET.choose(rng).expect("bytes"))
        .collect();
    if rng.random_bool(0.5) {
        query.extend_from_slice(b"&response=json&command=listZones");
    }
    let mut target = b"/client/api?".to_vec();
    target.extend_from_slice(&query);
    Case {
        label: "garbage query",
        via: Via::Keys,
        method: if rng.random_bool(0.5) { "GET" } else { "POST" },
        target,
        content_type: None,
        body: Vec::new(),
        command: None,
        expect: Expect::Shaped,
    }
}

/// Sends one case; returns the status, or why it failed.
async fn run_case(
    world: &World,
    http: &mut RawHttp,
    integration: &mut RawHttp,
    case: &Case,
) -> Result<(u16, Option<String>), String> {
    let cookie;
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(content_type) = case.content_type {
        headers.push(("Content-Type", content_type));
    }
    if case.via == Via::Session {
        cookie = format!(
            "JSESSIONID={}.node0; sessionkey={}",
            world.session.0, world.session.1
        );
        headers.push(("Cookie", &cookie));
    }
    let client = if case.via == Via::Integration {
        integration
    } else {
        http
    };
    let sent = tokio::time::timeout(
        Duration::from_secs(60),
        client.send(case.method, &case.target, &headers, &case.body),
    )
    .await
    .map_err(|_| "no answer within 60 s".to_owned())?;
    let response = match sent {
        Ok(response)
            if case.expect == Expect::HttpLayer400
                && response.status == 400
                && response.body.is_empty() =>
        {
            return Ok((400, None));
        }
        Ok(response) => response,
        Err(RawError::Closed) => return Err("connection closed without an answer".into()),
        Err(RawError::Io(error)) => return Err(format!("I/O error: {error}")),
    };
    let inner = check_shape(&response, case.command.as_deref())?;
    // 531-537 are ordinary refusals (permission, limits, capacity, in use);
    // other 5xx answers are listed in the summary for a human to judge.
    let server_error =
        (response.status >= 500 && !(531..=537).contains(&response.status)).then(|| {
            format!(
                "{} {}: {}",
                case.command.as_deref().unwrap_or("?"),
                response.status,
                inner["errortext"].as_str().unwrap_or_default()
            )
        });
    match case.expect {
        Expect::Code(code) if response.status != code => Err(format!(
            "expected {code}, got {}: {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        )),
        Expect::Authenticated if response.status == 401 => Err(format!(
            "a correctly signed request was refused: {}",
            String::from_utf8_lossy(&response.body)
        )),
        _ => Ok((response.status, server_error)),
    }
}

/// The ids of the simulator's objects (not the admin's own user, account
/// or the ROOT domain: random calls must not lock the admin out).
fn harvest(sim: &marvin_simulator::RunningSimulator) -> Vec<String> {
    let admin: Value = sim
        .call_as_admin("listUsers", &[("username", sim.admin_username())])
        .expect("the admin user");
    let admin = &admin["user"][0];
    let protected = [
        admin["id"].as_str().unwrap_or_default().to_owned(),
        admin["accountid"].as_str().unwrap_or_default().to_owned(),
        admin["domainid"].as_str().unwrap_or_default().to_owned(),
    ];
    let mut ids = Vec::new();
    let lists: &[(&str, &[(&str, &str)])] = &[
        ("listZones", &[]),
        ("listPods", &[]),
        ("listClusters", &[]),
        ("listHosts", &[]),
        ("listStoragePools", &[]),
        ("listImageStores", &[]),
        ("listPhysicalNetworks", &[]),
        ("listServiceOfferings", &[]),
        ("listDiskOfferings", &[]),
        ("listNetworkOfferings", &[]),
        ("listTemplates", &[("templatefilter", "all")]),
        ("listOsTypes", &[]),
        ("listDomains", &[("listall", "true")]),
        ("listAccounts", &[("listall", "true")]),
        ("listUsers", &[("listall", "true")]),
        ("listVirtualMachines", &[("listall", "true")]),
        ("listVolumes", &[("listall", "true")]),
        ("listRoles", &[]),
        ("listVlanIpRanges", &[]),
    ];
    for (command, params) in lists {
        let Ok(Value::Object(answer)) = sim.call_as_admin(command, params) else {
            continue;
        };
        for (key, items) in answer {
            if key == "count" {
                continue;
            }
            for item in items.as_array().into_iter().flatten() {
                if let Some(id) = item["id"].as_str() {
                    if !protected.iter().any(|p| p == id) {
                        ids.push(id.to_owned());
                    }
                }
            }
        }
    }
    ids
}

/// Objects for the random calls to act on: a domain with an account, a VM.
fn populate(sim: &marvin_simulator::RunningSimulator) {
    let domain = sim
        .call_as_admin("createDomain", &[("name", "torture")])
        .expect("a domain");
    let domain_id = domain["domain"]["id"]
        .as_str()
        .expect("a domain id")
        .to_owned();
    sim.call_as_admin(
        "createAccount",
        &[
            ("username", "victim"),
            ("password", "pw-victim"),
            ("firstname", "V"),
            ("lastname", "Ictim"),
            ("email", "victim@example.com"),
            ("accounttype", "0"),
            ("domainid", &domain_id),
        ],
    )
    .expect("an account");
    let first = |command: &str, params: &[(&str, &str)], key: &str| -> Option<String> {
        sim.call_as_admin(command, params).ok()?[key][0]["id"]
            .as_str()
            .map(str::to_owned)
    };
    if let (Some(zone), Some(offering), Some(template)) = (
        first("listZones", &[], "zone"),
        first("listServiceOfferings", &[], "serviceoffering"),
        first(
            "listTemplates",
            &[("templatefilter", "featured")],
            "template",
        ),
    ) {
        let _ = sim.call_as_admin(
            "deployVirtualMachine",
            &[
                ("zoneid", zone.as_str()),
                ("serviceofferingid", offering.as_str()),
                ("templateid", template.as_str()),
                ("name", "torture-vm"),
            ],
        );
    }
}

/// Logs the admin in over HTTP: the session id and key.
async fn login(addr: SocketAddr, username: &str, password: &str) -> (String, String) {
    let mut http = RawHttp::new(addr);
    let body = support::encode_pairs(&[
        ("command".into(), "login".into()),
        ("username".into(), username.into()),
        ("password".into(), password.into()),
        ("response".into(), "json".into()),
    ]);
    let response = http
        .send(
            "POST",
            b"/client/api",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await
        .expect("login answered");
    let inner = check_shape(&response, Some("login")).expect("a login answer");
    assert_eq!(response.status, 200, "login: {inner}");
    let key = inner["sessionkey"]
        .as_str()
        .expect("a session key")
        .to_owned();
    let id = response
        .cookies
        .iter()
        .find_map(|c| c.strip_prefix("JSESSIONID="))
        .and_then(|c| c.split(['.', ';']).next())
        .expect("a JSESSIONID cookie")
        .to_owned();
    (id, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_and_malformed_requests_get_cloudstack_errors() {
    let panics_before = support::panics_so_far();
    let seed = support::seed();
    let total = support::scaled(REQUESTS);
    eprintln!("bad input: {total} requests, seed {seed} (MARVIN_TORTURE_SEED={seed} replays it)");

    let sim = Simulator::start(SimulatorConfig {
        integration_bind: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        job_delay: Duration::from_millis(1),
        ..Default::default()
    })
    .await
    .expect("the simulator starts");
    populate(&sim);
    let integration: SocketAddr = sim
        .integration_url()
        .expect("an integration listener")
        .trim_start_matches("http://")
        .trim_end_matches("/client/api")
        .parse()
        .expect("an address");
    let catalog = Catalog::global().expect("the precache");
    let mut names: Vec<String> = catalog.apis().iter().map(|api| api.name.clone()).collect();
    names.sort();
    let session = login(sim.addr(), sim.admin_username(), sim.admin_password()).await;
    let world = Arc::new(World {
        catalog,
        names,
        api_key: sim.api_key().to_owned(),
        secret_key: sim.secret_key().to_owned(),
        username: sim.admin_username().to_owned(),
        password: sim.admin_password().to_owned(),
        session,
        ids: harvest(&sim),
        addr: sim.addr(),
        integration,
    });

    let tasks: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let world = Arc::clone(&world);
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(seed.wrapping_add(worker as u64));
                let mut http = RawHttp::new(world.addr);
                let mut integration = RawHttp::new(world.integration);
                let mut tally: BTreeMap<(&'static str, u16), usize> = BTreeMap::new();
                let mut failures = Vec::new();
                let mut server_errors = BTreeMap::new();
                let share = total / WORKERS + usize::from(worker < total % WORKERS);
                for _ in 0..share {
                    let case = case(&mut rng, &world);
                    match run_case(&world, &mut http, &mut integration, &case).await {
                        Ok((status, server_error)) => {
                            *tally.entry((case.label, status)).or_default() += 1;
                            if let Some(text) = server_error {
                                *server_errors.entry(text).or_insert(0usize) += 1;
                            }
                        }
                        Err(why) => {
                            *tally.entry((case.label, 0)).or_default() += 1;
                            if failures.len() < 10 {
                                let target = String::from_utf8_lossy(&case.target);
                                let target: String = target.chars().take(300).collect();
                                let body = String::from_utf8_lossy(&case.body);
                                let body: String = body.chars().take(300).collect();
                                failures.push(format!(
                                    "[{}] {} {target} ({:?}, body {body:?}): {}",
                                    case.label,
                                    case.method,
                                    case.via,
                                    why.chars().take(600).collect::<String>()
                                ));
                            }
                        }
                    }
                }
                (tally, failures, server_errors)
            })
        })
        .collect();
    let mut tally: BTreeMap<(&'static str, u16), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut server_errors: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        let (worker_tally, worker_failures, worker_errors) = task.await.expect("a sender");
        for (text, count) in worker_errors {
            *server_errors.entry(text).or_default() += count;
        }
        for (key, count) in worker_tally {
            *tally.entry(key).or_default() += count;
        }
        failures.extend(worker_failures);
    }

    // The admin still works: no random call locked it out.
    let admin = support::client(&sim.url(), sim.api_key(), sim.secret_key());
    admin
        .call(api("listZones"))
        .await
        .unwrap_or_else(|e| panic!("the admin lost access during the run (seed {seed}): {e}"));

    let mut summary = String::new();
    let mut labels: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((label, status), count) in &tally {
        let status = if *status == 0 {
            "FAILED".to_owned()
        } else {
            status.to_string()
        };
        labels
            .entry(label)
            .or_default()
            .push(format!("{status}×{count}"));
    }
    for (label, statuses) in labels {
        writeln!(summary, "  {label}: {}", statuses.join(", ")).expect("a string");
    }
    eprintln!("bad input, answers by mutation and status:\n{summary}");
    if !server_errors.is_empty() {
        eprintln!("530 and other unusual 5xx answers (API errors from handlers):");
        for (text, count) in &server_errors {
            eprintln!("  {count}× {}", text.chars().take(300).collect::<String>());
        }
    }
    let panics = support::server_panics_since(panics_before);
    assert!(
        panics.is_empty(),
        "server threads panicked (seed {seed}):\n{}",
        support::describe(&panics)
    );
    let failed: usize = tally
        .iter()
        .filter(|((_, s), _)| *s == 0)
        .map(|(_, c)| c)
        .sum();
    assert!(
        failures.is_empty(),
        "{failed} of {total} requests got a wrong answer (seed {seed}); first ones:\n{}",
        failures.join("\n")
    );
    sim.shutdown().await;
}
