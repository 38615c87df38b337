//! API key authentication: signature v2 and v3 as the server checks them.

use marvin_core::signing::{TEST_VECTORS, canonical_string, sign};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::support::{Api, assert_error, inner, pairs, query, start, user_with_keys};

async fn send(api: &Api, params: &[(String, String)], post: bool) -> (u16, Value) {
    if post {
        let response = api
            .http
            .post(&api.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(query(params))
            .send()
            .await
            .expect("answered");
        crate::support::read(response).await
    } else {
        api.get_pairs(params).await
    }
}

/// The vectors' parameter shapes (mixed-case names sorted case-sensitively,
/// UTF-8, map keys, commas, empty values, POST) verify on the server. The
/// vectors name commands this simulator need not serve (an unknown command
/// with a key is always 401), so each is replayed as `listEvents`: the rest
/// of the canonical string is the vector's own.
#[tokio::test]
async fn the_protocol_vector_shapes_verify_on_the_server() {
    let sim = start().await;
    user_with_keys(&sim, "vectors", 1, "foo", "bar").await;
    let api = Api::new(sim.url(), "foo", "bar");
    let served = Api::admin(&sim).ok("listApis", &[]).await;
    let served: Vec<&str> = served["api"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    // The protocol document's vectors, the last one sent as a POST form.
    for (index, &(params, canonical, signature)) in TEST_VECTORS.iter().enumerate() {
        let post = index + 1 == TEST_VECTORS.len();
        assert_eq!(canonical_string(params.iter().copied()), canonical);
        assert_eq!(sign(params.iter().copied(), "bar"), signature);

        // Where the simulator serves the vector's command, the exact vector
        // (with its signature from the table) gets past authentication.
        let command = params.iter().find(|(n, _)| *n == "command").unwrap().1;
        if served.contains(&command) {
            let mut exact = pairs(params);
            exact.push(("signature".into(), signature.into()));
            let (status, body) = send(&api, &exact, post).await;
            assert_ne!(status, 401, "{canonical}: {body}");
        }

        let sent = params.iter().find(|(n, _)| *n == "command").unwrap().1;
        let mut replayed = pairs(params);
        for pair in &mut replayed {
            if pair.0 == "command" {
                pair.1 = "listEvents".into();
            }
        }
        let expected = canonical.replace(
            &format!("command={}", sent.to_ascii_lowercase()),
            "command=listevents",
        );
        assert_eq!(
            canonical_string(replayed.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
            expected
        );
        let mut signed = replayed.clone();
        signed.push((
            "signature".into(),
            sign(
                replayed.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                "bar",
            ),
        ));
        let (status, body) = send(&api, &signed, post).await;
        // Past authentication: 200, or a validation error of listEvents
        // (the scale vector's `id=a` is no uuid).
        assert_ne!(status, 401, "{canonical}: {body}");
        assert!(
            status == 200 || body["listeventsresponse"]["errorcode"] == 431,
            "{canonical}: {body}"
        );

        // One changed value and the same signature: refused.
        let mut tampered = signed.clone();
        tampered[0].1 = "fooo".into();
        let (status, body) = send(&api, &tampered, post).await;
        assert_error(
            status,
            &body,
            401,
            "listeventsresponse",
            "unable to verify user credentials",
        );
    }
}

#[tokio::test]
async fn bad_keys_and_signatures_are_401_without_cserrorcode() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let good = admin.sign("listEvents", &[("keyword", "a b")]);

    let wrong_secret = Api::new(sim.url(), sim.api_key(), "not-the-secret").sign("listEvents", &[]);
    let unknown_key = Api::new(sim.url(), "nobody", "nothing").sign("listEvents", &[]);
    let mut no_signature = good.clone();
    no_signature.retain(|(n, _)| n != "signature");
    let mut extra = good.clone();
    extra.push(("listall".into(), "true".into()));
    let mut garbage = good.clone();
    garbage.last_mut().unwrap().1 = "%%%not base64".into();
    let unsigned = pairs(&[("command", "listEvents"), ("response", "json")]);

    for attempt in [
        wrong_secret,
        unknown_key,
        no_signature,
        extra,
        garbage,
        unsigned,
    ] {
        let (status, body) = admin.get_pairs(&attempt).await;
        assert_error(
            status,
            &body,
            401,
            "listeventsresponse",
            "unable to verify user credentials and/or request signature",
        );
        assert!(body["listeventsresponse"].get("cserrorcode").is_none());
    }
    let (status, _) = admin.get_pairs(&good).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn disabled_users_and_locked_accounts_are_refused() {
    let sim = start().await;
    let (user, account) = user_with_keys(&sim, "gone", 0, "k-gone", "s-gone").await;
    let api = Api::new(sim.url(), "k-gone", "s-gone");
    assert_eq!(api.call("listEvents", &[]).await.0, 200);
    sim.with_db(|db| {
        db.execute("UPDATE users SET state = 'disabled' WHERE id = ?1", [&user])
            .unwrap()
    });
    assert_eq!(api.call("listEvents", &[]).await.0, 401);
    sim.with_db(|db| {
        db.execute("UPDATE users SET state = 'enabled' WHERE id = ?1", [&user])
            .unwrap();
        db.execute(
            "UPDATE accounts SET state = 'locked' WHERE id = ?1",
            [&account],
        )
        .unwrap();
    });
    assert_eq!(api.call("listEvents", &[]).await.0, 401);
}

fn java_expires(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]+0000"
    ))
    .unwrap()
}

