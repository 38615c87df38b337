//! Template and ISO tests: the built-in template, registration, filters,
//! isolation and deletion.

use crate::families::testkit::{Kit, code};

fn register<'a>(zone: &'a str, os: &'a str, name: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("displaytext", name),
        ("url", "http://images.example.com/tiny.vhd.bz2"),
        ("format", "VHD"),
        ("hypervisor", "Simulator"),
        ("ostypeid", os),
        ("zoneid", zone),
    ]
}

#[test]
fn built_in_template_and_os_types() {
    let mut kit = Kit::new();
    let user = kit.account("viewer", 0, None);
    let featured = kit
        .call(&user, "listTemplates", &[("templatefilter", "featured")])
        .unwrap();
    assert_eq!(featured["count"], 1);
    let t = &featured["template"][0];
    assert_eq!(t["name"], "CentOS 5.6 (64-bit) no GUI (Simulator)");
    assert_eq!(
        (
            t["templatetype"].as_str(),
            t["hypervisor"].as_str(),
            t["format"].as_str()
        ),
        (Some("BUILTIN"), Some("Simulator"), Some("VHD"))
    );
    assert_eq!(
        (
            t["ispublic"].as_bool(),
            t["isfeatured"].as_bool(),
            t["isready"].as_bool()
        ),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(t["passwordenabled"], false);
    assert_eq!(t["ostypename"], "CentOS 5.6 (64-bit)");
    assert_eq!(t["zonename"], "Sandbox-simulator");
    assert_eq!(t["status"], "Download Complete");
    assert_eq!(t["account"], "system");
    assert_eq!(t["id"], kit.id("template").as_str());

    let centos = kit
        .call(
            &user,
            "listOsTypes",
            &[("description", "CentOS 5.6 (64-bit)")],
        )
        .unwrap();
    assert_eq!(centos["count"], 1);
    assert_eq!(centos["ostype"][0]["oscategoryname"], "CentOS");
    let other = kit
        .call(&user, "listOsTypes", &[("keyword", "Other Linux")])
        .unwrap();
    assert_eq!(other["ostype"][1]["description"], "Other Linux (64-bit)");
    let categories = kit.call(&user, "listOsCategories", &[]).unwrap();
    assert!(categories["count"].as_u64().unwrap() >= 10);
    let mine = kit
        .call(&user, "listTemplates", &[("templatefilter", "self")])
        .unwrap();
    assert_eq!(mine["count"], 0);
    let err = kit
        .call(&user, "listTemplates", &[("templatefilter", "all")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let err = kit
        .call(&user, "listTemplates", &[("templatefilter", "everything")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
}

#[test]
fn empty_simulator_lists_the_built_in_template_once_a_zone_exists() {
    let mut kit = Kit::build(true);
    let admin = kit.admin();
    let none = kit
        .call(&admin, "listTemplates", &[("templatefilter", "all")])
        .unwrap();
    assert_eq!(none["count"], 0);
    kit.call(
        &admin,
        "createZone",
        &[
            ("name", "Z"),
            ("networktype", "Advanced"),
            ("dns1", "8.8.8.8"),
            ("internaldns1", "8.8.4.4"),
        ],
    )
    .unwrap();
    let one = kit
        .call(&admin, "listTemplates", &[("templatefilter", "all")])
        .unwrap();
    assert_eq!(one["count"], 1);
    assert_eq!(one["template"][0]["zonename"], "Z");
}

#[test]
fn register_is_ready_at_once_and_isolated_per_account() {
    let mut kit = Kit::new();
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let alice = kit.account("alice", 0, None);
    let bob = kit.account("bob", 0, None);
    let made = kit
        .call(&alice, "registerTemplate", &register(&zone, &os, "mine"))
        .unwrap();
    assert_eq!(made["count"], 1);
    let t = &made["template"][0];
    assert_eq!(
        (
            t["isready"].as_bool(),
            t["status"].as_str(),
            t["templatetype"].as_str()
        ),
        (Some(true), Some("Download Complete"), Some("USER"))
    );
    assert_eq!(t["account"], "alice");
    assert_eq!(t["size"], super::images::SIMULATED_SIZE);
    let id = t["id"].as_str().unwrap().to_string();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'TEMPLATE.CREATE' AND resource_id = ?1",
            &id
        ),
        1
    );

    let own = kit
        .call(&alice, "listTemplates", &[("templatefilter", "self")])
        .unwrap();
    assert_eq!(own["count"], 1);
    let executable = kit
        .call(&alice, "listTemplates", &[("templatefilter", "executable")])
        .unwrap();
    assert_eq!(executable["count"], 2);
    let theirs = kit
        .call(&bob, "listTemplates", &[("templatefilter", "executable")])
        .unwrap();
    assert_eq!(
        theirs["count"], 1,
        "bob sees only the public built-in template"
    );

    let err = kit
        .call(&bob, "updateTemplate", &[("id", &id), ("name", "stolen")])
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(&bob, "deleteTemplate", &[("id", &id)])
        .unwrap_err();
    assert_eq!(err.job_code().as_u16(), 530);
    let err = kit
        .call(
            &alice,
            "updateTemplate",
            &[("id", &kit.id("template")), ("name", "mine now")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);

    let renamed = kit
        .call(
            &alice,
            "updateTemplate",
            &[
                ("id", &id),
                ("name", "renamed"),
                ("passwordenabled", "true"),
            ],
        )
        .unwrap();
    assert_eq!(renamed["template"]["name"], "renamed");
    assert_eq!(renamed["template"]["passwordenabled"], true);
    kit.call(&alice, "deleteTemplate", &[("id", &id)]).unwrap();
    let gone = kit
        .call(&alice, "listTemplates", &[("templatefilter", "self")])
        .unwrap();
    assert_eq!(gone["count"], 0);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'TEMPLATE.DELETE' AND resource_id = ?1",
            &id
        ),
        1
    );
}

#[test]
fn register_refusals() {
    let mut kit = Kit::new();
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let user = kit.account("reg", 0, None);
    let mut bad_url = register(&zone, &os, "x");
    bad_url.retain(|(k, _)| *k != "url");
    bad_url.push(("url", "http://images.example.com/tiny.qcow2"));
    let err = kit.call(&user, "registerTemplate", &bad_url).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Please specify a valid URL. URL:http://images.example.com/tiny.qcow2 is an invalid for the format vhd"
        )
    );
    let mut ftp = register(&zone, &os, "x");
    ftp.retain(|(k, _)| *k != "url");
    ftp.push(("url", "ftp://images.example.com/tiny.vhd"));
    let err = kit.call(&user, "registerTemplate", &ftp).unwrap_err();
    assert_eq!(
        err.text,
        "Unsupported scheme for url: ftp://images.example.com/tiny.vhd"
    );
    let mut format = register(&zone, &os, "x");
    format.retain(|(k, _)| *k != "format");
    format.push(("format", "EXE"));
    let err = kit.call(&user, "registerTemplate", &format).unwrap_err();
    assert!(
        err.text.starts_with("Image format is incorrect EXE."),
        "{}",
        err.text
    );
    let mut featured = register(&zone, &os, "x");
    featured.push(("isfeatured", "true"));
    let err = kit.call(&user, "registerTemplate", &featured).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            531,
            "Parameter isfeatured can only be specified by a Root Admin, permission denied"
        )
    );

    let admin = kit.admin();
    kit.call(
        &admin,
        "updateConfiguration",
        &[("name", "allow.public.user.templates"), ("value", "false")],
    )
    .unwrap();
    let mut public = register(&zone, &os, "x");
    public.push(("ispublic", "true"));
    let err = kit.call(&user, "registerTemplate", &public).unwrap_err();
    assert_eq!(err.text, "Only private templates/ISO can be created.");

    let mut all_zones = register(&zone, &os, "everywhere");
    all_zones.retain(|(k, _)| *k != "zoneid");
    all_zones.push(("zoneid", "-1"));
    let made = kit.call(&admin, "registerTemplate", &all_zones).unwrap();
    assert_eq!(made["template"][0]["crossZones"], true);
}

