//! The `fixtures = [..]` argument of `#[marvin::test]`: the shared
//! fixtures a test declares, as paths to their statics (so that a typo is
//! a compile error, not a fixture that is never cleaned up on time).

use syn::punctuated::Punctuated;
use syn::{Expr, ExprPath, Token};

/// The paths of `fixtures = [A, module::B]`, in order; anything but a
/// path, or a path given twice, is an error on that element.
pub(crate) fn fixture_paths(elems: &Punctuated<Expr, Token![,]>) -> syn::Result<Vec<syn::Path>> {
    let mut paths: Vec<syn::Path> = Vec::new();
    for elem in elems {
        let Expr::Path(ExprPath {
            path, qself: None, ..
        }) = elem
        else {
            return Err(syn::Error::new_spanned(
                elem,
                "fixtures are named by the path of their static (`SHARED_NETWORK`)",
            ));
        };
        let text = |p: &syn::Path| quote::quote!(#p).to_string();
        if paths.iter().any(|known| text(known) == text(path)) {
            return Err(syn::Error::new_spanned(
                elem,
                "this fixture is declared twice",
            ));
        }
        paths.push(path.clone());
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use quote::quote;
    use syn::ExprArray;

    use super::*;

    fn paths(tokens: proc_macro2::TokenStream) -> syn::Result<Vec<String>> {
        let array: ExprArray = syn::parse2(tokens).unwrap();
        fixture_paths(&array.elems).map(|paths| {
            paths
                .iter()
                .map(|p| quote!(#p).to_string().replace(' ', ""))
                .collect()
        })
    }

    #[test]
    fn takes_paths_in_order() {
        assert_eq!(
            paths(quote!([SHARED_NETWORK, crate::shared::VPC])).unwrap(),
            ["SHARED_NETWORK", "crate::shared::VPC"]
        );
        assert!(paths(quote!([])).unwrap().is_empty());
    }

    #[test]
    fn refuses_strings_and_repeats() {
        let quoted = paths(quote!(["SHARED_NETWORK"])).unwrap_err();
        assert!(quoted.to_string().contains("path of their static"));
        let twice = paths(quote!([A, B, A])).unwrap_err();
        assert!(twice.to_string().contains("declared twice"));
    }
}
