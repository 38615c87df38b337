//! `#[marvin::test]`: the body as a module-level `async fn`, registered
//! for Marvin's runner (`marvin::main!()` in a `harness = false` target),
//! and a `#[test]` that runs it through `marvin::__private::run_test`
//! (which owns the runtime, the context, tag selection, panic catching and
//! cleanup) for cargo's own harness.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprArray, ExprLit, ItemFn, Lit, LitStr, Token};

/// The attribute's arguments: `tags = ["a", "b"]`, `required_hardware = bool`,
/// `fixtures = [SHARED_NETWORK, module::SHARED_VPC]` (paths of the shared
/// fixtures the test uses, see `marvin::fixture!`).
#[derive(Default)]
pub(crate) struct TestArgs {
    pub(crate) tags: Vec<String>,
    pub(crate) needs: Vec<String>,
    pub(crate) required_hardware: bool,
    pub(crate) fixtures: Vec<syn::Path>,
}

impl Parse for TestArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = TestArgs::default();
        let mut seen = Vec::new();
        let pairs = Punctuated::<syn::MetaNameValue, Token![,]>::parse_terminated(input)?;
        for pair in pairs {
            let name = pair
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if seen.contains(&name) {
                return Err(syn::Error::new_spanned(
                    &pair.path,
                    format!("`{name}` is given twice"),
                ));
            }
            match (name.as_str(), &pair.value) {
                ("tags", Expr::Array(ExprArray { elems, .. })) => {
                    args.tags = string_literals(elems, "tags")?;
                }
                ("needs", Expr::Array(ExprArray { elems, .. })) => {
                    args.needs = string_literals(elems, "needs")?;
                }
                ("needs", other) => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected `needs = [\"capability\", ...]`",
                    ));
                }
                (
                    "required_hardware",
                    Expr::Lit(ExprLit {
                        lit: Lit::Bool(flag),
                        ..
                    }),
                ) => {
                    args.required_hardware = flag.value;
                }
                ("fixtures", Expr::Array(ExprArray { elems, .. })) => {
                    args.fixtures = crate::fixture_attr::fixture_paths(elems)?;
                }
                ("fixtures", other) => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected `fixtures = [SHARED_NAME, ...]`",
                    ));
                }
                ("tags", other) => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected `tags = [\"...\", ...]`",
                    ));
                }
                ("required_hardware", other) => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected `required_hardware = true` or `false`",
                    ));
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &pair.path,
                        "unknown argument; expected `tags`, `needs`, `required_hardware` or `fixtures`",
                    ));
                }
            }
            seen.push(name);
        }
        Ok(args)
    }
}

/// The values of an array of string literals (`tags`, `needs`).
fn string_literals(elems: &Punctuated<Expr, Token![,]>, what: &str) -> syn::Result<Vec<String>> {
    elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) => Ok(text.value()),
            other => Err(syn::Error::new_spanned(
                other,
                format!("{what} must be string literals"),
            )),
        })
        .collect()
}

