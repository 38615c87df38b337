//! Request types: the required parameters as fields, an options struct with
//! builder setters, a target enum for alternative parameter sets, `params`
//! (one line per field) and `send`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{
    Site, answer_doc, answer_item, answer_type, arg_input, arg_type, doc, ident, krate, rt,
    streams, text,
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
pub(crate) fn emit(command: &Command, model: &crate::model::Model) -> TokenStream {
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
    let defaults = quote!(#rt::RequestOptions::default());
    let send_body = sending(command, &quote!(client), &quote!(self.params()), &defaults);
    let stream = streams(command).then(|| {
        let item = answer_item(command, Site::Commands);
        quote! {
            /// Streams the items page by page.
            pub fn stream(&self, client: &#rt::Client) -> #krate::ListStream<#item> {
                #rt::stream(client, #api, self.params(), #defaults)
            }
        }
    });

    let options_struct = command.options.as_ref().map(|o| options_struct(command, o));
    let target_enum = command.target.as_ref().map(|t| target_enum(command, t));
    let derive_default =
        (command.required.is_empty() && command.target.is_none()).then(|| quote!(Default,));
    let call_builder = call_builder(command, model);

    quote! {
        #docs
        #[derive(Debug, Clone, #derive_default)]
        pub struct #name {
            #(#fields)*
            #target
            #options
        }
        impl #name {
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
        #call_builder
        #options_struct
        #target_enum
    }
}