fn v3(api: &Api, expires: &str) -> Vec<(String, String)> {
    api.sign(
        "listEvents",
        &[("signatureVersion", "3"), ("expires", expires)],
    )
}

#[tokio::test]
async fn signature_v3_checks_expires() {
    let sim = start().await;
    let api = Api::admin(&sim);
    let now = OffsetDateTime::now_utc();
    let later = now + time::Duration::minutes(10);
    let iso_z = later
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let iso_offset = later
        .to_offset(time::UtcOffset::from_hms(1, 0, 0).unwrap())
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"))
        .unwrap();
    for expires in [java_expires(later), iso_z, iso_offset] {
        let (status, body) = api.get_pairs(&v3(&api, &expires)).await;
        assert_eq!(status, 200, "{expires}: {body}");
    }
    for expires in [
        java_expires(now - time::Duration::minutes(1)),
        "not a date".to_string(),
    ] {
        let (status, body) = api.get_pairs(&v3(&api, &expires)).await;
        assert_error(status, &body, 401, "listeventsresponse", "unable to verify");
    }
    let without = api.sign("listEvents", &[("signatureVersion", "3")]);
    assert_eq!(api.get_pairs(&without).await.0, 401);
}

/// A client that signs `+0000` but leaves the `+` unescaped in the query:
/// form decoding would make it a space; the server tries the literal form.
#[tokio::test]
async fn a_bare_plus_in_the_query_still_verifies() {
    let sim = start().await;
    let api = Api::admin(&sim);
    let expires = java_expires(OffsetDateTime::now_utc() + time::Duration::minutes(5));
    let signed = v3(&api, &expires);
    let raw = query(&signed).replace("%2B0000", "+0000");
    assert!(raw.contains("+0000"));
    let (status, body) = api.raw(&raw).await;
    assert_eq!(status, 200, "{body}");
    assert!(inner(&body, "listEvents").is_object());
}

/// Runs `command` on `id` to its end (through its job if it has one).
async fn done(admin: &Api, command: &str, id: &str) {
    let answer = admin.ok(command, &[("id", id)]).await;
    if let Some(job) = answer["jobid"].as_str() {
        assert_eq!(admin.wait_job(job).await["jobstatus"], 1, "{command}");
    }
}

#[tokio::test]
async fn key_changes_count_from_the_next_call() {
    let sim = crate::support::start().await;
    let admin = Api::admin(&sim);
    let (user_id, _) = crate::support::user_with_keys(&sim, "keyed", 0, "k-1", "s-1").await;
    let first = Api::new(sim.url(), "k-1", "s-1");
    for _ in 0..2 {
        assert_eq!(first.call("listZones", &[]).await.0, 200);
    }

    // New keys through the API: the old pair stops working at once.
    let keys = admin.ok("registerUserKeys", &[("id", &user_id)]).await;
    let second = Api::new(
        sim.url(),
        keys["userkeys"]["apikey"].as_str().unwrap(),
        keys["userkeys"]["secretkey"].as_str().unwrap(),
    );
    assert_eq!(first.call("listZones", &[]).await.0, 401);
    assert_eq!(second.call("listZones", &[]).await.0, 200);

    // A disabled user, then enabled again.
    done(&admin, "disableUser", &user_id).await;
    assert_eq!(second.call("listZones", &[]).await.0, 401);
    done(&admin, "enableUser", &user_id).await;
    assert_eq!(second.call("listZones", &[]).await.0, 200);

    // A secret changed behind the API's back (through the same database).
    sim.with_db(|db| {
        db.execute(
            "UPDATE users SET api_key = 'k-3', secret_key = 's-3' WHERE id = ?1",
            [&user_id],
        )
        .expect("keys are set")
    });
    assert_eq!(second.call("listZones", &[]).await.0, 401);
    let third = Api::new(sim.url(), "k-3", "s-3");
    assert_eq!(third.call("listZones", &[]).await.0, 200);
    // A wrong secret for a cached key is still refused.
    let wrong = Api::new(sim.url(), "k-3", "s-wrong");
    assert_eq!(wrong.call("listZones", &[]).await.0, 401);

    done(&admin, "deleteUser", &user_id).await;
    assert_eq!(third.call("listZones", &[]).await.0, 401);
}
