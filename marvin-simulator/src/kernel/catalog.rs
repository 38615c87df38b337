//! The catalog: what the simulator serves.
//!
//! Two halves that must agree:
//!
//! - the **precache** (this crate's copy of the workspace's
//!   `api-precache.json`, embedded at build time): per command its
//!   parameters (type, length, required) and whether it is async. Generic
//!   validation and `listApis` are driven by it;
//! - the **registry**: the commands of the families handed to it, each with
//!   its handler and roles. Building it fails on a duplicate name.
//!
//! A unit test checks that each side names exactly the commands of the other;
//! after adding a command, regenerate the precache with
//! `MARVIN_BLESS=1 cargo test -p marvin-simulator --test platform precache`.

use std::collections::HashMap;
use std::sync::LazyLock;

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
    json: Vec<Value>,
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
        let mut index = HashMap::with_capacity(list.api.len());
        let mut specs = Vec::with_capacity(list.api.len());
        let mut json = Vec::with_capacity(list.api.len());
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
            json.push(serde_json::to_value(api).unwrap_or(Value::Null));
        }
        Self {
            apis: list.api,
            specs,
            json,
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
        self.position(name).map(|i| &self.json[i])
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
    /// The command name.
    pub command: &'static str,
    /// The two families that both declare it.
    pub families: (&'static str, &'static str),
}

impl std::fmt::Display for DuplicateCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "command {} is declared by both the {} and the {} family",
            self.command, self.families.0, self.families.1
        )
    }
}

impl std::error::Error for DuplicateCommand {}

/// The commands of the families, by name. CloudStack looks commands up by
/// their exact spelling (`ApiServer` keeps them in a case-sensitive map), so
/// `LISTZONES` is not `listZones`; names that differ only in case are still
/// refused as duplicates, since no client could tell them apart reliably.
#[derive(Debug)]
pub struct Registry {
    commands: HashMap<&'static str, (&'static str, &'static Command)>,
}

impl Registry {
    /// Collects the commands of `families`, refusing duplicates.
    pub fn build(families: &[&'static Family]) -> Result<Self, DuplicateCommand> {
        let mut commands: HashMap<&'static str, (&'static str, &'static Command)> = HashMap::new();
        let mut folded: HashMap<String, &'static str> = HashMap::new();
        for family in families {
            for command in family.commands {
                if let Some(other) = folded.insert(command.name.to_ascii_lowercase(), family.name) {
                    return Err(DuplicateCommand {
                        command: command.name,
                        families: (other, family.name),
                    });
                }
                commands.insert(command.name, (family.name, command));
            }
        }
        Ok(Self { commands })
    }

    /// A command by its exact name.
    pub fn get(&self, name: &str) -> Option<&'static Command> {
        self.commands.get(name).map(|(_, command)| *command)
    }

    /// The family that declares a command (by its exact name).
    pub fn family_of(&self, name: &str) -> Option<&'static str> {
        self.commands.get(name).map(|(family, _)| *family)
    }

    /// Every command, sorted by name.
    pub fn commands(&self) -> Vec<&'static Command> {
        let mut all: Vec<&'static Command> = self.commands.values().map(|(_, c)| *c).collect();
        all.sort_by(|a, b| a.name.cmp(b.name));
        all
    }
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
    use crate::kernel::contract::{Call, Reply};
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
        let error = Registry::build(&[&A, &B]).unwrap_err();
        assert_eq!(error.families, ("a", "b"));
        assert!(error.to_string().contains("listthings"));
        let ok = Registry::build(&[&A]).unwrap();
        assert_eq!(ok.get("listThings").map(|c| c.name), Some("listThings"));
        // Commands are found by their exact spelling only, as CloudStack's
        // ApiServer finds them (its command map is case-sensitive).
        assert!(ok.get("LISTTHINGS").is_none());
        assert!(ok.get("listthings").is_none());
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
