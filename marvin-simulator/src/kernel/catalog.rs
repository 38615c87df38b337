//! The catalog: what the simulator serves.
//!
//! Two halves that must agree:
//!
//! - the **precache** (this crate's copy of the workspace's
//!   `api-precache.json`, embedded at build time): per command its
//!   parameters (type, length, required) and whether it is async. Generic
//!   validation and `listApis` are driven by it;
//! - the **registry**: the commands of the families handed to it, each with
//!   its handler and roles, and for every other API of the precache a
//!   command of the one fallback family among them, if any. Building it
//!   fails on a duplicate name.
//!
//! A unit test checks that each side names exactly the commands of the other;
//! after adding a command, regenerate the precache with
//! `MARVIN_BLESS=1 cargo test -p marvin-simulator --test platform precache`.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use marvin_core::schema::{Api, ApiList};
use serde_json::Value;

use crate::kernel::contract::{Command, Family};

/// The embedded `api-precache.json`.
pub const PRECACHE: &str = include_str!("../../api-precache.json");

/// A parameter type, as the precache names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// `boolean`: never fails (Java's `Boolean.valueOf`).
    Boolean,
    /// `date`: `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss` or CloudStack's format.
    Date,
    /// `tzdate`: a date with a time zone.
    TzDate,
    /// `float` or `double`.
    Float,
    /// `short` (16 bits).
    Short,
    /// `integer` (32 bits).
    Integer,
    /// `long` (64 bits).
    Long,
    /// `list`: comma-separated.
    List,
    /// `map`: `name[i].field=value`.
    Map,
    /// `string`: checked against its length.
    String,
    /// `uuid`: must be a well-formed UUID.
    Uuid,
    /// `object` and anything else: not checked.
    Other,
}

impl ParamKind {
    /// Reads a precache type name.
    pub fn parse(kind: &str) -> Self {
        match kind.to_ascii_lowercase().as_str() {
            "boolean" => Self::Boolean,
            "date" => Self::Date,
            "tzdate" => Self::TzDate,
            "float" | "double" => Self::Float,
            "short" => Self::Short,
            "integer" | "int" => Self::Integer,
            "long" => Self::Long,
            "list" => Self::List,
            "map" => Self::Map,
            "string" => Self::String,
            "uuid" => Self::Uuid,
            _ => Self::Other,
        }
    }
}

/// One parameter of a command, ready for validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    /// The name, lower-cased (as [`crate::Params`] stores names).
    pub name: String,
    /// Its type.
    pub kind: ParamKind,
    /// The maximum length of a string value.
    pub length: Option<u32>,
    /// Whether the call fails without it.
    pub required: bool,
}

/// One command of the precache, ready for validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSpec {
    /// The name as CloudStack spells it (`listZones`).
    pub name: String,
    /// Whether the command answers with a job.
    pub isasync: bool,
    /// The parameters.
    pub params: Vec<ParamSpec>,
    /// Whether it is a paged list (it takes `pagesize`).
    pub paged: bool,
}

/// The precache, indexed by lower-cased command name.
#[derive(Debug)]
pub struct Catalog {
    apis: Vec<Api>,
    specs: Vec<ApiSpec>,
    /// Each entry as `listApis` serves it, made when first asked for: most
    /// runs list few APIs, and making all of them would slow the first
    /// start of a process.
    json: Vec<OnceLock<Value>>,
    index: HashMap<String, usize>,
}

