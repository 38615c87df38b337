//! SSL certificates, as CloudStack's `CertServiceImpl` (`uploadSslCert`,
//! `validate`, `deleteSslCert`, `listSslCerts`) and
//! `LoadBalancingRulesManagerImpl` (`assignCertToLoadBalancer`,
//! `removeCertFromLoadBalancer`) behave.

use super::*;

const CERT: &str = include_str!("../../../../../testdata/ssl/cert.pem");
const KEY: &str = include_str!("../../../../../testdata/ssl/key.pem");
const OTHER_KEY: &str = include_str!("../../../../../testdata/ssl/other-key.pem");
const FINGERPRINT: &str = include_str!("../../../../../testdata/ssl/cert.sha1");

fn upload(kit: &mut Kit, who: &Caller, key: &str) -> Result<Value, ApiError> {
    kit.call(
        who,
        "uploadSslCert",
        &[("name", "web"), ("certificate", CERT), ("privatekey", key)],
    )
    .map(|v| v["sslcert"].clone())
}

/// A load balancer rule of `protocol` on a new IP of a new network.
fn lb_rule(kit: &mut Kit, who: &Caller, protocol: &str) -> String {
    let net = network_id(kit, who, "web");
    let ip = ip_id(kit, who, &net);
    s(&kit
        .call(
            who,
            "createLoadBalancerRule",
            &[
                ("publicipid", &ip),
                ("name", "https"),
                ("algorithm", "roundrobin"),
                ("publicport", "443"),
                ("privateport", "443"),
                ("protocol", protocol),
            ],
        )
        .unwrap()["loadbalancer"]["id"])
    .to_string()
}

/// `validate`: an X.509 certificate and the private key of its public key;
/// the fingerprint is the certificate's SHA-1 (`generateFingerPrint`).
#[test]
fn uploads_need_a_certificate_and_its_key() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let cert = upload(&mut kit, &alice, KEY).unwrap();
    assert_eq!(cert["fingerprint"], FINGERPRINT.trim());
    assert_eq!(cert["name"], "web");
    assert_eq!(cert["account"], "alice");
    assert!(
        cert.get("privatekey").is_none(),
        "the key is never answered"
    );
    assert!(
        cert["certificate"]
            .as_str()
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );

    let err = upload(&mut kit, &alice, OTHER_KEY).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Bad public-private key")
    );
    let err = upload(&mut kit, &alice, "not a key").unwrap_err();
    assert_eq!(err.text, "Cannot parse private key");
    let err = kit
        .call(
            &alice,
            "uploadSslCert",
            &[
                ("name", "x"),
                ("certificate", "garbage"),
                ("privatekey", KEY),
            ],
        )
        .unwrap_err();
    assert!(
        err.text
            .starts_with("Invalid Certificate format. Expected X509 certificate.")
    );
    let err = kit
        .call(
            &alice,
            "uploadSslCert",
            &[
                ("name", "x"),
                ("certificate", CERT),
                ("privatekey", KEY),
                (
                    "certchain",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                ),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "Invalid certificate chain");
}

/// Binding: an `ssl` rule of the certificate's owner, one certificate per
/// rule; a bound certificate cannot be deleted; removing needs a binding.
#[test]
fn certificates_bind_to_ssl_rules() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let bob = kit.account("bob", 0, None);
    let cert = s(&upload(&mut kit, &alice, KEY).unwrap()["id"]).to_string();
    let tcp = lb_rule(&mut kit, &alice, "tcp");
    let err = kit
        .call(
            &alice,
            "assignCertToLoadBalancer",
            &[("lbruleid", &tcp), ("certid", &cert)],
        )
        .unwrap_err();
    assert_eq!(err.text, "Bad LB protocol: Expected ssl got tcp");

    let ssl = lb_rule(&mut kit, &alice, "ssl");
    kit.call(
        &alice,
        "assignCertToLoadBalancer",
        &[("lbruleid", &ssl), ("certid", &cert)],
    )
    .unwrap();
    let err = kit
        .call(
            &alice,
            "assignCertToLoadBalancer",
            &[("lbruleid", &ssl), ("certid", &cert)],
        )
        .unwrap_err();
    assert_eq!(err.text, "Another certificate is already bound to the LB");
    let listed = kit
        .call(&alice, "listSslCerts", &[("lbruleid", &ssl)])
        .unwrap();
    assert_eq!(listed["sslcert"][0]["id"], cert.as_str());
    assert_eq!(
        listed["sslcert"][0]["loadbalancerrulelist"][0],
        ssl.as_str()
    );

    let err = kit
        .call(&alice, "deleteSslCert", &[("id", &cert)])
        .unwrap_err();
    assert_eq!(code(&err), 530);
    assert_eq!(err.text, "Certificate in use by a loadbalancer(s) https ");

    // Another account's certificate and rule stay out of reach.
    let err = kit
        .call(
            &bob,
            "assignCertToLoadBalancer",
            &[("lbruleid", &ssl), ("certid", &cert)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    assert_eq!(kit.call(&bob, "listSslCerts", &[]).unwrap()["count"], 0);
    let err = kit
        .call(&bob, "deleteSslCert", &[("id", &cert)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(
            &alice,
            "listSslCerts",
            &[("certid", &cert), ("lbruleid", &ssl)],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Only one of certid, lbid, projectid, or accountid/account can be specified"
    );

    kit.call(&alice, "removeCertFromLoadBalancer", &[("lbruleid", &ssl)])
        .unwrap();
    let err = kit
        .call(&alice, "removeCertFromLoadBalancer", &[("lbruleid", &ssl)])
        .unwrap_err();
    assert_eq!(
        err.text,
        format!("No certificate is bound to lb with id: {ssl}")
    );
    kit.call(&alice, "deleteSslCert", &[("id", &cert)]).unwrap();
    let err = kit
        .call(&alice, "deleteSslCert", &[("id", &cert)])
        .unwrap_err();
    assert_eq!(err.text, format!("Invalid certificate id: {cert}"));
}