/// Expands `#[marvin::test(..)] async fn name(ctx: &mut TestContext) -> Result<()>`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args: TestArgs = syn::parse2(args)?;
    let function: ItemFn = syn::parse2(item)?;
    if function.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            function.sig.fn_token,
            "a #[marvin::test] must be an `async fn`",
        ));
    }
    if function.sig.inputs.len() != 1 {
        return Err(syn::Error::new_spanned(
            &function.sig.inputs,
            "a #[marvin::test] takes exactly one argument: `ctx: &mut TestContext`",
        ));
    }
    let name = &function.sig.ident;
    let inner = format_ident!("__marvin_test_{}", name);
    let mut body = function.clone();
    body.sig.ident = inner.clone();
    // Each `?` of the body records its place, for a test that fails by one.
    crate::try_sites::mark(&mut body.block);
    body.vis = syn::Visibility::Inherited;
    // Only the body's own lint attributes and its `cfg`s travel with it;
    // `#[ignore]`, docs and the like stay on the test.
    body.attrs.retain(|attr| {
        ["allow", "expect", "warn", "deny", "cfg", "cfg_attr"]
            .iter()
            .any(|kept| attr.path().is_ident(kept))
    });
    // A test compiled out is not registered with the runner either.
    let cfgs: Vec<&syn::Attribute> = function
        .attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .collect();
    let attrs = &function.attrs;
    let vis = &function.vis;
    let tags: Vec<LitStr> = args
        .tags
        .iter()
        .map(|tag| LitStr::new(tag, proc_macro2::Span::call_site()))
        .collect();
    let hardware = args.required_hardware;
    let needs: Vec<LitStr> = args
        .needs
        .iter()
        .map(|need| LitStr::new(need, proc_macro2::Span::call_site()))
        .collect();
    let needs_count = needs.len();
    let ignore = function
        .attrs
        .iter()
        .find(|attr| attr.path().is_ident("ignore"));
    let ignored = ignore.is_some();
    let ignore_reason = ignore.map(ignore_reason).unwrap_or_default();
    // Typed, so that a test without tags (`[]`) compiles too.
    let count = args.tags.len();
    let fixtures = &args.fixtures;
    let fixture_count = fixtures.len();
    Ok(quote! {
        #[doc(hidden)]
        #body

        #(#cfgs)*
        const _: () = {
            ::marvin::__private::inventory::submit! {
                ::marvin::__private::Registered {
                    module_path: ::core::module_path!(),
                    function: ::core::stringify!(#name),
                    tags: &[#(#tags),*],
                    needs: &[#(#needs),*],
                    required_hardware: #hardware,
                    ignored: #ignored,
                    ignore_reason: #ignore_reason,
                    fixtures: &[#(&#fixtures),*],
                    run: |ctx| ::std::boxed::Box::pin(#inner(ctx)),
                }
            }
        };

        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            ::marvin::__private::run_test(
                ::marvin::__private::TestSpec::new(::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)))
                    .with_tags::<[&'static str; #count], &'static str>([#(#tags),*])
                    .with_required_hardware(#hardware)
                    .with_needs::<[&'static str; #needs_count], &'static str>([#(#needs),*])
                    .with_fixtures::<[&'static str; #fixture_count], &'static str>([#(#fixtures.name()),*]),
                ::marvin::__private::connect,
                |ctx| ::std::boxed::Box::pin(#inner(ctx)),
            )
        }
    })
}

/// The reason of `#[ignore = "why"]`, or empty for a bare `#[ignore]`.
fn ignore_reason(attr: &syn::Attribute) -> String {
    match &attr.meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(reason),
                    ..
                }),
            ..
        }) => reason.value(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ignore_keeps_its_reason() {
        let with: syn::Attribute = syn::parse_quote!(#[ignore = "the simulator lacks it"]);
        assert_eq!(ignore_reason(&with), "the simulator lacks it");
        let bare: syn::Attribute = syn::parse_quote!(#[ignore]);
        assert_eq!(ignore_reason(&bare), "");
    }

    #[test]
    fn reads_tags_and_hardware() {
        let args: TestArgs = syn::parse_quote!(
            tags = ["smoke", "advanced"],
            required_hardware = true,
            needs = ["live"]
        );
        assert_eq!(args.tags, ["smoke", "advanced"]);
        assert_eq!(args.needs, ["live"]);
        assert!(args.required_hardware);
        assert!(args.fixtures.is_empty());
    }

    #[test]
    fn refuses_unknown_and_repeated_arguments() {
        let unknown = syn::parse2::<TestArgs>(quote!(tag = ["x"]))
            .err()
            .expect("refused");
        assert!(unknown.to_string().contains("unknown argument"));
        let twice = syn::parse2::<TestArgs>(quote!(tags = [], tags = []))
            .err()
            .expect("refused");
        assert!(twice.to_string().contains("given twice"));
    }

    #[test]
    fn a_test_compiled_out_is_neither_built_nor_registered() {
        let out = expand(
            quote!(),
            quote!(
                #[cfg(feature = "cloud")]
                async fn gated(ctx: &mut TestContext) -> Result<()> {
                    Ok(())
                }
            ),
        )
        .unwrap()
        .to_string();
        let gate = "# [cfg (feature = \"cloud\")]";
        let body = out.find("async fn __marvin_test_gated").unwrap();
        let registration = out.find("const _ : () =").unwrap();
        assert!(out[..body].contains(gate), "{out}");
        assert!(
            out[body..registration].ends_with(&format!("{gate} ")),
            "{out}"
        );
    }

    #[test]
    fn registers_the_body_for_the_runner() {
        let out = expand(
            quote!(tags = ["vms"], required_hardware = true),
            quote!(
                /// Deploys.
                #[ignore]
                pub async fn deploys(ctx: &mut TestContext) -> Result<()> {
                    Ok(())
                }
            ),
        )
        .unwrap()
        .to_string();
        assert!(out.contains("inventory :: submit !"), "{out}");
        assert!(
            out.contains("function : :: core :: stringify ! (deploys)"),
            "{out}"
        );
        assert!(out.contains("tags : & [\"vms\"]"), "{out}");
        assert!(out.contains("required_hardware : true"), "{out}");
        assert!(out.contains("ignored : true"), "{out}");
        assert!(
            out.contains(
                "run : | ctx | :: std :: boxed :: Box :: pin (__marvin_test_deploys (ctx))"
            ),
            "{out}"
        );
        // The body is a private module-level function without the test's
        // attributes; `#[ignore]` stays on the `#[test]`.
        let body = &out[..out.find("inventory").unwrap()];
        assert!(body.contains("async fn __marvin_test_deploys"), "{out}");
        assert!(!body.contains("pub async"), "{out}");
        assert!(!body.contains("ignore"), "{out}");
        assert!(out.contains("# [ignore] pub fn deploys ()"), "{out}");
    }

    #[test]
    fn expands_into_one_run_test_call() {
        let out = expand(
            quote!(tags = ["smoke"]),
            quote!(
                async fn lists(ctx: &mut TestContext) -> Result<()> {
                    Ok(())
                }
            ),
        )
        .unwrap()
        .to_string();
        assert!(out.contains("fn lists ()"), "{out}");
        assert!(out.contains("async fn __marvin_test_lists"), "{out}");
        assert!(out.contains(":: marvin :: __private :: run_test"), "{out}");
        assert!(out.contains("\"smoke\""), "{out}");
    }

    #[test]
    fn declared_fixtures_reach_the_runner_and_the_spec() {
        let out = expand(
            quote!(fixtures = [SHARED_NETWORK, shared::VPC]),
            quote!(
                async fn uses(ctx: &mut TestContext) -> Result<()> {
                    Ok(())
                }
            ),
        )
        .unwrap()
        .to_string();
        assert!(
            out.contains("fixtures : & [& SHARED_NETWORK , & shared :: VPC]"),
            "{out}"
        );
        assert!(
            out.contains("[SHARED_NETWORK . name () , shared :: VPC . name ()]"),
            "{out}"
        );
        let quoted = syn::parse2::<TestArgs>(quote!(fixtures = ["SHARED_NETWORK"]))
            .err()
            .expect("refused");
        assert!(quoted.to_string().contains("path of their static"));
    }

    #[test]
    fn refuses_a_sync_function() {
        let error = expand(
            quote!(),
            quote!(
                fn lists(ctx: &mut TestContext) {}
            ),
        )
        .unwrap_err();
        assert!(error.to_string().contains("async fn"));
    }
}
