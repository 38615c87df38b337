//! input -> model -> tokens.

use proc_macro2::TokenStream;

use crate::emit;
use crate::model::Model;
use crate::precache::Source;

/// Expands `cloudstack_api!(...)`.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let source: Source = syn::parse2(input)?;
    let precache = source.load()?;
    let model = Model::build(&precache.list)
        .map_err(|e| syn::Error::new(source.span(), format!("precache {}: {e}", precache.shown)))?;
    let file = std::path::Path::new(&precache.shown)
        .file_name()
        .map_or_else(
            || precache.shown.clone(),
            |f| f.to_string_lossy().into_owned(),
        );
    let tokens = emit::api(&model, precache.tracked.as_deref(), &file);
    if std::env::var_os("MARVIN_MACROS_DEBUG").is_some() {
        eprintln!("{tokens}");
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::expand;

    #[test]
    fn a_fixture_expands_and_tracks_its_file() {
        let tokens = expand(quote!(path = "tests/fixtures/small.json")).expect("expands");
        let text = tokens.to_string();
        assert!(text.contains("include_bytes !"));
        assert!(text.contains("pub struct VirtualMachine"));
    }

    #[test]
    fn bad_input_is_a_spanned_error_not_a_panic() {
        let error = expand(quote!(path = "tests/fixtures/none.json")).unwrap_err();
        assert!(
            error.to_string().contains("cannot read precache"),
            "{error}"
        );
        let error = expand(quote!(path = "Cargo.toml")).unwrap_err();
        assert!(error.to_string().contains("Cargo.toml"), "{error}");
        let error = expand(quote!(schema = "x.json")).unwrap_err();
        assert!(
            error.to_string().contains("unknown key `schema`"),
            "{error}"
        );
        assert!(expand(quote!()).is_err());
    }
}