impl Catalog {
    /// Reads a precache document.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let list = ApiList::from_json(text).map_err(|e| format!("api-precache.json: {e}"))?;
        Ok(Self::from_list(list))
    }

    /// Indexes a `listApis` model.
    pub fn from_list(list: ApiList) -> Self {
        let count = list.api.len();
        let mut index = HashMap::with_capacity(count);
        let mut specs = Vec::with_capacity(list.api.len());
        for (position, api) in list.api.iter().enumerate() {
            index.insert(api.name.to_ascii_lowercase(), position);
            let params: Vec<ParamSpec> = api
                .params
                .iter()
                .map(|p| ParamSpec {
                    name: p.name.to_ascii_lowercase(),
                    kind: ParamKind::parse(&p.kind),
                    length: p.length,
                    required: p.required,
                })
                .collect();
            let paged = params.iter().any(|p| p.name == "pagesize");
            specs.push(ApiSpec {
                name: api.name.clone(),
                isasync: api.isasync,
                params,
                paged,
            });
        }
        Self {
            apis: list.api,
            specs,
            json: (0..count).map(|_| OnceLock::new()).collect(),
            index,
        }
    }

    /// The embedded precache (parsed once per process).
    pub fn global() -> Result<&'static Catalog, String> {
        static CATALOG: LazyLock<Result<Catalog, String>> =
            LazyLock::new(|| Catalog::from_json(PRECACHE));
        CATALOG.as_ref().map_err(Clone::clone)
    }

    /// The spec of a command, by name in any case.
    pub fn spec(&self, name: &str) -> Option<&ApiSpec> {
        self.position(name).map(|i| &self.specs[i])
    }

    /// The `listApis` entry of a command, by name in any case.
    pub fn api(&self, name: &str) -> Option<&Api> {
        self.position(name).map(|i| &self.apis[i])
    }

    /// The `listApis` entry as JSON (ready to serve).
    pub fn api_json(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| {
            self.json[i].get_or_init(|| serde_json::to_value(&self.apis[i]).unwrap_or(Value::Null))
        })
    }

    /// Every API, in precache order (sorted by name).
    pub fn apis(&self) -> &[Api] {
        &self.apis
    }

    fn position(&self, name: &str) -> Option<usize> {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.index.get(&name.to_ascii_lowercase()).copied()
        } else {
            self.index.get(name).copied()
        }
    }
}

/// Why the registry could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCommand {
    /// The command name (`*` when two families both answer the rest).
    pub command: &'static str,
    /// The two families that both declare it.
    pub families: (&'static str, &'static str),
}

impl std::fmt::Display for DuplicateCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.command == "*" {
            return write!(
                f,
                "both the {} and the {} family answer the APIs no family declares",
                self.families.0, self.families.1
            );
        }
        write!(
            f,
            "command {} is declared by both the {} and the {} family",
            self.command, self.families.0, self.families.1
        )
    }
}

impl std::error::Error for DuplicateCommand {}

/// How a registered command is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A family declares a command for it, with its own semantics.
    Modeled(&'static str),
    /// The fallback family answers it from its schema (the family's name).
    Generic(&'static str),
}

/// The commands of the families, by name. CloudStack looks commands up by
/// their exact spelling (`ApiServer` keeps them in a case-sensitive map), so
/// `LISTZONES` is not `listZones`; names that differ only in case are still
/// refused as duplicates, since no client could tell them apart reliably.
///
/// Declared commands come first; every other API of the catalog goes to the
/// fallback family, if one was handed over ([`Family::answering_the_rest`]).
#[derive(Debug)]
pub struct Registry {
    commands: HashMap<&'static str, (Level, &'static Command)>,
}

impl Registry {
    /// Collects the commands the `families` declare, refusing duplicates
    /// (no fallback: what the families model).
    pub fn declared(families: &[&'static Family]) -> Result<Self, DuplicateCommand> {
        let mut commands: HashMap<&'static str, (Level, &'static Command)> = HashMap::new();
        let mut folded: HashMap<String, &'static str> = HashMap::new();
        for family in families {
            for command in family.commands {
                if let Some(other) = folded.insert(command.name.to_ascii_lowercase(), family.name) {
                    return Err(DuplicateCommand {
                        command: command.name,
                        families: (other, family.name),
                    });
                }
                commands.insert(command.name, (Level::Modeled(family.name), command));
            }
        }
        Ok(Self { commands })
    }

