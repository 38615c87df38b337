//! [`Scenario`]: one test of a suite, as data, and the macros that turn one
//! table of scenarios into both a `static` list (for `marvin smoke`) and
//! one `#[test]` per scenario (for `cargo test` and `cargo nextest`).

use futures_util::future::LocalBoxFuture;
use marvin_core::testing::{SharedFixture, TestContext, TestSpec};

use marvin_core::Result;

/// The body of a scenario: a plain `async fn name(ctx: &mut TestContext) ->
/// marvin::Result<()>`, boxed.
pub type ScenarioFn = for<'c> fn(&'c mut TestContext) -> LocalBoxFuture<'c, Result<()>>;

/// One test of a suite: its name, tags and body.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// `module::function` (`accounts::create_and_delete`), as cargo names
    /// the generated test.
    pub name: &'static str,
    /// The tags (`smoke`, `accounts`, ...), for selection.
    pub tags: &'static [&'static str],
    /// The capabilities the backend must have for it to run
    /// (`#[marvin::test(needs = ["live"])]`); without one, it is skipped
    /// with the reason in the report.
    pub needs: &'static [&'static str],
    /// Whether the scenario needs real hypervisors (Marvin's
    /// `required_hardware`); such scenarios are skipped unless hardware is
    /// enabled (`MARVIN_HARDWARE=true`).
    pub required_hardware: bool,
    /// Marked `#[ignore]`: runs only with `--ignored` or
    /// `--include-ignored`, as libtest runs such tests.
    pub ignored: bool,
    /// Why it is ignored (`#[ignore = "why"]`), empty when no reason was given.
    pub ignore_reason: &'static str,
    /// The shared fixtures it declares (`#[marvin::test(fixtures = [..])]`):
    /// the runner cleans each one up after the last test that declared it.
    pub fixtures: &'static [&'static dyn SharedFixture],
    /// The body.
    pub run: ScenarioFn,
}

impl Scenario {
    /// The test spec of this scenario (its name, tags, hardware need and
    /// shared fixtures).
    pub fn spec(&self) -> TestSpec {
        TestSpec::new(self.name)
            .with_tags(self.tags.iter().copied())
            .with_required_hardware(self.required_hardware)
            .with_needs(self.needs.iter().copied())
            .with_fixtures(self.fixtures.iter().map(|fixture| fixture.name()))
    }

    /// Whether the scenario has one of `tags` (an empty list selects all);
    /// tags match trimmed and whatever their case.
    pub fn has_any_tag(&self, tags: &[String]) -> bool {
        tags.is_empty()
            || self
                .tags
                .iter()
                .any(|tag| tags.iter().any(|t| t.trim().eq_ignore_ascii_case(tag)))
    }
}

/// A `#[marvin::test]` function, registered (through `inventory`) for the
/// runner of its test binary (`marvin::main!()`). The
/// attribute writes these; they are not meant to be written by hand.
#[derive(Debug)]
pub struct Registered {
    /// `module_path!()` where the function is (crate name first).
    pub module_path: &'static str,
    /// The function's name.
    pub function: &'static str,
    /// Its tags.
    pub tags: &'static [&'static str],
    /// The backend capabilities it needs.
    pub needs: &'static [&'static str],
    /// Whether it needs real hypervisors.
    pub required_hardware: bool,
    /// Whether it is marked `#[ignore]`.
    pub ignored: bool,
    /// Why (`#[ignore = "why"]`), or empty.
    pub ignore_reason: &'static str,
    /// The shared fixtures it declares.
    pub fixtures: &'static [&'static dyn SharedFixture],
    /// The body.
    pub run: ScenarioFn,
}

inventory::collect!(Registered);

impl Registered {
    /// The test as a scenario named `module::function`, without the crate
    /// (`crate_name`) in front, as cargo's own harness names it.
    pub fn scenario(&self, crate_name: &str) -> Scenario {
        let module = self
            .module_path
            .strip_prefix(crate_name)
            .map(|rest| rest.trim_start_matches("::"))
            .unwrap_or(self.module_path);
        let name = if module.is_empty() {
            self.function.to_string()
        } else {
            format!("{module}::{}", self.function)
        };
        Scenario {
            // Built once per process, for the whole run.
            name: Box::leak(name.into_boxed_str()),
            tags: self.tags,
            needs: self.needs,
            required_hardware: self.required_hardware,
            ignored: self.ignored,
            ignore_reason: self.ignore_reason,
            fixtures: self.fixtures,
            run: self.run,
        }
    }
}

