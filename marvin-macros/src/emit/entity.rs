//! Entities: the struct (or a unit struct for entities no answer
//! describes), `Decode`, `Resource`, and one method per API.

use proc_macro2::TokenStream;
use quote::quote;

use super::command::{arg_doc, summary};
use super::{Site, command_path, doc, ident, krate, response, rt};
use crate::model::{ArgKind, Entity, Fill, Method, Model, Role, entity_type};

fn entity_doc(entity: &Entity, model: &Model) -> String {
    let mut out = format!("A CloudStack `{}`.", entity.name);
    if entity.fields.is_none() {
        out.push_str(" No answer describes it: this type only groups its APIs.");
    }
    out.push('\n');
    let mut verbs = Vec::new();
    for method in &entity.methods {
        let api = &model.commands[method.command].api;
        match method.role {
            Role::Creator => {
                out.push_str(&format!("\n- Creator: [`create`](Self::create) (`{api}`)"))
            }
            Role::Enumerator => {
                out.push_str(&format!("\n- Enumerator: [`list`](Self::list) (`{api}`)"))
            }
            Role::Verb => {
                let by_id = if method.fill.is_some() {
                    ", on `&self`"
                } else {
                    ""
                };
                verbs.push(format!(
                    "\n  - [`{0}`](Self::{0}) (`{api}`{by_id})",
                    method.name
                ));
            }
        }
    }
    if entity.refresh.is_some() {
        out.push_str("\n- [`refresh`](Self::refresh): the current state, listed by id");
    }
    if let Some(removal) = &entity.removal {
        let api = &model.commands[removal.command].api;
        let expunge = removal
            .flag
            .map(|flag| format!(" with `{flag}=true`"))
            .unwrap_or_default();
        let by = match &removal.key_field {
            Some(key) => format!(" by `{key}`"),
            None => String::new(),
        };
        out.push_str(&format!(
            "\n- Deletion (for cleanup, `Resource::deletion`): `{api}`{by}{expunge}"
        ));
    }
    if !verbs.is_empty() {
        out.push_str("\n- Verbs:");
        out.push_str(&verbs.concat());
    }
    out
}

/// The identifier of `entity`'s field named `wire`.
fn field_of(entity: &Entity, wire: &str) -> proc_macro2::Ident {
    let fields = entity.fields.as_deref().unwrap_or_default();
    ident(
        fields
            .iter()
            .find(|f| f.wire == wire)
            .map_or(wire, |f| &f.ident),
    )
}