    /// The declared commands of `families`, plus a command of their fallback
    /// family for every API of `catalog` that none declares.
    pub fn build(
        families: &[&'static Family],
        catalog: &'static Catalog,
    ) -> Result<Self, DuplicateCommand> {
        let mut registry = Self::declared(families)?;
        let mut fallbacks = families.iter().filter(|f| f.fallback.is_some());
        let Some(fallback) = fallbacks.next() else {
            return Ok(registry);
        };
        if let Some(other) = fallbacks.next() {
            return Err(DuplicateCommand {
                command: "*",
                families: (fallback.name, other.name),
            });
        }
        let claimed: Vec<&str> = registry.commands.keys().copied().collect();
        for command in fallback_commands(fallback, catalog, &claimed) {
            registry
                .commands
                .insert(command.name, (Level::Generic(fallback.name), command));
        }
        Ok(registry)
    }

    /// A command by its exact name.
    pub fn get(&self, name: &str) -> Option<&'static Command> {
        self.commands.get(name).map(|(_, command)| *command)
    }

    /// The family that answers a command (by its exact name).
    pub fn family_of(&self, name: &str) -> Option<&'static str> {
        self.level(name).map(|level| match level {
            Level::Modeled(family) | Level::Generic(family) => family,
        })
    }

    /// How a command is served (by its exact name).
    pub fn level(&self, name: &str) -> Option<Level> {
        self.commands.get(name).map(|(level, _)| *level)
    }

    /// Every command, sorted by name.
    pub fn commands(&self) -> Vec<&'static Command> {
        let mut all: Vec<&'static Command> = self.commands.values().map(|(_, c)| *c).collect();
        all.sort_by(|a, b| a.name.cmp(b.name));
        all
    }
}

/// The fallback's commands for the APIs of `catalog` not in `claimed`.
/// A registry lives as long as its simulator but hands out `&'static`
/// commands (jobs keep them); the table is made once per catalog, fallback
/// and claimed set, and kept for the process, so that starting simulators
/// again and again does not make new ones.
fn fallback_commands(
    family: &'static Family,
    catalog: &'static Catalog,
    claimed: &[&str],
) -> &'static [Command] {
    type Key = (usize, usize, Vec<String>);
    static MADE: std::sync::Mutex<Vec<(Key, &'static [Command])>> =
        std::sync::Mutex::new(Vec::new());
    let Some(fallback) = family.fallback else {
        return &[];
    };
    let mut names: Vec<String> = claimed.iter().map(|name| (*name).to_string()).collect();
    names.sort_unstable();
    let key: Key = (
        std::ptr::from_ref(catalog) as usize,
        std::ptr::from_ref(family) as usize,
        names,
    );
    let mut made = MADE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, commands)) = made.iter().find(|(k, _)| *k == key) {
        return commands;
    }
    let commands: Vec<Command> = catalog
        .apis()
        .iter()
        .filter(|api| key.2.binary_search(&api.name).is_err())
        .map(|api| Command {
            name: api.name.as_str(),
            roles: (fallback.roles)(&api.name),
            doc: api.description.as_str(),
            run: fallback.run,
        })
        .collect();
    let commands: &'static [Command] = Box::leak(commands.into_boxed_slice());
    made.push((key, commands));
    commands
}

/// What the simulator serves: the precache and the commands of the
/// families it was started with. Handlers that describe the simulator's
/// own commands (`listApis`, the fault APIs) read it from their call.
#[derive(Debug)]
pub struct Served {
    /// The precache.
    pub catalog: &'static Catalog,
    /// The families' commands.
    pub registry: Registry,
}

