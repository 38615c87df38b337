//! Answer types: a struct with a lenient `Decode` (one runtime call per
//! field, unknown fields kept in `extra`).

use proc_macro2::TokenStream;
use quote::quote;

use super::{Site, doc, field_type, ident, krate, rt, text};
use crate::model::{Field, Struct};

/// A `responses` struct.
pub(crate) fn emit(s: &Struct) -> TokenStream {
    let docs = doc(&s.doc);
    body(&s.name, docs, &s.fields, Site::Responses)
}

/// The struct and its `Decode` impl.
pub(crate) fn body(name: &str, docs: TokenStream, fields: &[Field], site: Site) -> TokenStream {
    let krate = krate();
    let rt = rt();
    let name = ident(name);
    let decls = fields.iter().map(|f| {
        let field = ident(&f.ident);
        let ty = field_type(&f.ty, site);
        let text = if f.doc.is_empty() {
            format!("`{}`", f.wire)
        } else {
            format!("{} (`{}`)", text(&f.doc), f.wire)
        };
        let docs = doc(&text);
        quote!(#docs pub #field: #ty,)
    });
    let takes = fields.iter().map(|f| {
        let field = ident(&f.ident);
        let wire = &f.wire;
        quote!(#field: #rt::take(o, #wire),)
    });
    quote! {
        #docs
        #[derive(Debug, Clone)]
        pub struct #name {
            #(#decls)*
            /// Fields the schema does not list, as sent.
            pub extra: #krate::Object,
        }
        impl #krate::Decode for #name {
            fn decode(o: &mut #krate::Object) -> Self {
                Self { #(#takes)* extra: ::core::mem::take(o) }
            }
            fn extra(&self) -> &#krate::Object {
                &self.extra
            }
        }
    }
}
