//! Request types: the required parameters as fields, an options struct with
//! builder setters, a target enum for alternative parameter sets, `params`
//! (one line per field) and `send`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{
    Site, answer_doc, answer_item, answer_type, arg_input, arg_type, doc, field_value, ident,
    krate, many_args, rt, streams, text,
};
use crate::model::{Arg, Command, Target};

/// The rustdoc line of a parameter.
pub(crate) fn arg_doc(arg: &Arg) -> String {
    let mut line = if arg.doc.is_empty() {
        format!("`{}`", arg.wire)
    } else {
        format!("{} (`{}`)", text(&arg.doc), arg.wire)
    };
    if let Some(since) = &arg.since {
        line.push_str(&format!(" Since {}.", text(since)));
    }
    line
}

/// What a command is, for the first lines of its docs.
pub(crate) fn summary(command: &Command) -> String {
    let mut out = if command.doc.is_empty() {
        format!("`{}`.", command.api)
    } else {
        text(&command.doc)
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out.push_str(&format!(
        "\n\nCloudStack API `{}` ({}).",
        command.api,
        if command.is_async {
            "async: waits for the job"
        } else {
            "sync"
        }
    ));
    if let Some(since) = &command.since {
        out.push_str(&format!(" Since {}.", text(since)));
    }
    out
}

fn options_struct(command: &Command, name: &str) -> TokenStream {
    let rt = rt();
    let name = ident(name);
    let docs = doc(&format!(
        "The optional parameters of [`{}`]; unset ones are not sent. Build with `Default` and the setters.",
        command.name
    ));
    let fields = command.optional.iter().map(|a| {
        let field = ident(&a.ident);
        let ty = arg_type(a.kind);
        let docs = doc(&arg_doc(a));
        quote!(#docs pub #field: Option<#ty>,)
    });
    let setters = command.optional.iter().map(|a| {
        let field = ident(&a.ident);
        let (input, value) = arg_input(a.kind, &field);
        let docs = doc(&format!("Sets `{}`.", a.wire));
        quote! {
            #docs
            #[must_use]
            pub fn #field(mut self, #field: #input) -> Self {
                self.#field = Some(#value);
                self
            }
        }
    });
    let puts = command.optional.iter().map(|a| {
        let field = ident(&a.ident);
        let wire = &a.wire;
        quote!(#rt::put(p, #wire, &self.#field);)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, Default)]
        pub struct #name { #(#fields)* }
        impl #name { #(#setters)* }
        impl #rt::Encode for #name {
            fn encode(&self, p: &mut #rt::Params) { #(#puts)* }
        }
    }
}

fn target_enum(command: &Command, target: &Target) -> TokenStream {
    let rt = rt();
    let name = ident(&target.name);
    let docs = doc(&format!(
        "Which {} [`{}`] acts on: one of its alternative sets of required parameters.",
        command.mapping.entity, command.name
    ));
    let variants = target.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let names: Vec<String> = v.args.iter().map(|a| format!("`{}`", a.wire)).collect();
        let docs = doc(&format!("By {}.", names.join(" and ")));
        if let [single] = v.args.as_slice() {
            let ty = arg_type(single.kind);
            quote!(#docs #variant(#ty),)
        } else {
            let fields = v.args.iter().map(|a| {
                let field = ident(&a.ident);
                let ty = arg_type(a.kind);
                let docs = doc(&arg_doc(a));
                quote!(#docs #field: #ty)
            });
            quote!(#docs #variant { #(#fields),* },)
        }
    });
    let arms = target.variants.iter().map(|v| {
        let variant = ident(&v.name);
        if let [single] = v.args.as_slice() {
            let wire = &single.wire;
            quote!(Self::#variant(value) => #rt::put(p, #wire, value),)
        } else {
            let fields: Vec<_> = v.args.iter().map(|a| ident(&a.ident)).collect();
            let wires = v.args.iter().map(|a| &a.wire);
            quote!(Self::#variant { #(#fields),* } => { #(#rt::put(p, #wires, #fields);)* })
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone)]
        pub enum #name { #(#variants)* }
        impl #rt::Encode for #name {
            fn encode(&self, p: &mut #rt::Params) {
                match self { #(#arms)* }
            }
        }
    }
}

/// The request type of one command, with its options and target types.
pub(crate) fn emit(command: &Command) -> TokenStream {
    let rt = rt();
    let krate = krate();
    let name = ident(&command.name);
    let api = &command.api;
    let is_async = command.is_async;

    let mut docs = summary(command);
    docs.push_str(&format!(
        "\n\nActs on `{}` (verb `{}`). Answers {}.",
        command.mapping.entity,
        command.mapping.verb,
        answer_doc(command)
    ));
    let docs = doc(&docs);

    let fields = command.required.iter().map(|a| {
        let field = ident(&a.ident);
        let ty = arg_type(a.kind);
        let docs = doc(&arg_doc(a));
        quote!(#docs pub #field: #ty,)
    });
    let options = command.options.as_ref().map(|o| {
        let o = ident(o);
        quote!(#[doc = "The optional parameters."] pub options: #o,)
    });
    let target = command.target.as_ref().map(|t| {
        let t = ident(&t.name);
        quote!(#[doc = "Which alternative set of parameters identifies the target."] pub target: #t,)
    });

    let new_args = command.required.iter().map(|a| {
        let field = ident(&a.ident);
        let (input, _) = arg_input(a.kind, &field);
        quote!(#field: #input,)
    });
    let new_target = command.target.as_ref().map(|t| {
        let t = ident(&t.name);
        quote!(target: #t,)
    });
    let new_fields = command
        .required
        .iter()
        .map(|a| field_value(a.kind, &ident(&a.ident)));
    let new_options = command
        .options
        .as_ref()
        .map(|_| quote!(options: Default::default(),));
    let new_target_field = command.target.as_ref().map(|_| quote!(target,));
    let with_options = command.options.as_ref().map(|o| {
        let o = ident(o);
        quote! {
            /// Replaces the optional parameters.
            #[must_use]
            pub fn with_options(mut self, options: #o) -> Self {
                self.options = options;
                self
            }
        }
    });

    let puts = command.required.iter().map(|a| {
        let field = ident(&a.ident);
        let wire = &a.wire;
        quote!(#rt::put(&mut p, #wire, &self.#field);)
    });
    let put_target = command
        .target
        .as_ref()
        .map(|_| quote!(#rt::Encode::encode(&self.target, &mut p);));
    let put_options = command
        .options
        .as_ref()
        .map(|_| quote!(#rt::Encode::encode(&self.options, &mut p);));

    let answer = answer_type(command, Site::Commands);
    let send_body = if streams(command) {
        quote!(#rt::list(client, #api, self.params()))
    } else {
        quote!(#rt::call(client, #api, self.params(), #is_async))
    };
    let stream = streams(command).then(|| {
        let item = answer_item(command, Site::Commands);
        quote! {
            /// Streams the items page by page.
            pub fn stream(&self, client: &#rt::Client) -> #krate::ListStream<#item> {
                #rt::stream(client, #api, self.params())
            }
        }
    });

    let options_struct = command.options.as_ref().map(|o| options_struct(command, o));
    let target_enum = command.target.as_ref().map(|t| target_enum(command, t));
    let derive_default =
        (command.required.is_empty() && command.target.is_none()).then(|| quote!(Default,));
    let new_allow = many_args(command.required.len() + usize::from(command.target.is_some()));
    let new_doc = doc(if command.required.is_empty() && command.target.is_none() {
        "A request with no parameter set."
    } else {
        "A request with its required parameters, in alphabetical order of their CloudStack names."
    });

    quote! {
        #docs
        #[derive(Debug, Clone, #derive_default)]
        pub struct #name {
            #(#fields)*
            #target
            #options
        }
        impl #name {
            #new_doc
            #new_allow
            pub fn new(#(#new_args)* #new_target) -> Self {
                Self { #(#new_fields)* #new_target_field #new_options }
            }
            #with_options
            /// The parameters as they are sent.
            pub fn params(&self) -> #rt::Params {
                let mut p = #rt::Params::new();
                #(#puts)*
                #put_target
                #put_options
                p
            }
            /// Sends the request and decodes the answer.
            pub fn send(&self, client: &#rt::Client) -> #krate::Call<#answer> {
                #send_body
            }
            #stream
        }
        impl #krate::Command for #name {
            const API: &'static str = #api;
            const IS_ASYNC: bool = #is_async;
            type Answer = #answer;
            fn to_params(&self) -> #rt::Params {
                self.params()
            }
        }
        #options_struct
        #target_enum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArgKind;

    #[test]
    fn argument_docs_show_the_wire_name_and_version() {
        let arg = Arg {
            wire: "forced".into(),
            ident: "forced".into(),
            kind: ArgKind::Bool,
            doc: "Force stop the VM <b>now</b>".into(),
            since: Some("4.2".into()),
        };
        assert_eq!(
            arg_doc(&arg),
            "Force stop the VM &lt;b&gt;now&lt;/b&gt; (`forced`) Since 4.2."
        );
    }
}
