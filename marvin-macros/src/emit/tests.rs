//! The emitted code, as text: a snapshot (insta) of a trimmed fixture, and
//! the full real schemas.
//!
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! marvin-macros`) accepts a changed snapshot. marvin-entities compiles the
//! same fixture (`tests/fixture.rs`), so the snapshot is also checked as
//! code.

use std::path::PathBuf;

use marvin_core::schema::ApiList;

use crate::model::Model;
use crate::precache;
use crate::test_support::{schema_418, schema_422};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pretty(list: &ApiList) -> String {
    let model = Model::build(list).expect("the schema builds");
    let tokens = super::api(&model, None, "small.json");
    let file: syn::File = syn::parse2(tokens).expect("the expansion is valid Rust");
    prettyplease::unparse(&file)
}

fn fixture() -> ApiList {
    let path = crate_dir().join("tests/fixtures/small.json");
    let text = std::fs::read_to_string(&path).expect("fixture");
    precache::parse(&text, "small.json").expect("fixture parses")
}

#[test]
fn deletion_rules_name_what_each_entity_is_deleted_with() {
    let text = pretty(&fixture());
    let rules = &text[text.find("pub const DELETION_RULES").expect("the rules")..];
    let rules = &rules[..rules.find("];").expect("the end of the rules")];
    let squashed: String = rules.split_whitespace().collect();
    // The VM's deletion expunges; its boolean parameters are its flags.
    assert!(
        squashed.contains(
            r#"DeletionRule::new("VirtualMachine","destroyVirtualMachine",true,"id",).flags(&["expunge"]).sends(&[("expunge","true")])"#
        ),
        "{rules}"
    );
    assert!(
        squashed.contains(r#"DeletionRule::new("Account","deleteAccount",true,"id",)"#),
        "{rules}"
    );
    // Only entities with a deletion: `VirtualMachine`, `Account`,
    // `IpAddress` in the fixture.
    assert_eq!(rules.matches("DeletionRule::new(").count(), 3, "{rules}");
}

/// The whole expansion of the trimmed fixture, as a snapshot
/// (`src/emit/snapshots/`); `cargo insta review` (or `INSTA_UPDATE=always`)
/// accepts a change.
#[test]
fn small_fixture_matches_its_snapshot() {
    insta::assert_snapshot!("small", pretty(&fixture()));
}

#[test]
fn expansion_is_deterministic() {
    assert_eq!(pretty(schema_418()), pretty(schema_418()));
}

#[test]
fn both_real_schemas_expand_to_valid_rust() {
    for schema in [schema_422(), schema_418()] {
        let text = pretty(schema);
        for api in &schema.api {
            assert!(
                text.contains(&format!("\"{}\"", api.name)),
                "{} is not sent anywhere",
                api.name
            );
        }
    }
}

#[test]
fn the_precache_file_is_tracked_by_the_compiler() {
    let model = Model::build(&fixture()).expect("builds");
    let path = crate_dir().join("tests/fixtures/small.json");
    let tokens = super::api(&model, Some(&path), "small.json").to_string();
    assert!(tokens.contains("include_bytes !"), "{}", &tokens[..200]);
}

#[test]
fn doc_text_is_escaped_for_markdown() {
    assert_eq!(super::text(" a <b> [c] x_y\n"), "a &lt;b&gt; \\[c\\] x\\_y");
}

/// Writes the expansion of both real schemas to the target directory, to
/// read: `cargo test -p marvin-macros dump_expansions -- --ignored`.
#[test]
#[ignore = "writes files for reading, checks nothing"]
fn dump_expansions() {
    let out = crate_dir().join("../target/marvin-expansions");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("listApis-4.22.rs"), pretty(schema_422())).expect("write");
    std::fs::write(out.join("listApis-4.18.rs"), pretty(schema_418())).expect("write");
    std::fs::write(out.join("small.rs"), pretty(&fixture())).expect("write");
}