/// How `command` is sent through `client` with `params` and the per-call
/// `options`: every page of a listing, or one call (waiting for its job
/// when the precache says it answers with one).
fn sending(
    command: &Command,
    client: &TokenStream,
    params: &TokenStream,
    options: &TokenStream,
) -> TokenStream {
    let rt = rt();
    let api = &command.api;
    let is_async = command.is_async;
    if streams(command) {
        quote!(#rt::list(#client, #api, #params, #options))
    } else {
        quote!(#rt::call(#client, #api, #params, #is_async, #options))
    }
}

/// Whether `command` answers one entity that is a `Resource` (it has an
/// id), not a list, a response shape or `Success`.
fn answers_one_resource(command: &Command, model: &crate::model::Model) -> bool {
    let crate::model::Answer::Type(ty) = &command.response.answer else {
        return false;
    };
    !command.response.many
        && ty.module == crate::model::Module::Root
        && model
            .entities
            .iter()
            .any(|entity| entity.name == ty.name && entity.has_id())
}

/// One slot of a call builder: a required argument, or the target.
struct Slot {
    /// The field and its setter.
    field: proc_macro2::Ident,
    /// The marker type of the unset slot (`args::email`).
    marker: proc_macro2::Ident,
    /// The value's type once set.
    ty: TokenStream,
    /// The setter's parameter type and how it becomes the value.
    input: TokenStream,
    value: TokenStream,
    docs: String,
}

/// `args`: one marker type per required argument name (and `by` for a
/// target), the type of an unset slot of a call builder.
pub(crate) fn markers(model: &crate::model::Model) -> TokenStream {
    let mut names: Vec<&str> = model
        .commands
        .iter()
        .flat_map(|c| c.required.iter().map(|a| a.ident.as_str()))
        .chain([TARGET_MARKER])
        .collect();
    names.sort_unstable();
    names.dedup();
    let items = names.iter().map(|n| {
        let m = ident(n);
        let d = doc(&format!(
            "The required argument `{}` is not set yet.",
            n.trim_start_matches("r#")
        ));
        quote!(#d #[derive(Debug, Clone, Copy)] pub struct #m;)
    });
    quote! {
        /// The types of unset required arguments in a call builder's type
        /// (`CreateAccountCall<args::email, ..>`): a call is a future only
        /// once none is left.
        #[allow(non_camel_case_types)]
        pub mod args {
            #(#items)*
        }
    }
}

/// The marker of an unset target.
pub(crate) const TARGET_MARKER: &str = "by";

fn slots(command: &Command) -> Vec<Slot> {
    let mut slots: Vec<Slot> = command
        .required
        .iter()
        .map(|a| {
            let field = ident(&a.ident);
            let (input, value) = arg_input(a.kind, &field);
            Slot {
                marker: field.clone(),
                field,
                ty: arg_type(a.kind),
                input,
                value,
                docs: format!("Sets the required {}", arg_doc(a)),
            }
        })
        .collect();
    if let Some(t) = &command.target {
        let name = ident(&t.name);
        let field = ident(TARGET_MARKER);
        slots.push(Slot {
            marker: field.clone(),
            value: quote!(#field),
            field,
            ty: quote!(#name),
            input: quote!(#name),
            docs: format!(
                "Sets which set of required parameters identifies the target ([`{}`]).",
                t.name
            ),
        });
    }
    slots
}

/// The type of a call builder with `given[i]` slots set, from `site`.
pub(crate) fn call_type(command: &Command, given: &[usize], site: Site) -> TokenStream {
    let krate = krate();
    let name = super::command_path(&format!("{}Call", command.name), site);
    let args = super::command_path("args", site);
    let slots = slots(command);
    if given.is_empty() {
        return name;
    }
    let params = slots.iter().enumerate().map(|(i, s)| {
        if given.contains(&i) {
            let ty = match &command.target {
                // The target enum lives in `commands`, like this builder.
                Some(t) if i == slots.len() - 1 => super::command_path(&t.name, site),
                _ => s.ty.clone(),
            };
            quote!(#krate::Given<#ty>)
        } else {
            let m = &s.marker;
            quote!(#args::#m)
        }
    });
    let rt = rt();
    quote!(#name<#rt::Client, #(#params),*>)
}

/// The typestate builder of one command (`CreateAccountCall`): every
/// argument has a named setter, and it is a future only once every required
/// one is set.
fn call_builder(command: &Command, model: &crate::model::Model) -> TokenStream {
    let rt = rt();
    let krate = krate();
    let request = ident(&command.name);
    let name = ident(&format!("{}Call", command.name));
    let slots = slots(command);
    let gens: Vec<_> = (0..slots.len()).map(|i| ident(&format!("A{i}"))).collect();
    let fields: Vec<_> = slots.iter().map(|s| s.field.clone()).collect();
    let markers: Vec<_> = slots.iter().map(|s| s.marker.clone()).collect();
    let tys: Vec<_> = slots.iter().map(|s| s.ty.clone()).collect();
    let answer = answer_type(command, Site::Commands);
    let docs = doc(&format!(
        "A call of `{}` being built: [`{}`](super::{})'s creator or verb, or [`{}::call`], returns \
         it. Set each argument by name; it is a future (`.await` it) once every required one \
         is set, which the compiler checks (an unset one shows as its `args::` marker in the type).",
        command.api,
        crate::model::entity_type(&command.mapping.entity),
        crate::model::entity_type(&command.mapping.entity),
        command.name
    ));
    let options_field = command.options.as_ref().map(|o| {
        let o = ident(o);
        quote!(options: #o,)
    });
    let options_init = command
        .options
        .as_ref()
        .map(|_| quote!(options: Default::default(),));
    let options_move = command
        .options
        .as_ref()
        .map(|_| quote!(options: self.options,));
    let per_call_move = quote!(per_call: self.per_call,);
    let setters = slots.iter().enumerate().map(|(i, s)| {
        let field = &s.field;
        let input = &s.input;
        let value = &s.value;
        let sdoc = doc(&s.docs);
        let out_gens = gens.iter().enumerate().map(|(j, g)| {
            if i == j {
                let ty = &tys[j];
                quote!(#krate::Given<#ty>)
            } else {
                quote!(#g)
            }
        });
        let moves = fields.iter().enumerate().map(|(j, f)| {
            if i == j {
                quote!(#f: #krate::Given(#value),)
            } else {
                quote!(#f: self.#f,)
            }
        });
        quote! {
            #sdoc
            pub fn #field(self, #field: #input) -> #name<C, #(#out_gens),*> {
                #name { client: self.client, #(#moves)* #options_move #per_call_move }
            }
        }
    });
    let optional = command.optional.iter().map(|a| {
        let field = ident(&a.ident);
        let (input, value) = arg_input(a.kind, &field);
        let sdoc = doc(&format!("Sets the optional {}", arg_doc(a)));
        quote! {
            #sdoc
            pub fn #field(mut self, #field: #input) -> Self {
                self.options.#field = Some(#value);
                self
            }
        }
    });
    let with_options = command.options.as_ref().map(|o| {
        let o = ident(o);
        quote! {
            /// Replaces all optional parameters.
            pub fn with_options(mut self, options: #o) -> Self {
                self.options = options;
                self
            }
        }
    });
    let bounds = gens
        .iter()
        .zip(&tys)
        .map(|(g, t)| quote!(#g: #rt::Filled<#t>));
    let bounds: Vec<_> = bounds.collect();
    let build_required = command.required.iter().map(|a| {
        let f = ident(&a.ident);
        quote!(#f: #rt::Filled::take(self.#f),)
    });
    let build_target = command.target.as_ref().map(|_| {
        let f = ident(TARGET_MARKER);
        quote!(target: #rt::Filled::take(self.#f),)
    });
    let build_options = command
        .options
        .as_ref()
        .map(|_| quote!(options: self.options,));
    let api = &command.api;
    let stream = streams(command).then(|| {
        let item = answer_item(command, Site::Commands);
        quote! {
            /// Streams the items page by page instead of awaiting them all.
            pub fn stream(self) -> #krate::ListStream<#item> {
                let (client, per_call) = (self.client.clone(), self.per_call.clone());
                #rt::stream(&client, #api, self.into_request().params(), per_call)
            }
        }
    });
    let send_body = sending(
        command,
        &quote!(&client),
        &quote!(self.into_request().params()),
        &quote!(per_call),
    );
    // Only a call of an async API can leave its job unwaited.
    let no_wait = command.is_async.then(|| {
        quote! {
            /// Sends it without waiting for its job: the job, to `wait`
            /// for later.
            pub fn no_wait(self) -> #krate::Call<#krate::Submitted<#answer>> {
                let (client, per_call) = (self.client.clone(), self.per_call.clone());
                #rt::submit(&client, #api, self.into_request().params(), per_call)
            }
        }
    });
    // A call answering one entity can register it for cleanup as it is made.
    let managed = answers_one_resource(command, model).then(|| {
        let is_async = command.is_async;
        quote! {
            /// Sends it and registers the entity it answers for cleanup with
            /// the test, at the earliest moment (an async create from its
            /// submission's `id`, so an object whose job fails is deleted
            /// too).
            pub fn managed_by<'c>(
                self,
                ctx: &'c #rt::TestContext,
            ) -> #rt::LocalBoxFuture<'c, #rt::Result<#rt::Managed<#answer>>> {
                let (client, per_call) = (self.client.clone(), self.per_call.clone());
                #rt::managed(ctx, &client, #api, self.into_request().params(), #is_async, per_call)
            }
        }
    });
    let generics_decl = quote!(<C = #rt::Client, #(#gens = args::#markers),*>);
    let generics = quote!(<C, #(#gens),*>);
    let sending = quote!(<#rt::Client, #(#gens),*>);
    let sending_params = quote!(<#(#gens),*>);
    let marker_inits: Vec<_> = fields
        .iter()
        .zip(&markers)
        .map(|(f, m)| quote!(#f: args::#m,))
        .collect();
    let marker_inits2 = marker_inits.clone();
    let new_doc = doc(&format!(
        "A call of `{}` with nothing set yet.",
        command.api
    ));
    quote! {
        #docs
        #[must_use = "a call does nothing until it is awaited"]
        #[derive(Debug)]
        pub struct #name #generics_decl {
            client: C,
            #(#fields: #gens,)*
            #options_field
            per_call: #rt::RequestOptions,
        }
        impl #request {
            #new_doc
            pub fn call(client: &#rt::Client) -> #name {
                #name { client: client.clone(), #(#marker_inits)* #options_init per_call: Default::default() }
            }
            /// The same builder without a client: it only builds the
            /// request (`into_request`), with every
            /// argument named.
            pub fn builder() -> #name<#rt::NoClient> {
                #name { client: #rt::NoClient, #(#marker_inits2)* #options_init per_call: Default::default() }
            }
        }
        impl #generics #name #generics {
            #(#setters)*
            #(#optional)*
            #with_options
        }
        impl #generics #name #generics where #(#bounds),* {
            /// The request as it will be sent.
            pub fn into_request(self) -> #request {
                #request { #(#build_required)* #build_target #build_options }
            }
        }
        impl #sending_params #name #sending where #(#bounds),* {
            /// Sends it: the same as awaiting it.
            pub fn send(self) -> #krate::Call<#answer> {
                let (client, per_call) = (self.client.clone(), self.per_call.clone());
                #send_body
            }
            #no_wait
            #managed
            #stream
        }
        impl #sending_params #rt::CallOptions for #name #sending {
            fn request_options(&mut self) -> &mut #rt::RequestOptions {
                &mut self.per_call
            }
        }
        impl #sending_params ::core::future::IntoFuture for #name #sending where #(#bounds),* {
            type Output = #rt::Result<#answer>;
            type IntoFuture = #krate::Call<#answer>;
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
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
