//! The places of a test's `?`: each `expr?` of a `#[marvin::test]` body
//! is wrapped in `marvin_core::testing::TrySite`, so that an error the body
//! returns with `?` is reported with the test's own file and line.
//!
//! A `return` of the body records its place the same way (a test that
//! returns `Err(..)` itself is reported at that `return`; for a returned
//! `Ok`, the place is never used).
//!
//! Only the `?` that return from the body are wrapped: those inside
//! closures, async blocks and nested items return from those, and their
//! errors are the body's to handle. `?` inside macro calls (`vec![a?]`) are
//! left alone (their tokens are not parsed).

use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Item};

/// Wraps every `?` of `block` that returns from it.
pub(crate) fn mark(block: &mut Block) {
    Marker.visit_block_mut(block);
}

struct Marker;

impl VisitMut for Marker {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if matches!(
            expr,
            Expr::Closure(_) | Expr::Async(_) | Expr::TryBlock(_) | Expr::Const(_)
        ) {
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
        if let Expr::Try(tried) = expr {
            // Spanned at the `?`, so that `Location::caller()` inside
            // `TrySite::enter` is the `?`'s place in the test's file.
            let span = tried.question_token.span();
            let inner = &tried.expr;
            let wrapped = quote_spanned! {span=>
                match #inner {
                    __marvin_tried => {
                        let __marvin_site = ::marvin::core::testing::TrySite::enter();
                        // A `?` on a call that answers `()` keeps its unit.
                        #[allow(clippy::let_unit_value)]
                        let __marvin_value = __marvin_tried?;
                        __marvin_site.passed();
                        __marvin_value
                    }
                }
            };
            *expr = syn::parse2(wrapped).expect("a match expression parses");
        } else if let Expr::Return(returned) = expr {
            let Some(value) = returned.expr.take() else {
                return;
            };
            // Recorded once the value is made: a `?` inside it that passes
            // would otherwise forget the place.
            let span = returned.return_token.span();
            let recorded = quote_spanned! {span=>
                match #value {
                    __marvin_returned => {
                        ::core::mem::drop(::marvin::core::testing::TrySite::enter());
                        __marvin_returned
                    }
                }
            };
            returned.expr = Some(Box::new(
                syn::parse2(recorded).expect("a match expression parses"),
            ));
        }
    }

    fn visit_item_mut(&mut self, _item: &mut Item) {}
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn marked(body: proc_macro2::TokenStream) -> String {
        let mut block: Block = syn::parse2(body).unwrap();
        mark(&mut block);
        quote!(#block).to_string()
    }

    #[test]
    fn each_question_mark_of_the_body_is_wrapped() {
        let out = marked(quote!({
            let vm = deploy(ctx).await?;
            vm.start(&client?).await?;
            Ok(())
        }));
        assert_eq!(out.matches("TrySite :: enter ()").count(), 3, "{out}");
        assert!(
            out.contains("match deploy (ctx) . await { __marvin_tried =>"),
            "{out}"
        );
        // Nested: the inner `?` is wrapped inside the outer one's match.
        assert!(out.contains("match vm . start (& match client {"), "{out}");
    }

    #[test]
    fn a_return_records_its_place_once_its_value_is_made() {
        let out = marked(quote!({
            if missing {
                return Err(Error::setup("no zone"));
            }
            Ok(())
        }));
        assert!(
            out.contains(
                "return match Err (Error :: setup (\"no zone\")) { __marvin_returned => { :: core :: mem :: drop (:: marvin :: core :: testing :: TrySite :: enter ()) ; __marvin_returned } }"
            ),
            "{out}"
        );
    }

    #[test]
    fn closures_async_blocks_and_items_keep_their_own() {
        let out = marked(quote!({
            let a = || -> Result<()> {
                x?;
                Ok(())
            };
            let b = async {
                y?;
                Ok(())
            };
            fn helper() -> Result<()> {
                z?;
                Ok(())
            }
            Ok(())
        }));
        assert!(!out.contains("TrySite"), "{out}");
    }
}