/// Expands a table of scenarios, grouped by module, into
/// `pub static SCENARIOS: &[Scenario]`, in table order (the `list` mode, the
/// one there is: the runner, `marvin::main!(SCENARIOS)`, runs them under
/// cargo, nextest and `marvin smoke` alike).
///
/// Paths are taken relative to `$root`, the module that holds the scenario
/// modules. An entry is `function => ["tag", ...]`, optionally followed by
/// `(hardware)` for scenarios that need real hypervisors.
///
/// ```text
/// marvin_runner::scenario_table! { list, crate::suite;
///     accounts {
///         create_and_delete => ["smoke", "accounts"],
///     }
/// }
/// ```
///
#[macro_export]
macro_rules! scenario_table {
    (list, $($root:tt)::+; $(
        $module:ident { $( $func:ident => [$($tag:literal),* $(,)?] $(($hardware:ident))? ),* $(,)? }
    )*) => {
        use $($root)::+ as __scenario_root;
        /// Every scenario of the suite, in table order.
        pub static SCENARIOS: &[$crate::Scenario] = &[$($(
            $crate::Scenario {
                name: ::core::concat!(::core::stringify!($module), "::", ::core::stringify!($func)),
                tags: &[$($tag),*],
                needs: &[],
                required_hardware: $crate::__scenario_hardware!($($hardware)?),
                ignored: false,
                ignore_reason: "",
                fixtures: &[],
                run: |ctx| ::std::boxed::Box::pin(__scenario_root::$module::$func(ctx)),
            },
        )*)*];
    };
}

/// `(hardware)` after a table entry: the scenario needs real hypervisors.
#[doc(hidden)]
#[macro_export]
macro_rules! __scenario_hardware {
    () => {
        false
    };
    (hardware) => {
        true
    };
}

#[cfg(test)]
mod tests {
    mod demo {
        use marvin_core::Result;
        use marvin_core::testing::TestContext;

        pub async fn first(_ctx: &mut TestContext) -> Result<()> {
            Ok(())
        }

        pub async fn second(_ctx: &mut TestContext) -> Result<()> {
            Ok(())
        }
    }

    mod table {
        crate::scenario_table! { list, crate::scenario::tests;
            demo {
                first => ["smoke", "demo"],
                second => ["slow"] (hardware),
            }
        }
    }

    #[test]
    fn the_table_lists_names_tags_and_hardware_in_order() {
        let names: Vec<_> = table::SCENARIOS.iter().map(|s| s.name).collect();
        assert_eq!(names, ["demo::first", "demo::second"]);
        assert_eq!(table::SCENARIOS[0].tags, ["smoke", "demo"]);
        assert!(!table::SCENARIOS[0].required_hardware);
        assert!(table::SCENARIOS[1].required_hardware);
        let spec = table::SCENARIOS[1].spec();
        assert_eq!(spec.name, "demo::second");
        assert_eq!(spec.tags, ["slow"]);
        assert!(spec.required_hardware);
    }

    #[test]
    fn registered_tests_are_named_without_their_crate() {
        let registered = super::Registered {
            module_path: "user_suite::vms",
            function: "deploy",
            tags: &["vms"],
            needs: &["live"],
            required_hardware: false,
            ignored: true,
            ignore_reason: "",
            fixtures: &[],
            run: |ctx| Box::pin(demo::first(ctx)),
        };
        assert_eq!(registered.scenario("user_suite").name, "vms::deploy");
        assert_eq!(registered.scenario("user_suite").spec().needs, ["live"]);
        assert!(registered.scenario("user_suite").ignored);
        let top = super::Registered {
            module_path: "user_suite",
            ..registered
        };
        assert_eq!(top.scenario("user_suite").name, "deploy");
    }

    #[test]
    fn tag_selection_matches_any_tag() {
        let first = table::SCENARIOS[0];
        assert!(first.has_any_tag(&[]));
        assert!(first.has_any_tag(&["demo".into(), "x".into()]));
        assert!(first.has_any_tag(&[" DEMO ".into()]));
        assert!(!first.has_any_tag(&["slow".into()]));
    }
}