impl Served {
    /// A registered command that the precache also knows.
    pub fn lookup(&self, name: &str) -> Option<(&'static Command, &'static ApiSpec)> {
        let command = self.registry.get(name)?;
        let spec = self.catalog.spec(command.name)?;
        Some((command, spec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::caller::RoleSet;
    use crate::kernel::contract::{Call, Fallback, Reply};
    use crate::kernel::error::ApiError;

    fn nothing(_: &mut Call<'_>) -> Result<Reply, ApiError> {
        Ok(Reply::Success(None))
    }

    const COMMANDS: &[Command] = &[Command {
        name: "listThings",
        roles: RoleSet::ALL,
        doc: "Lists things.",
        run: nothing,
    }];
    const OTHER: &[Command] = &[Command {
        name: "listthings",
        roles: RoleSet::ALL,
        doc: "Lists things again.",
        run: nothing,
    }];
    const A: Family = Family::new("a", "", COMMANDS);
    const B: Family = Family::new("b", "", OTHER);

    #[test]
    fn a_duplicate_command_fails_the_registry() {
        let error = Registry::declared(&[&A, &B]).unwrap_err();
        assert_eq!(error.families, ("a", "b"));
        assert!(error.to_string().contains("listthings"));
        let ok = Registry::declared(&[&A]).unwrap();
        assert_eq!(ok.get("listThings").map(|c| c.name), Some("listThings"));
        // Commands are found by their exact spelling only, as CloudStack's
        // ApiServer finds them (its command map is case-sensitive).
        assert!(ok.get("LISTTHINGS").is_none());
        assert!(ok.get("listthings").is_none());
    }

    fn commands_by(_: &str) -> RoleSet {
        RoleSet::ADMIN
    }

    const FALLBACK: Family = Family::new("rest", "", &[]).answering_the_rest(Fallback {
        roles: commands_by,
        run: nothing,
    });
    const THINGS: Family = Family::new("things", "", COMMANDS);

    #[test]
    fn the_fallback_answers_what_no_family_declares_and_a_declared_command_wins() {
        let doc = r#"{"api":[{"name":"listThings","isasync":false,"params":[]},
            {"name":"createThing","isasync":false,"params":[]}]}"#;
        let catalog: &'static Catalog = Box::leak(Box::new(Catalog::from_json(doc).unwrap()));
        let registry = Registry::build(&[&THINGS, &FALLBACK], catalog).unwrap();
        assert_eq!(registry.level("listThings"), Some(Level::Modeled("things")));
        assert_eq!(registry.level("createThing"), Some(Level::Generic("rest")));
        assert_eq!(
            registry.get("createThing").map(|c| c.roles),
            Some(RoleSet::ADMIN)
        );
        assert_eq!(registry.commands().len(), 2);
        // Without the fallback, only what is declared.
        let declared = Registry::build(&[&THINGS], catalog).unwrap();
        assert!(declared.get("createThing").is_none());
        // A second fallback is refused like a duplicate command.
        let error = Registry::build(&[&FALLBACK, &FALLBACK], catalog).unwrap_err();
        assert_eq!(error.command, "*");
        // Built again, the same fallback commands are handed out.
        let again = Registry::build(&[&THINGS, &FALLBACK], catalog).unwrap();
        assert!(std::ptr::eq(
            again.get("createThing").unwrap(),
            registry.get("createThing").unwrap()
        ));
    }

    #[test]
    fn specs_lower_case_parameter_names_and_know_paging() {
        let doc = r#"{"api":[{"name":"listZones","isasync":false,"params":[
            {"name":"domainId","type":"uuid","required":false},
            {"name":"pagesize","type":"integer"},
            {"name":"name","type":"string","length":10,"required":true}]}]}"#;
        let catalog = Catalog::from_json(doc).unwrap();
        let spec = catalog.spec("LISTZONES").unwrap();
        assert!(spec.paged);
        assert_eq!(spec.params[0].name, "domainid");
        assert_eq!(spec.params[0].kind, ParamKind::Uuid);
        assert_eq!(spec.params[2].length, Some(10));
        assert!(catalog.api_json("listzones").unwrap()["params"].is_array());
    }
}
