//! The layering is checked here, not left to review: the kernel never names
//! a family nor the shell around it (the listener, the fixtures, the
//! `Simulator` entry point), so that families depend on the kernel and never
//! the other way round; and a family uses another only along the allowed
//! edges, through that family's `api.rs`.

use std::path::{Path, PathBuf};

/// Paths a kernel file must not use: the families and the shell.
const OUTSIDE_THE_KERNEL: [&str; 5] = [
    "crate::families",
    "crate::simulator",
    "crate::http",
    "crate::fixtures",
    "super::families",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the kernel's sources are readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// Each `(file, line)` of `dir` that uses one of `forbidden`, comments
/// included (a doc link is a dependency too).
fn uses(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a kernel source is readable");
        for (number, line) in text.lines().enumerate() {
            if forbidden.iter().any(|path| line.contains(path)) {
                found.push(format!(
                    "{}:{}: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn the_kernel_never_names_a_family_nor_the_shell() {
    let kernel = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kernel");
    let found = uses(&kernel, &OUTSIDE_THE_KERNEL);
    assert!(
        found.is_empty(),
        "the kernel reaches outside itself (families use the kernel, never the reverse):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layering_check_sees_a_family_import() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(dir.path().join("engine")).expect("a subdirectory");
    std::fs::write(
        dir.path().join("engine/mod.rs"),
        "use crate::families::jobs;\n",
    )
    .expect("a probe file");
    assert_eq!(uses(dir.path(), &OUTSIDE_THE_KERNEL).len(), 1);
}

/// Which families each family may use, always through their `api` module
/// (the table of ARCHITECTURE.md). Test helpers (`tests`, `testkit`) are
/// free to use.
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    (
        "autoscale",
        &["datacenter", "network", "offerings", "templates"],
    ),
    (
        "compute",
        &[
            "datacenter",
            "identity",
            "limits",
            "network",
            "offerings",
            "projects",
            "storage",
            "tags",
            "templates",
        ],
    ),
    (
        "datacenter",
        &["compute", "identity", "network", "storage", "templates"],
    ),
    ("hypervisors", &["datacenter"]),
    ("systemvms", &["datacenter", "storage"]),
    ("identity", &["datacenter"]),
    (
        "limits",
        &[
            "compute",
            "identity",
            "network",
            "projects",
            "storage",
            "templates",
        ],
    ),
    (
        "network",
        &[
            "compute",
            "datacenter",
            "identity",
            "limits",
            "offerings",
            "tags",
        ],
    ),
    ("offerings", &["datacenter", "identity", "network"]),
    (
        "projects",
        &[
            "compute", "identity", "limits", "network", "storage", "tags",
        ],
    ),
    (
        "kubernetes",
        &["datacenter", "identity", "compute", "network"],
    ),
    ("quota", &["identity"]),
    (
        "storage",
        &[
            "compute",
            "datacenter",
            "identity",
            "limits",
            "offerings",
            "tags",
            "templates",
        ],
    ),
    (
        "tags",
        &[
            "compute",
            "datacenter",
            "identity",
            "network",
            "offerings",
            "projects",
            "storage",
            "templates",
        ],
    ),
    (
        "templates",
        &["compute", "datacenter", "identity", "projects", "tags"],
    ),
];

/// Every `(family, other, module, file)` where a family's sources name
/// another family's module (the test helpers `tests` and `testkit` left
/// out).
fn reaches(families: &Path) -> Vec<(String, String, String, String)> {
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(families)
        .expect("the families are readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let names: Vec<String> = dirs
        .iter()
        .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for dir in &dirs {
        let family = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        rust_files(dir, &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a family source is readable");
            for marker in ["families::", "super::"] {
                for (at, _) in text.match_indices(marker) {
                    let path = &text[at + marker.len()..];
                    let mut parts = path.splitn(3, "::");
                    let other: String = parts
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    let rest = parts.next().unwrap_or_default();
                    if other == family || !names.contains(&other) {
                        continue;
                    }
                    // `{a, b as c}` names several modules at once.
                    let modules: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                        group
                            .split('}')
                            .next()
                            .unwrap_or_default()
                            .split(',')
                            .map(|item| {
                                item.trim()
                                    .split([' ', ':'])
                                    .next()
                                    .unwrap_or("")
                                    .to_string()
                            })
                            .filter(|item| !item.is_empty())
                            .collect()
                    } else {
                        vec![
                            rest.chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                .collect(),
                        ]
                    };
                    for module in modules {
                        if module != "tests" && module != "self" {
                            found.push((
                                family.clone(),
                                other.clone(),
                                module,
                                file.display().to_string(),
                            ));
                        }
                    }
                }
            }
        }
    }
    found
}

#[test]
fn families_reach_each_other_only_through_their_api_modules_along_allowed_edges() {
    let families = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/families");
    let found = reaches(&families);
    assert!(!found.is_empty(), "the scan sees the families' api uses");
    let wrong: Vec<String> = found
        .iter()
        .filter(|(family, other, module, _)| {
            let allowed = ALLOWED_EDGES
                .iter()
                .find(|(from, _)| from == family)
                .is_some_and(|(_, to)| to.contains(&other.as_str()));
            module != "api" || !allowed
        })
        .map(|(family, other, module, file)| format!("{file}: {family} -> {other}::{module}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "a family reaches another outside the allowed edges, or past its api.rs \
         (ARCHITECTURE.md lists the edges):\n{}",
        wrong.join("\n")
    );
}

/// One place where a family's SQL names a table or a view: the file, the
/// name, and whether the statement writes it (`INSERT INTO`, `UPDATE`,
/// `DELETE FROM`, an index or trigger `ON` it) or reads it.
#[derive(Debug)]
struct SqlName {
    file: String,
    name: String,
    writes: bool,
}

/// What each family's `schema.sql` creates: `(family, tables, views)`.
fn schemas(families: &Path) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut found = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(families)
        .expect("the families are readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let family = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(schema) = std::fs::read_to_string(dir.join("schema.sql")) else {
            found.push((family, Vec::new(), Vec::new()));
            continue;
        };
        let words = words(&schema);
        let (mut tables, mut views) = (Vec::new(), Vec::new());
        for (at, window) in words.windows(3).enumerate() {
            if window[0] != "CREATE" {
                continue;
            }
            // `CREATE TABLE [IF NOT EXISTS] name`, `CREATE VIEW name`.
            let name = |skip: usize| {
                let rest = &words[at + 2 + skip..];
                rest.first().map(|name| name.to_string())
            };
            let skip = if window[2] == "IF" { 3 } else { 0 };
            match window[1] {
                "TABLE" => tables.extend(name(skip)),
                "VIEW" => views.extend(name(skip)),
                _ => {}
            }
        }
        found.push((family, tables, views));
    }
    found
}

/// The words of a text (identifiers and SQL keywords), in order.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .collect()
}

/// Tables a family lets the others add rows to from their own
/// `schema.sql`, to register with it: `(owner, table)`. Identity's
/// `account_cleanup` is where a family says what deleting or disabling an
/// account does to its own tables.
const HOOKS: &[(&str, &str)] = &[("identity", "account_cleanup")];

/// The views each family publishes (`Family::views`).
fn published_views(family: &str) -> Vec<String> {
    crate::families::ALL
        .iter()
        .find(|declared| declared.name == family)
        .map(|declared| declared.views.iter().map(|view| view.to_string()).collect())
        .unwrap_or_default()
}

/// Whether a source file is a test helper, free to reach any table.
fn is_test_file(path: &Path) -> bool {
    path.components().any(|part| {
        let part = part.as_os_str().to_string_lossy();
        part == "tests" || part == "tests.rs" || part == "testkit.rs" || part.ends_with("_tests.rs")
    })
}

/// Every name a SQL keyword in `text` points at: `FROM` (with the tables
/// listed after it, `FROM a x, b`) and `JOIN` (reads), `INTO`, `UPDATE`,
/// `DELETE FROM`, and `ON` after `INDEX` or `TRIGGER` (writes). Keywords
/// count in capitals only, as the simulator writes SQL, so that Rust and
/// prose do not.
fn sql_names(file: &str, text: &str) -> Vec<SqlName> {
    // Words, and the commas that list tables after `FROM`; any other
    // punctuation ends such a list.
    let mut tokens = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() || c == '_' {
            start.get_or_insert(at);
            continue;
        }
        if let Some(from) = start.take() {
            tokens.push(&text[from..at]);
        }
        if !c.is_whitespace() {
            tokens.push(if c == ',' { "," } else { "." });
        }
    }
    if let Some(from) = start {
        tokens.push(&text[from..]);
    }
    let is_word = |token: &str| token != "," && token != ".";
    let mut found = Vec::new();
    let mut push = |name: &str, writes: bool| {
        if is_word(name) {
            found.push(SqlName {
                file: file.to_string(),
                name: name.to_string(),
                writes,
            });
        }
    };
    for (at, pair) in tokens.windows(2).enumerate() {
        let before = |n: usize| at.checked_sub(n).map(|i| tokens[i]);
        match pair[0] {
            "FROM" if before(1) == Some("DELETE") => push(pair[1], true),
            "FROM" => {
                // `name [AS] [alias] , name ...`: an alias is not in capitals.
                let mut next = at + 1;
                while let Some(name) = tokens.get(next) {
                    push(name, false);
                    next += 1;
                    if tokens.get(next) == Some(&"AS") {
                        next += 1;
                    }
                    if tokens
                        .get(next)
                        .is_some_and(|alias| is_word(alias) && alias.to_uppercase() != *alias)
                    {
                        next += 1;
                    }
                    if tokens.get(next) != Some(&",") {
                        break;
                    }
                    next += 1;
                }
            }
            "JOIN" => push(pair[1], false),
            "INTO" | "UPDATE" => push(pair[1], true),
            "ON" if (1..=6).any(|n| matches!(before(n), Some("INDEX" | "TRIGGER"))) => {
                push(pair[1], true);
            }
            _ => {}
        }
    }
    found
}

/// Where a family's own code (test helpers left out) names another
/// family's table, writes another family's view, or reads a view of a
/// family it may not use or that the family does not publish; the
/// directory views, the kernel's contract, are everyone's to read. Also
/// where a family publishes (`published`) a view that its schema lacks or
/// that does not carry its name. A family's `schema.sql` may add rows to the tables
/// another family lists in its `HOOKS`. One line each, naming file, family
/// and table.
fn sql_reaches(
    families: &Path,
    edges: &[(&str, &[&str])],
    published: &dyn Fn(&str) -> Vec<String>,
) -> Vec<String> {
    let schemas = schemas(families);
    let mut wrong = Vec::new();
    for (family, _, views) in &schemas {
        for view in published(family) {
            if !view.starts_with(&format!("{family}_")) || !views.contains(&view) {
                wrong.push(format!(
                    "{family} publishes `{view}`, which its schema.sql does not create as a view under the family's name"
                ));
            }
        }
    }
    for (family, _, _) in &schemas {
        let mut files = Vec::new();
        rust_files(&families.join(family), &mut files);
        files.push(families.join(family).join("schema.sql"));
        for file in files.iter().filter(|file| !is_test_file(file)) {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            for found in sql_names(&file.display().to_string(), &text) {
                let Some((owner, tables, _)) = schemas.iter().find(|(owner, tables, views)| {
                    owner != family && (tables.contains(&found.name) || views.contains(&found.name))
                }) else {
                    continue;
                };
                let SqlName { file, name, writes } = &found;
                let registers = file.ends_with("schema.sql")
                    && HOOKS.contains(&(owner.as_str(), name.as_str()));
                if tables.contains(name) && registers {
                    // A registration row in the owner's hook table.
                } else if tables.contains(name) {
                    wrong.push(format!(
                        "{file}: {family} names {owner}'s table `{name}` (read its published views, write through its api.rs)"
                    ));
                } else if *writes {
                    wrong.push(format!(
                        "{file}: {family} writes {owner}'s view `{name}` (write through its api.rs)"
                    ));
                } else if name.starts_with("directory_") {
                    // The kernel's directory (kernel/directory.rs).
                } else if !edges
                    .iter()
                    .any(|(from, to)| from == family && to.contains(&owner.as_str()))
                {
                    wrong.push(format!(
                        "{file}: {family} reads {owner}'s view `{name}` but may not use {owner} (ARCHITECTURE.md lists the edges)"
                    ));
                } else if !published(owner).contains(name) {
                    wrong.push(format!(
                        "{file}: {family} reads `{name}`, which {owner} does not publish (its api.rs VIEWS)"
                    ));
                }
            }
        }
    }
    wrong
}

#[test]
fn families_name_no_other_familys_tables_in_sql_and_read_only_published_views() {
    let families = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/families");
    let schemas = schemas(&families);
    assert!(
        schemas
            .iter()
            .any(|(_, tables, views)| !tables.is_empty() && !views.is_empty()),
        "the scan sees the families' tables and views"
    );
    let wrong = sql_reaches(&families, ALLOWED_EDGES, &published_views);
    assert!(
        wrong.is_empty(),
        "a family's SQL reaches past another family's published views:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_sql_check_sees_a_table_read_a_view_write_and_a_view_off_the_edges() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for family in ["owner", "reader", "stranger"] {
        std::fs::create_dir(dir.path().join(family)).expect("a family folder");
    }
    std::fs::write(
        dir.path().join("owner/schema.sql"),
        "CREATE TABLE things (id TEXT);\nCREATE VIEW owner_things AS SELECT id FROM things;\n",
    )
    .expect("a schema");
    std::fs::write(
        dir.path().join("reader/list.rs"),
        "const A: &str = \"SELECT id FROM owner_things\";\n\
         const B: &str = \"SELECT t.id FROM x JOIN things t ON t.id = x.id\";\n\
         const C: &str = \"UPDATE owner_things SET id = 1\";\n\
         const E: &str = \"SELECT 1 FROM owner_things o, things WHERE o.id = things.id\";\n",
    )
    .expect("a reader");
    std::fs::write(
        dir.path().join("reader/tests.rs"),
        "const D: &str = \"DELETE FROM things\";\n",
    )
    .expect("a test helper");
    std::fs::write(
        dir.path().join("stranger/schema.sql"),
        "CREATE TABLE own (id TEXT);\nCREATE INDEX own_id ON own(id);\n\
         CREATE TRIGGER t AFTER INSERT ON own BEGIN SELECT id FROM owner_things; END;\n",
    )
    .expect("a stranger");
    let edges: &[(&str, &[&str])] = &[("reader", &["owner"])];
    let published = |family: &str| {
        if family == "owner" {
            vec!["owner_things".to_string()]
        } else {
            Vec::new()
        }
    };
    let wrong = sql_reaches(dir.path(), edges, &published);
    assert_eq!(wrong.len(), 4, "{wrong:#?}");
    assert!(
        wrong[0].contains("reader names owner's table `things`"),
        "{wrong:#?}"
    );
    assert!(
        wrong[1].contains("reader writes owner's view `owner_things`"),
        "{wrong:#?}"
    );
    // The second table of a comma join.
    assert!(
        wrong[2].contains("reader names owner's table `things`"),
        "{wrong:#?}"
    );
    assert!(
        wrong[3].contains("stranger reads owner's view `owner_things` but may not use owner"),
        "{wrong:#?}"
    );
}

/// A published view is one table's columns, so that SQLite folds it into
/// the query that reads it and a join through it costs what a join on the
/// table does: its plan is one scan of one table, nothing materialized.
#[test]
fn every_published_view_is_one_table_that_sqlite_folds_in() {
    let mut db = rusqlite::Connection::open_in_memory().expect("an in-memory database");
    let tx = db.transaction().expect("a transaction");
    crate::kernel::engine::install(
        &tx,
        crate::families::ALL,
        time::OffsetDateTime::UNIX_EPOCH,
        true,
    )
    .expect("the schemas install");
    let mut checked = 0;
    for family in crate::families::ALL {
        for view in family.views {
            let plan: Vec<String> = tx
                .prepare(&format!("EXPLAIN QUERY PLAN SELECT * FROM \"{view}\""))
                .and_then(|mut stmt| {
                    stmt.query_map([], |row| row.get::<_, String>(3))?
                        .collect::<rusqlite::Result<_>>()
                })
                .unwrap_or_else(|error| panic!("{view}: {error}"));
            assert!(
                plan.len() == 1 && plan[0].starts_with("SCAN "),
                "{} publishes {view}, which is not one table's columns: {plan:?}",
                family.name
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the families publish views");
}
