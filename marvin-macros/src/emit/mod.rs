//! Tokens from the model: entities at the invocation site, request types in
//! `commands`, other answer types in `responses`.
//!
//! The emitters decide nothing: names, types and roles come from the
//! model. Generated code calls the runtime of marvin-entities
//! (`::marvin_entities::__private`) by absolute path, so the same expansion
//! works inside marvin-entities and in a test crate.

mod command;
mod entity;
mod response;

use std::path::Path;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Answer, ArgKind, Command, FieldTy, Model, Module, Scalar, TypeRef};

/// The module an item is emitted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    /// The invocation site (entities).
    Root,
    /// `commands`.
    Commands,
    /// `responses`.
    Responses,
}

/// The path of the runtime helpers.
pub(crate) fn rt() -> TokenStream {
    quote!(::marvin_entities::__private)
}

/// The path of the runtime's public types.
pub(crate) fn krate() -> TokenStream {
    quote!(::marvin_entities)
}

/// An identifier from a name the model made valid.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Escapes schema text for rustdoc's Markdown: no HTML tags, no links.
pub(crate) fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' | ']' | '*' | '_' | '`' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A `#[doc]` attribute.
pub(crate) fn doc(text: &str) -> TokenStream {
    quote!(#[doc = #text])
}

/// The path to a generated type from `site`.
pub(crate) fn type_path(t: &TypeRef, site: Site) -> TokenStream {
    let name = ident(&t.name);
    match (t.module, site) {
        (Module::Root, Site::Root) | (Module::Responses, Site::Responses) => quote!(#name),
        (Module::Root, _) => quote!(super::#name),
        (Module::Responses, Site::Root) => quote!(responses::#name),
        (Module::Responses, Site::Commands) => quote!(super::responses::#name),
    }
}

/// The path to a request-side type (`commands::X`) from `site`.
pub(crate) fn command_path(name: &str, site: Site) -> TokenStream {
    let name = ident(name);
    match site {
        Site::Root => quote!(commands::#name),
        Site::Commands => quote!(#name),
        Site::Responses => quote!(super::commands::#name),
    }
}

/// The Rust type of an answer field.
pub(crate) fn field_type(ty: &FieldTy, site: Site) -> TokenStream {
    let krate = krate();
    let rt = rt();
    match ty {
        FieldTy::Id => quote!(String),
        FieldTy::Scalar(s) => {
            let inner = match s {
                Scalar::Str => quote!(String),
                Scalar::Secret => quote!(#krate::Secret),
                Scalar::Int => quote!(i64),
                Scalar::Float => quote!(f64),
                Scalar::Bool => quote!(bool),
                Scalar::Date => quote!(#krate::Timestamp),
                Scalar::Map => quote!(#krate::Object),
                Scalar::Json => quote!(#rt::Value),
            };
            quote!(Option<#inner>)
        }
        FieldTy::Values => quote!(Vec<#rt::Value>),
        FieldTy::Strings => quote!(Vec<String>),
        FieldTy::Object(t) => {
            let path = type_path(t, site);
            quote!(Option<#path>)
        }
        FieldTy::Objects(t) => {
            let path = type_path(t, site);
            quote!(Vec<#path>)
        }
    }
}

/// The Rust type of a request parameter.
pub(crate) fn arg_type(kind: ArgKind) -> TokenStream {
    let krate = krate();
    match kind {
        ArgKind::Str => quote!(String),
        ArgKind::Secret => quote!(#krate::Secret),
        ArgKind::Int => quote!(i64),
        ArgKind::Float => quote!(f64),
        ArgKind::Bool => quote!(bool),
        ArgKind::List => quote!(Vec<String>),
        ArgKind::Map => quote!(Vec<::std::collections::BTreeMap<String, String>>),
    }
}

/// The type a function takes for a parameter, and how it becomes the field
/// value (`impl Into<String>` + `.into()`).
pub(crate) fn arg_input(kind: ArgKind, name: &Ident) -> (TokenStream, TokenStream) {
    let krate = krate();
    let rt = rt();
    match kind {
        ArgKind::Str => (quote!(impl Into<String>), quote!(#name.into())),
        ArgKind::Secret => (
            quote!(impl Into<String>),
            quote!(#krate::Secret::new(#name)),
        ),
        ArgKind::Int => (quote!(i64), quote!(#name)),
        ArgKind::Float => (quote!(f64), quote!(#name)),
        ArgKind::Bool => (quote!(bool), quote!(#name)),
        ArgKind::List => (
            quote!(impl IntoIterator<Item = impl Into<String>>),
            quote!(#rt::strings(#name)),
        ),
        ArgKind::Map => (
            quote!(
                impl IntoIterator<
                    Item = impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
                >
            ),
            quote!(#rt::maps(#name)),
        ),
    }
}

/// The answer of `command` for rustdoc, seen from `commands`.
pub(crate) fn answer_doc(command: &Command) -> String {
    let item = match &command.response.answer {
        Answer::Type(t) => {
            let path = match t.module {
                Module::Root => format!("super::{}", t.name),
                Module::Responses => format!("super::responses::{}", t.name),
            };
            format!("[`{}`]({path})", t.name)
        }
        Answer::Success => "[`Success`](marvin_entities::Success)".to_string(),
        Answer::Raw => "the raw JSON".to_string(),
    };
    match (&command.response.answer, command.response.many) {
        (Answer::Type(_), true) => format!("a list of {item}"),
        _ => item,
    }
}

/// The type of one answer item of `command`.
pub(crate) fn answer_item(command: &Command, site: Site) -> TokenStream {
    match &command.response.answer {
        Answer::Type(t) => type_path(t, site),
        Answer::Success => {
            let krate = krate();
            quote!(#krate::Success)
        }
        Answer::Raw => {
            let rt = rt();
            quote!(#rt::Value)
        }
    }
}

/// What sending `command` yields: the item, or a `Vec` of items.
pub(crate) fn answer_type(command: &Command, site: Site) -> TokenStream {
    let item = answer_item(command, site);
    match (&command.response.answer, command.response.many) {
        (Answer::Type(_), true) => quote!(Vec<#item>),
        _ => item,
    }
}

/// Whether `command` can be streamed page by page.
pub(crate) fn streams(command: &Command) -> bool {
    command.response.paged
        && command.response.many
        && matches!(command.response.answer, Answer::Type(_))
}

/// `CATALOG` (every API and whether it answers with a job, sorted for
/// lookups) and `api`, through which untyped calls learn that from the
/// precache.
fn catalog(model: &Model, source: &str) -> TokenStream {
    let rt = rt();
    let mut apis: Vec<(&str, bool)> = model
        .commands
        .iter()
        .map(|c| (c.api.as_str(), c.is_async))
        .collect();
    apis.sort_unstable();
    let entries = apis
        .iter()
        .map(|(name, is_async)| quote!((#name, #is_async)));
    let catalog_doc = doc(&format!(
        "The APIs of `{source}`, and which of them answer with a job to wait for."
    ));
    let api_doc = doc(&format!(
        "The API named `name` as `{source}` describes it, for an untyped call \
         (`client.call(api(\"listZones\"))`): a job it answers with is waited for \
         when the precache says it is async. A name the precache does not list is \
         sent as it is, its answer returned unwaited.\n\n\
         ```\n\
         use marvin_core::client::ApiKind;\n\
         assert_eq!(marvin_entities::api(\"noSuchApi\").kind(), ApiKind::Unknown);\n\
         ```"
    ));
    quote! {
        #catalog_doc
        pub static CATALOG: #rt::Catalog = #rt::Catalog::new(&[#(#entries),*]);
        #api_doc
        pub fn api(name: &str) -> #rt::Api {
            CATALOG.api(name)
        }
    }
}

/// The whole expansion.
pub(crate) fn api(model: &Model, tracked: Option<&Path>, source: &str) -> TokenStream {
    let track = tracked.map(|path| {
        let path = path.display().to_string();
        quote!(
            const _: &[u8] = include_bytes!(#path);
        )
    });
    let entities = model.entities.iter().map(|e| entity::emit(e, model));
    let commands = model.commands.iter().map(|c| command::emit(c, model));
    let args = command::markers(model);
    let structs = model.structs.iter().map(response::emit);
    let commands_doc = doc(&format!(
        "Typed requests, one per API of `{source}`: required parameters as fields, optional ones in \
         an `...Options` struct, alternative ones in a `...Target` enum."
    ));
    let responses_doc = doc("Answer types that are not entities, and nested answer objects.");
    let deletion_rules = entity::deletion_rules(model);
    let catalog = catalog(model, source);
    let names = model
        .entities
        .iter()
        .map(|e| crate::model::entity_type(&e.name));
    let entities_doc = doc(&format!(
        "The type names of the entities generated from `{source}` (factories are named apart \
         from them)."
    ));
    quote! {
        #track
        #catalog
        #entities_doc
        pub const ENTITIES: &[&str] = &[#(#names),*];
        #deletion_rules
        #(#entities)*
        #commands_doc
        pub mod commands {
            #args
            #(#commands)*
        }
        #responses_doc
        pub mod responses {
            #(#structs)*
        }
    }
}

#[cfg(test)]
mod tests;
