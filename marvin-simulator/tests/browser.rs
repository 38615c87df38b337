//! `/docs` in a real browser: Debian's `chromium`, headless, loads the page
//! and its vendored swagger-ui from the simulator alone and renders the
//! APIs of the served document; driven over the DevTools protocol
//! (`tests/browser/try_it_out.py`), the page's interceptors log in and list
//! zones with the session. Without chromium the tests are skipped with
//! their reason, except under CI (`CI=true`), which installs it.

#[allow(dead_code)] // Only the start-up is used here.
mod common;

use std::path::PathBuf;
use std::process::Command;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// The chromium binary, or why there is none.
fn chromium() -> Result<PathBuf, String> {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| PathBuf::from(name))
        })
        .ok_or_else(|| "no chromium on PATH (Debian: apt-get install chromium)".into())
}

/// The DOM of `url` after its scripts ran, as headless chromium dumps it.
async fn dump_dom(browser: PathBuf, url: String) -> String {
    tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().expect("a profile directory");
        let output = Command::new(browser)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--virtual-time-budget=60000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("--dump-dom")
            .arg(url)
            .output()
            .expect("chromium runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    })
    .await
    .expect("the browser thread")
}

#[tokio::test]
async fn chromium_renders_the_apis_of_the_docs_page() {
    let browser = match chromium() {
        Ok(browser) => browser,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: /docs in chromium ({reason})");
            return;
        }
        Err(reason) => panic!("/docs in chromium cannot run under CI: {reason}"),
    };
    let sim = common::start(false).await;
    let base = sim.url().trim_end_matches("/client/api").to_string();

    // A deep link opens the Zone tag and its listZones operation, with
    // its answers.
    let dom = dump_dom(browser.clone(), format!("{base}/docs#/Zone/listZones")).await;
    for id in [
        "id=\"operations-Zone-listZones\"",
        "id=\"get_listZones_responses\"",
    ] {
        assert!(dom.contains(id), "{id} not rendered:\n{dom}");
    }
    assert!(dom.contains("Apache CloudStack API"));

    // The whole page lists the entities as tags (the first ones at least:
    // swagger-ui renders the rest as the page scrolls).
    let dom = dump_dom(browser, format!("{base}/docs")).await;
    for tag in ["ASNRange", "Account"] {
        assert!(
            dom.contains(&format!("id=\"operations-tag-{tag}\"")),
            "tag {tag} not rendered"
        );
    }
}

#[tokio::test]
async fn try_it_out_in_chromium_logs_in_and_lists_zones_through_the_interceptor() {
    let browser = match chromium() {
        Ok(browser) => browser,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: Try it out in chromium ({reason})");
            return;
        }
        Err(reason) => panic!("Try it out in chromium cannot run under CI: {reason}"),
    };
    let sim = common::start(false).await;
    let base = sim.url().trim_end_matches("/client/api").to_string();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/try_it_out.py");
    let password = sim.admin_password().to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .arg(browser)
            .arg(base)
            .env("MARVIN_DOCS_PASSWORD", password)
            .output()
            .expect("python3 runs")
    })
    .await
    .expect("the driver thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["rendered"], true, "{seen}");
    assert_eq!(seen["login_status"], 200, "{seen}");
    // The interceptor sent the operation's path to the endpoint itself,
    // with the command, JSON answers and, after login, the session's key.
    assert!(
        seen["login_url"]
            .as_str()
            .unwrap()
            .ends_with("/client/api?command=login&response=json"),
        "{seen}"
    );
    assert_eq!(seen["zones_status"], 200, "{seen}");
    assert!(
        seen["zones_url"]
            .as_str()
            .unwrap()
            .ends_with("/client/api?command=listZones&response=json&sessionkey=..."),
        "{seen}"
    );
    assert_eq!(seen["zones_sent_key"], true, "{seen}");
    assert_eq!(seen["zones_count"], 1, "{seen}");
    assert_eq!(seen["session_state"], "logged in", "{seen}");
}