#[test]
fn isos_register_list_and_delete() {
    let mut kit = Kit::new();
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let user = kit.account("isouser", 0, None);
    let err = kit
        .call(
            &user,
            "registerIso",
            &[
                ("name", "boot"),
                ("displaytext", "b"),
                ("url", "http://x/boot.iso"),
                ("zoneid", &zone),
            ],
        )
        .unwrap_err();
    assert_eq!(err.text, "Please pass a valid GuestOS Id");
    let made = kit
        .call(
            &user,
            "registerIso",
            &[
                ("name", "boot"),
                ("displaytext", "b"),
                ("url", "http://x/boot.iso"),
                ("zoneid", &zone),
                ("ostypeid", &os),
            ],
        )
        .unwrap();
    let iso = &made["iso"][0];
    assert_eq!(
        (
            iso["status"].as_str(),
            iso["bootable"].as_bool(),
            iso["format"].as_str()
        ),
        (Some("Successfully Installed"), Some(true), Some("ISO"))
    );
    let id = iso["id"].as_str().unwrap().to_string();
    let listed = kit.call(&user, "listIsos", &[]).unwrap();
    assert_eq!(listed["count"], 1);
    let templates = kit
        .call(&user, "listTemplates", &[("templatefilter", "self")])
        .unwrap();
    assert_eq!(templates["count"], 0, "ISOs are not templates");
    let updated = kit
        .call(
            &user,
            "updateIso",
            &[("id", &id), ("displaytext", "Boot CD")],
        )
        .unwrap();
    assert_eq!(updated["iso"]["displaytext"], "Boot CD");
    kit.call(&user, "deleteIso", &[("id", &id)]).unwrap();
    let listed = kit.call(&user, "listIsos", &[]).unwrap();
    assert_eq!(listed["count"], 0);
}

#[test]
fn deleting_an_account_deletes_its_templates() {
    let mut kit = Kit::new();
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let user = kit.account("leaver", 0, None);
    let made = kit
        .call(&user, "registerTemplate", &register(&zone, &os, "t"))
        .unwrap();
    let id = made["template"][0]["id"].as_str().unwrap().to_string();
    let admin = kit.admin();
    kit.call(&admin, "deleteAccount", &[("id", &user.account_id)])
        .unwrap();
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM templates WHERE id = ?1", &id),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM template_zones WHERE template_id = ?1",
            &id
        ),
        0
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM templates WHERE id = ?1",
            &kit.id("template")
        ),
        1
    );
}
