//! The macro's input and the precache file it names.
//!
//! `cloudstack_api!(path = "tests/fixtures/small.json")` reads a file
//! relative to the invoking crate's `CARGO_MANIFEST_DIR`;
//! `cloudstack_api!(env = "MARVIN_PRECACHE_PATH")` reads the path from an
//! environment variable at expansion time (marvin-entities' build script
//! sets it). Errors point at the literal.

use std::path::{Path, PathBuf};

use marvin_core::schema::ApiList;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// Where the precache comes from.
pub(crate) enum Source {
    /// A path relative to `CARGO_MANIFEST_DIR` (or absolute).
    Path(LitStr),
    /// An environment variable holding the path.
    Env(LitStr),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(lit) => write!(f, "path = {:?}", lit.value()),
            Self::Env(lit) => write!(f, "env = {:?}", lit.value()),
        }
    }
}

impl Parse for Source {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `path = \"...\"` or `env = \"VARIABLE\"`",
            )
        })?;
        input.parse::<Token![=]>()?;
        let value: LitStr = input.parse()?;
        let _ = input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the precache source"));
        }
        match key.to_string().as_str() {
            "path" => Ok(Self::Path(value)),
            "env" => Ok(Self::Env(value)),
            other => Err(syn::Error::new(
                key.span(),
                format!("unknown key `{other}`: expected `path` or `env`"),
            )),
        }
    }
}

/// A loaded precache.
#[derive(Debug)]
pub(crate) struct Precache {
    /// The APIs (empty when an `env` source names a missing file).
    pub(crate) list: ApiList,
    /// The file, absolute, when it exists: the expansion `include_bytes!`s
    /// it so the compiler tracks it.
    pub(crate) tracked: Option<PathBuf>,
    /// The file, for messages.
    pub(crate) shown: String,
}

impl Source {
    /// The span of the literal, for errors.
    pub(crate) fn span(&self) -> proc_macro2::Span {
        self.literal().span()
    }

    fn literal(&self) -> &LitStr {
        match self {
            Self::Path(lit) | Self::Env(lit) => lit,
        }
    }

    /// Reads and parses the precache.
    pub(crate) fn load(&self) -> syn::Result<Precache> {
        let lit = self.literal();
        let error = |message: String| syn::Error::new(lit.span(), message);
        let (path, missing_is_empty) = match self {
            Self::Path(lit) => {
                let dir = std::env::var_os("CARGO_MANIFEST_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_default();
                (dir.join(lit.value()), false)
            }
            Self::Env(lit) => {
                let name = lit.value();
                let value = std::env::var_os(&name)
                    .ok_or_else(|| error(format!("environment variable {name} is not set")))?;
                (PathBuf::from(value), true)
            }
        };
        let shown = path.display().to_string();
        if !path.is_file() && missing_is_empty {
            return Ok(Precache {
                list: ApiList {
                    count: 0,
                    api: Vec::new(),
                },
                tracked: None,
                shown,
            });
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| error(format!("cannot read precache {shown}: {e}")))?;
        let list = parse(&text, &shown).map_err(error)?;
        let tracked = Some(absolute(&path));
        Ok(Precache {
            list,
            tracked,
            shown,
        })
    }
}

fn absolute(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Parses and checks a precache document; errors name the file and the
/// offending entry.
pub(crate) fn parse(text: &str, shown: &str) -> Result<ApiList, String> {
    let list = ApiList::from_json(text).map_err(|e| format!("precache {shown}: {e}"))?;
    check(&list).map_err(|e| format!("precache {shown}: {e}"))?;
    Ok(list)
}

/// What the generator relies on: names are identifiers, and unique.
pub(crate) fn check(list: &ApiList) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for (index, api) in list.api.iter().enumerate() {
        let entry = format!("api[{index}] ({:?})", api.name);
        if api.name.is_empty() || !api.name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(format!("{entry}: the name must start with a letter"));
        }
        if !api.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("{entry}: the name must be letters and digits"));
        }
        if !seen.insert(api.name.to_ascii_lowercase()) {
            return Err(format!("{entry}: the name appears twice"));
        }
        for (p, param) in api.params.iter().enumerate() {
            if param.name.is_empty() || !param.name.chars().any(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("{entry}: params[{p}] has no usable name"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_from_tokens() {
        let source: Source = syn::parse_str(r#"path = "a.json""#).unwrap();
        assert!(matches!(source, Source::Path(lit) if lit.value() == "a.json"));
        let source: Source = syn::parse_str(r#"env = "X","#).unwrap();
        assert!(matches!(source, Source::Env(lit) if lit.value() == "X"));
        let error = syn::parse_str::<Source>(r#"file = "a.json""#).unwrap_err();
        assert!(error.to_string().contains("unknown key `file`"), "{error}");
        assert!(syn::parse_str::<Source>(r#""a.json""#).is_err());
    }

    #[test]
    fn errors_name_the_file_and_the_entry() {
        let doc = r#"{"api":[{"name":"listZones"},{"name":"listzones"}]}"#;
        let error = parse(doc, "p.json").unwrap_err();
        assert!(
            error.contains("p.json") && error.contains("api[1] (\"listzones\")"),
            "{error}"
        );
        let doc = r#"{"api":[{"name":"list Zones"}]}"#;
        assert!(parse(doc, "p.json").unwrap_err().contains("api[0]"));
        let doc = r#"{"api":[{"name":"a","params":[{"name":"","type":"string"}]}]}"#;
        assert!(parse(doc, "p.json").unwrap_err().contains("params[0]"));
        assert!(parse("[1,2]", "p.json").unwrap_err().contains("p.json"));
    }

    #[test]
    fn an_unset_variable_and_a_missing_path_are_errors() {
        let name = "MARVIN_MACROS_TEST_MISSING_PRECACHE";
        let lit = LitStr::new(name, proc_macro2::Span::call_site());
        assert!(
            Source::Env(lit.clone())
                .load()
                .unwrap_err()
                .to_string()
                .contains("is not set")
        );
        let lit = LitStr::new("/definitely/not/here.json", proc_macro2::Span::call_site());
        assert!(Source::Path(lit).load().is_err());
    }
}
