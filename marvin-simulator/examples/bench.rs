//! Benchmarks of the simulator (not a test): start-up time of the default
//! simulator, and authenticated `listZones` requests per second against a
//! bare axum handler serving the same body, under the same load generator.
//!
//! ```text
//! cargo run --release -p marvin-simulator --example bench -- [--starts 50] [--connections 32] [--seconds 3] [--rounds 3]
//! ```
//!
//! The two servers are loaded in alternation (`--rounds` times each) and the
//! medians compared, so that a burst of other work on the machine does not
//! land on one side only. Results go in `docs/simulator-bench.md`.

mod common;

use std::time::{Duration, Instant};

use axum::http::header::CONTENT_TYPE;
use marvin_core::signing::{java_url_encode, sign};
use marvin_simulator::Simulator;

struct Args {
    starts: usize,
    connections: usize,
    seconds: u64,
    rounds: usize,
}

fn args() -> Args {
    let (mut starts, mut connections, mut seconds, mut rounds) = (50, 32, 3, 3);
    common::read_flags(&mut [
        ("--starts", &mut starts),
        ("--connections", &mut connections),
        ("--seconds", &mut seconds),
        ("--rounds", &mut rounds),
    ]);
    Args {
        starts: starts as usize,
        connections: connections as usize,
        seconds,
        rounds: rounds as usize,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// K tasks sharing one client (K connections), each sending GETs in a loop
/// for `seconds`; returns requests per second.
async fn load(url: &str, connections: usize, seconds: u64) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("a client");
    let url = reqwest::Url::parse(url).expect("a URL");
    // Warm up: open the connections.
    let warm: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                client
                    .get(url)
                    .send()
                    .await
                    .expect("answered")
                    .bytes()
                    .await
                    .expect("a body")
            })
        })
        .collect();
    for task in warm {
        task.await.expect("warm-up");
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let response = client.get(url.clone()).send().await.expect("answered");
                    assert_eq!(response.status(), 200);
                    response.bytes().await.expect("a body");
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("a load task");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args = args();

    let mut starts = Vec::with_capacity(args.starts);
    for _ in 0..args.starts {
        let begun = Instant::now();
        let sim = Simulator::start_default()
            .await
            .expect("the simulator starts");
        starts.push(begun.elapsed());
        sim.shutdown().await;
    }
    // The first start of a process also reads the embedded precache.
    let first = starts[0];
    starts.sort();
    println!(
        "first start in the process (reads the precache): {:.2} ms",
        first.as_secs_f64() * 1e3
    );
    println!(
        "start-up of the default simulator ({} starts): median {:.2} ms, p90 {:.2} ms, min {:.2} ms, max {:.2} ms",
        starts.len(),
        percentile(&starts, 0.5).as_secs_f64() * 1e3,
        percentile(&starts, 0.9).as_secs_f64() * 1e3,
        starts[0].as_secs_f64() * 1e3,
        starts[starts.len() - 1].as_secs_f64() * 1e3,
    );

    let sim = Simulator::start_default()
        .await
        .expect("the simulator starts");
    let mut params = vec![
        ("apiKey", sim.api_key().to_string()),
        ("command", "listZones".into()),
        ("response", "json".into()),
    ];
    let signature = sign(
        params.iter().map(|(n, v)| (*n, v.as_str())),
        sim.secret_key(),
    );
    params.push(("signature", signature));
    let query: Vec<String> = params
        .iter()
        .map(|(n, v)| format!("{n}={}", java_url_encode(v)))
        .collect();
    let url = format!("{}?{}", sim.url(), query.join("&"));
    let body = reqwest::get(&url)
        .await
        .expect("answered")
        .text()
        .await
        .expect("a body");
    assert!(
        body.contains("\"zone\""),
        "listZones answers the default zone: {body}"
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let bare_url = format!(
        "http://{}/client/api",
        listener.local_addr().expect("an address")
    );
    let bare_body = body.clone();
    let router = axum::Router::new().route(
        "/client/api",
        axum::routing::get(move || {
            let body = bare_body.clone();
            async move { ([(CONTENT_TYPE, "application/json; charset=UTF-8")], body) }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the bare server runs")
    });

    let (mut simulated, mut bare) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let sim_rate = load(&url, args.connections, args.seconds).await;
        let bare_rate = load(&bare_url, args.connections, args.seconds).await;
        println!("round {round}: simulator {sim_rate:.0}/s, bare {bare_rate:.0}/s");
        simulated.push(sim_rate);
        bare.push(bare_rate);
    }
    let median = |rates: &mut Vec<f64>| {
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    };
    let (simulated, bare) = (median(&mut simulated), median(&mut bare));
    println!(
        "authenticated listZones: {simulated:.0} requests/s; bare axum handler, same body: {bare:.0} requests/s \
         (medians of {} rounds, {} connections, {} s each)",
        args.rounds, args.connections, args.seconds
    );
    println!(
        "ratio: {:.0}% of the bare handler",
        simulated / bare * 100.0
    );
    sim.shutdown().await;
}
