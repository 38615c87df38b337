//! Proc macros of Marvin for Rust: typed CloudStack APIs and entities from a
//! listApis snapshot (`api-precache.json`).
//!
//! The entry point is thin: [`cloudstack_api!`] parses its input and calls
//! plain modules that unit tests reach directly: `precache` (load and
//! check), `model` (requests, answer types, entities, names) and `emit`
//! (tokens). The schema model itself is `marvin_core::schema`, the linguist
//! (API name -> entity and verb) `marvin_core::linguist`.

mod emit;
mod expand;
use marvin_core::linguist;
#[cfg(test)]
mod mapping_doc;
mod model;
mod names;
mod precache;
#[cfg(test)]
mod test_support;

use proc_macro::TokenStream;

/// Generates typed requests, answer types and entities from a precache.
///
/// ```text
/// // The path in an environment variable (what marvin-entities does; its
/// // build script sets the variable):
/// marvin_macros::cloudstack_api!(env = "MARVIN_PRECACHE_PATH");
/// // A file relative to the invoking crate's Cargo.toml:
/// marvin_macros::cloudstack_api!(path = "tests/fixtures/small.json");
/// ```
///
/// The expansion refers to `::marvin_entities`, whose runtime it calls, so
/// it compiles in marvin-entities and in crates that depend on it. A file
/// named through `env` that does not exist expands to nothing (the build
/// script warns); any other problem is a compile error on the literal that
/// names the precache entry. Set `MARVIN_MACROS_DEBUG` to print the
/// expansion.
#[proc_macro]
pub fn cloudstack_api(input: TokenStream) -> TokenStream {
    expand::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

mod fixture_attr;
mod test_attr;
mod try_sites;

/// Turns an `async fn(ctx: &mut TestContext) -> Result<()>` into a test.
///
/// ```text
/// #[marvin::test(tags = ["smoke", "advanced"], required_hardware = false, fixtures = [SHARED_VPC])]
/// async fn vm_gets_static_nat(ctx: &mut TestContext) -> marvin::Result<()> {
///     Ok(())
/// }
/// ```
///
/// The expansion is one call of `marvin::__private::run_test`: it builds the
/// runtime and the context (the configured cloud, or the embedded
/// simulator), skips tests that `MARVIN_TAGS` does not select, runs the body
/// with panic catching, then always runs the test's cleanup. `fixtures`
/// names the shared fixtures (`marvin::fixture!` statics) the body asks
/// for, so that Marvin's runner cleans each one up after the last test
/// that declared it.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
