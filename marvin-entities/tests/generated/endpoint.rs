//! A tiny HTTP endpoint on 127.0.0.1 that answers CloudStack commands with
//! canned JSON and records what it received.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// The parameters of one received request.
pub type Received = BTreeMap<String, String>;

/// A running endpoint.
pub struct Endpoint {
    /// `http://127.0.0.1:PORT/client/api`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(query: &str, into: &mut Received) {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        into.insert(decode(k), decode(v));
    }
}

impl Endpoint {
    /// Starts answering: `answer` maps the received parameters to the body.
    pub fn start(answer: fn(&Received) -> String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!(
            "http://{}/client/api",
            listener.local_addr().expect("address")
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut params = Received::new();
                if let Some((_, query)) = target.split_once('?') {
                    parse_query(query, &mut params);
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_ok() {
                    parse_query(&String::from_utf8_lossy(&body), &mut params);
                }
                let reply = answer(&params);
                log.lock().expect("log").push(params);
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{reply}",
                    reply.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        Self { url, received }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }

    /// The requests of one command.
    pub fn calls(&self, command: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.get("command").map(String::as_str) == Some(command))
            .collect()
    }
}