fn method(m: &Method, entity: &Entity, model: &Model) -> TokenStream {
    let rt = rt();
    let command = &model.commands[m.command];
    let name = ident(&m.name);

    let mut docs = summary(command);
    let filled = match &m.fill {
        Some(Fill::Required(i)) => Some(command.required[*i].wire.clone()),
        Some(Fill::Optional(i)) => Some(command.optional[*i].wire.clone()),
        Some(Fill::Target) => Some("id".to_string()),
        Some(Fill::Key { .. }) | None => None,
    };
    if let Some(wire) = &filled {
        docs.push_str(&format!(" Sends this entity's id as `{wire}`."));
    }
    if let Some(Fill::Key { required, scope }) = &m.fill {
        let key = &command.required[*required].wire;
        docs.push_str(&format!(" Sends this entity's `{key}`"));
        if !scope.is_empty() {
            let owners: Vec<String> = scope
                .iter()
                .map(|i| format!("`{}`", command.optional[*i].wire))
                .collect();
            docs.push_str(&format!(", and its {} when set", owners.join(", ")));
        }
        docs.push('.');
    }
    let args: Vec<_> = command
        .required
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !matches!(&m.fill, Some(Fill::Required(f)) | Some(Fill::Key { required: f, .. }) if f == i)
        })
        .map(|(_, a)| a)
        .collect();
    let takes_target = command.target.is_some() && m.fill != Some(Fill::Target);
    if !args.is_empty() || takes_target {
        docs.push_str("\n\n# Required arguments (set by name before `.await`)\n");
        for a in &args {
            docs.push_str(&format!("\n- `.{}(..)`: {}", a.ident, arg_doc(a)));
        }
        if let Some(t) = command.target.as_ref().filter(|_| takes_target) {
            docs.push_str(&format!(
                "\n- `.{}(..)`: which one, a [`{1}`](commands::{1})",
                super::command::TARGET_MARKER,
                t.name
            ));
        }
    }
    if let Some(o) = &command.options {
        docs.push_str(&format!(
            "\n\nOptional arguments: one setter each, as in [`{o}`](commands::{o})."
        ));
    }
    let docs = doc(&docs);

    let receiver = m.fill.as_ref().map(|_| quote!(&self,));
    let call = command_path(&command.name, Site::Root);
    let (given, fill) = match &m.fill {
        Some(Fill::Required(i)) => {
            let field = ident(&command.required[*i].ident);
            (vec![*i], Some(quote!(.#field(self.id.clone()))))
        }
        Some(Fill::Optional(i)) => {
            let field = ident(&command.optional[*i].ident);
            (Vec::new(), Some(quote!(.#field(self.id.clone()))))
        }
        Some(Fill::Target) => {
            let t = command.target.as_ref().expect("a target fill has a target");
            let path = command_path(&t.name, Site::Root);
            let variant = ident(&t.variants[0].name);
            let by = ident(super::command::TARGET_MARKER);
            (
                vec![command.required.len()],
                Some(quote!(.#by(#path::#variant(self.id.clone())))),
            )
        }
        Some(Fill::Key { required, scope }) => {
            let arg = &command.required[*required];
            let setter = ident(&arg.ident);
            let key = field_of(entity, &arg.wire);
            let owners = scope.iter().map(|i| {
                let arg = &command.optional[*i];
                let setter = ident(&arg.ident);
                let owner = field_of(entity, &arg.wire);
                quote! {
                    let call = match &self.#owner {
                        Some(value) => call.#setter(value.clone()),
                        None => call,
                    };
                }
            });
            (
                vec![*required],
                Some(quote! {
                    .#setter(self.#key.clone().unwrap_or_default());
                    #(#owners)*
                    call
                }),
            )
        }
        None => (Vec::new(), None),
    };
    let ty = super::command::call_type(command, &given, Site::Root);
    let body = match &m.fill {
        Some(Fill::Key { .. }) => quote!(let call = #call::call(client) #fill),
        _ => quote!(#call::call(client) #fill),
    };
    quote! {
        #docs
        pub fn #name(#receiver client: &#rt::Client) -> #ty {
            #body
        }
    }
}

/// One entity.
pub(crate) fn emit(entity: &Entity, model: &Model) -> TokenStream {
    let rt = rt();
    let krate = krate();
    let type_name = entity_type(&entity.name);
    let name = ident(&type_name);
    let docs = doc(&entity_doc(entity, model));
    let definition = match &entity.fields {
        Some(fields) => response::body(&type_name, docs, fields, Site::Root),
        None => quote! {
            #docs
            #[derive(Debug, Clone, Copy, Default)]
            pub struct #name;
        },
    };
    let methods = entity.methods.iter().map(|m| method(m, entity, model));
    let refresh = entity.refresh.as_ref().map(|r| {
        let command = &model.commands[r.command];
        let api = &command.api;
        let paged = command.response.paged;
        let listall = r.listall.then(|| quote!(p.set("listall", "true");));
        let fixed = r
            .fixed
            .iter()
            .map(|(param, value)| quote!(p.set(#param, #value);));
        quote! {
            /// This entity's current state, listed by its id.
            pub fn refresh(&self, client: &#rt::Client) -> #krate::Call<Self> {
                let mut p = #rt::Params::new();
                p.set("id", &self.id);
                #(#fixed)*
                #listall
                #rt::refresh(client, #api, p, #paged)
            }
        }
    });
    let resource = entity.has_id().then(|| {
        let label = &entity.name;
        let deletion = match &entity.removal {
            Some(removal) => {
                let command = &model.commands[removal.command];
                let api = &command.api;
                let is_async = command.is_async;
                let id_param = &removal.id_param;
                let extra = removal.flag.map(|flag| quote!((#flag, "true")));
                let field = |wire: &str| {
                    let fields = entity.fields.as_deref().unwrap_or_default();
                    ident(fields.iter().find(|f| f.wire == wire).map_or(wire, |f| &f.ident))
                };
                match &removal.key_field {
                    None => quote!(Some(#rt::deletion(#label, &self.id, #api, #is_async, #id_param, &[#extra]))),
                    Some(key) => {
                        let key = field(key);
                        let owners = removal.scope.iter().map(|wire| {
                            let f = field(wire);
                            quote!(if let Some(value) = &self.#f { deletion = deletion.param(#wire, value); })
                        });
                        quote!({
                            let key = self.#key.as_deref().filter(|key| !key.is_empty())?;
                            let mut deletion = #rt::deletion(#label, key, #api, #is_async, #id_param, &[]);
                            #(#owners)*
                            Some(deletion)
                        })
                    }
                }
            }
            None => quote!(None),
        };
        quote! {
            impl #rt::Resource for #name {
                const ENTITY: &'static str = #label;
                fn id(&self) -> &str {
                    &self.id
                }
                fn deletion(&self) -> Option<#rt::Deletion> {
                    #deletion
                }
            }
        }
    });
    quote! {
        #definition
        #resource
        impl #name {
            #(#methods)*
            #refresh
        }
    }
}

/// `DELETION_RULES`: one rule per entity that `Resource::deletion` deletes,
/// so that a sweep can check a recorded deletion against the command the
/// entity is deleted with.
pub(crate) fn deletion_rules(model: &Model) -> TokenStream {
    let rt = rt();
    let rules = model
        .entities
        .iter()
        .filter(|entity| entity.has_id())
        .filter_map(|entity| {
            let removal = entity.removal.as_ref()?;
            let command = &model.commands[removal.command];
            let (label, api, is_async, key) = (
                &entity.name,
                &command.api,
                command.is_async,
                &removal.id_param,
            );
            // Booleans change how the object goes, never which one.
            let flags = command
                .optional
                .iter()
                .filter(|arg| arg.kind == ArgKind::Bool && &arg.wire != key)
                .map(|arg| &arg.wire);
            let sends = removal.flag.map(|flag| quote!((#flag, "true")));
            let scope = &removal.scope;
            Some(quote! {
                #rt::DeletionRule::new(#label, #api, #is_async, #key)
                    .flags(&[#(#flags),*])
                    .sends(&[#sends])
                    .scope(&[#(#scope),*]),
            })
        });
    let docs = doc(
        "How each entity is deleted, as its `Resource::deletion` does it: the \
         rules `marvin cleanup` checks every recorded deletion against.\n\n\
         ```\n\
         let vm = marvin_entities::DELETION_RULES\n    \
         .iter()\n    \
         .find(|rule| rule.entity == \"VirtualMachine\")\n    \
         .expect(\"VMs are deletable\");\n\
         assert_eq!(vm.command, \"destroyVirtualMachine\");\n\
         assert_eq!(vm.sends, [(\"expunge\", \"true\")]);\n\
         ```",
    );
    quote! {
        #docs
        pub const DELETION_RULES: &[#rt::DeletionRule] = &[#(#rules)*];
    }
}
