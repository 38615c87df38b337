//! Which tests of a suite a run takes: name filters (libtest's substring,
//! `--exact` and `--skip`, plus a regular expression), tags, the previous
//! run's failures and a partition, applied in that order. Pure functions
//! over the suite's table, so that every rule is unit-tested.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use libtest_mimic::{Arguments, Trial};
use regex::Regex;
use sha1::{Digest, Sha1};

use super::scenario::Scenario;

/// `--partition`: one slice of a suite split across machines, with
/// nextest's semantics (applied after every other filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// `count:K/N`: the selected tests, sorted by name, dealt out in turn
    /// (the first to slice 1, the second to slice 2, ...). Even slices, but
    /// a test moves when tests are added before it.
    Count {
        /// This slice, from 1.
        shard: usize,
        /// How many slices.
        total: usize,
    },
    /// `hash:K/N`: each test by a hash of its name. A test stays in its
    /// slice when others are added.
    Hash {
        /// This slice, from 1.
        shard: usize,
        /// How many slices.
        total: usize,
    },
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = || format!("`{text}`: expected `count:K/N` or `hash:K/N` with 1 <= K <= N");
        let (kind, slice) = text.trim().split_once(':').ok_or_else(usage)?;
        let (shard, total) = slice.split_once('/').ok_or_else(usage)?;
        let shard: usize = shard.trim().parse().map_err(|_| usage())?;
        let total: usize = total.trim().parse().map_err(|_| usage())?;
        if shard == 0 || shard > total {
            return Err(usage());
        }
        match kind.trim() {
            "count" => Ok(Self::Count { shard, total }),
            "hash" => Ok(Self::Hash { shard, total }),
            _ => Err(usage()),
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count { shard, total } => write!(f, "count:{shard}/{total}"),
            Self::Hash { shard, total } => write!(f, "hash:{shard}/{total}"),
        }
    }
}

impl Partition {
    /// The slice (0-based) a test falls in; `rank` is its position among
    /// the selected tests sorted by name.
    fn slice_of(&self, rank: usize, name: &str) -> usize {
        match *self {
            Self::Count { total, .. } => rank % total,
            Self::Hash { total, .. } => {
                // SHA-1 rather than std's hasher: the same slice on every
                // machine and every Rust version.
                let digest = Sha1::digest(name.as_bytes());
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                (u64::from_be_bytes(first) % total as u64) as usize
            }
        }
    }

    fn shard(&self) -> usize {
        match *self {
            Self::Count { shard, .. } | Self::Hash { shard, .. } => shard - 1,
        }
    }
}

/// What a run selects by; everything empty selects the whole suite.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// libtest's filter, `--exact`, `--skip` and `--ignored`.
    pub libtest: Arguments,
    /// `--regex`: names matching this expression.
    pub regex: Option<Regex>,
    /// `--tags` / `MARVIN_TAGS`: tests with any of these tags.
    pub tags: Vec<String>,
    /// `--rerun-failed`: only these names (the previous run's failures).
    pub only: Option<BTreeSet<String>>,
    /// `--partition`.
    pub partition: Option<Partition>,
    /// Tags that no test of this suite has select nothing instead of being
    /// an error: for `--list --format terse`, where cargo nextest lists
    /// every test binary of a run with the same `MARVIN_TAGS`, and the tag
    /// may be another binary's.
    pub foreign_tags_allowed: bool,
}

/// Why a selection is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// Tags that no test of the suite has (a typo, usually).
    #[error("no test of {suite} has the tag{} {}; its tags are: {known}", if .unknown.len() == 1 { "" } else { "s" }, .unknown.join(", "))]
    UnknownTags {
        /// The suite.
        suite: String,
        /// The tags asked for that no test has.
        unknown: Vec<String>,
        /// Every tag of the suite, comma-separated.
        known: String,
        /// The suite's spellings of the tags asked for that it has.
        known_asked: Vec<String>,
    },
}

/// The tests a run takes, in table order.
#[derive(Debug, Clone)]
pub struct Selection<'s> {
    /// Every selected test, those that run and the ignored ones: what
    /// `--list` shows.
    pub listed: Vec<&'s Scenario>,
    /// The selected tests that run.
    pub tests: Vec<&'s Scenario>,
    /// The selected tests marked `#[ignore]` that do not run (without
    /// `--ignored` or `--include-ignored`): listed, reported as skipped.
    pub ignored: Vec<&'s Scenario>,
    /// The selected tags as the suite spells them (empty: no tag filter).
    pub tags: Vec<String>,
    /// How many tests of the suite the filters left out.
    pub deselected: usize,
}

impl<'s> Selection<'s> {
    /// Applies `filters` to `scenarios` (the whole suite, named `suite` in
    /// messages). Tags are trimmed and matched whatever their case; a tag
    /// that no test of the suite has is an error.
    pub fn new(
        suite: &str,
        scenarios: &'s [Scenario],
        filters: &Filters,
    ) -> Result<Self, SelectionError> {
        let tags = match canonical_tags(suite, scenarios, &filters.tags) {
            Ok(tags) => tags,
            Err(SelectionError::UnknownTags { known_asked, .. })
                if filters.foreign_tags_allowed =>
            {
                known_asked
            }
            Err(error) => return Err(error),
        };
        // Tags were asked for but none is this suite's: nothing is selected
        // (an empty tag list would select everything).
        let none_known = tags.is_empty() && filters.tags.iter().any(|t| !t.trim().is_empty());
        // libtest's own rules, on a stand-in trial of each test.
        let trial = |s: &Scenario| Trial::test(s.name, || Ok(())).with_ignored_flag(s.ignored);
        let mut tests: Vec<&Scenario> = scenarios
            .iter()
            .filter(|s| !filters.libtest.is_filtered_out(&trial(s)))
            .filter(|s| filters.regex.as_ref().is_none_or(|re| re.is_match(s.name)))
            .filter(|s| !none_known && s.has_any_tag(&tags))
            .filter(|s| {
                filters
                    .only
                    .as_ref()
                    .is_none_or(|only| only.contains(s.name))
            })
            .collect();
        if let Some(partition) = filters.partition {
            let mut by_name: Vec<&str> = tests.iter().map(|s| s.name).collect();
            by_name.sort_unstable();
            tests.retain(|s| {
                let rank = by_name.binary_search(&s.name).unwrap_or(0);
                partition.slice_of(rank, s.name) == partition.shard()
            });
        }
        let deselected = scenarios.len() - tests.len();
        let listed = tests.clone();
        let (ignored, tests) = tests
            .into_iter()
            .partition(|s| filters.libtest.is_ignored(&trial(s)));
        Ok(Self {
            deselected,
            listed,
            tests,
            ignored,
            tags,
        })
    }
}

/// The suite's own spelling of each tag asked for (all spellings that match
/// whatever the case); an error names the ones no test has.
fn canonical_tags(
    suite: &str,
    scenarios: &[Scenario],
    asked: &[String],
) -> Result<Vec<String>, SelectionError> {
    let known: BTreeSet<&str> = scenarios
        .iter()
        .flat_map(|s| s.tags.iter().copied())
        .collect();
    let mut tags = Vec::new();
    let mut unknown = Vec::new();
    for asked in asked.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let matching: Vec<&str> = known
            .iter()
            .copied()
            .filter(|k| k.eq_ignore_ascii_case(asked))
            .collect();
        if matching.is_empty() {
            unknown.push(asked.to_string());
        }
        for tag in matching {
            if !tags.iter().any(|t: &String| t == tag) {
                tags.push(tag.to_string());
            }
        }
    }
    if unknown.is_empty() {
        Ok(tags)
    } else {
        Err(SelectionError::UnknownTags {
            suite: suite.to_string(),
            unknown,
            known: known.into_iter().collect::<Vec<_>>().join(", "),
            known_asked: tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marvin_core::Result;
    use marvin_core::testing::TestContext;

    async fn body(_ctx: &mut TestContext) -> Result<()> {
        Ok(())
    }

    const fn scenario(name: &'static str, tags: &'static [&'static str]) -> Scenario {
        Scenario {
            name,
            tags,
            needs: &[],
            required_hardware: false,
            ignored: false,
            ignore_reason: "",
            fixtures: &[],
            run: |ctx| Box::pin(body(ctx)),
        }
    }

    const fn ignored(name: &'static str) -> Scenario {
        Scenario {
            ignored: true,
            ..scenario(name, &["slow"])
        }
    }

    static SUITE: &[Scenario] = &[
        scenario("accounts::create", &["smoke", "accounts"]),
        scenario("accounts::rename", &["smoke", "accounts"]),
        scenario("vms::deploy", &["smoke", "vms", "Network"]),
        scenario("vms::stop", &["smoke", "vms"]),
        scenario("vpc::tier", &["smoke", "vpc", "network"]),
    ];

    fn names(filters: &Filters) -> Vec<&'static str> {
        Selection::new("demo", SUITE, filters)
            .unwrap()
            .tests
            .iter()
            .map(|s| s.name)
            .collect()
    }

    fn libtest(args: &[&str]) -> Arguments {
        Arguments::from_iter(std::iter::once("test").chain(args.iter().copied()))
    }

    #[test]
    fn libtest_filters_select_by_substring_exact_name_and_skip() {
        let by = |args: &[&str]| {
            names(&Filters {
                libtest: libtest(args),
                ..Filters::default()
            })
        };
        assert_eq!(by(&["vms"]), ["vms::deploy", "vms::stop"]);
        assert_eq!(by(&["--exact", "vms::stop"]), ["vms::stop"]);
        assert_eq!(by(&["--exact", "vms"]), Vec::<&str>::new());
        assert_eq!(
            by(&["--skip", "accounts", "--skip", "vpc"]),
            ["vms::deploy", "vms::stop"]
        );
    }

    #[test]
    fn ignored_tests_run_only_when_asked_for_and_are_always_listed() {
        static WITH_IGNORED: &[Scenario] = &[scenario("a::fast", &["slow"]), ignored("a::slow")];
        let select = |args: &[&str]| {
            let filters = Filters {
                libtest: libtest(args),
                ..Filters::default()
            };
            let selection = Selection::new("demo", WITH_IGNORED, &filters).unwrap();
            let names = |tests: &[&Scenario]| tests.iter().map(|s| s.name).collect::<Vec<_>>();
            (
                names(&selection.tests),
                names(&selection.ignored),
                names(&selection.listed),
            )
        };
        assert_eq!(
            select(&[]),
            (vec!["a::fast"], vec!["a::slow"], vec!["a::fast", "a::slow"])
        );
        assert_eq!(
            select(&["--ignored"]),
            (vec!["a::slow"], vec![], vec!["a::slow"])
        );
        assert_eq!(
            select(&["--include-ignored"]),
            (
                vec!["a::fast", "a::slow"],
                vec![],
                vec!["a::fast", "a::slow"]
            )
        );
    }

    #[test]
    fn a_regex_selects_by_pattern() {
        let selected = names(&Filters {
            regex: Some(Regex::new(r"^(accounts|vpc)::.*e$").unwrap()),
            ..Filters::default()
        });
        assert_eq!(selected, ["accounts::create", "accounts::rename"]);
    }

    #[test]
    fn tags_are_trimmed_and_match_whatever_their_case() {
        let filters = Filters {
            tags: vec![" NETWORK ".into()],
            ..Filters::default()
        };
        let selection = Selection::new("demo", SUITE, &filters).unwrap();
        let names: Vec<_> = selection.tests.iter().map(|s| s.name).collect();
        assert_eq!(names, ["vms::deploy", "vpc::tier"]);
        assert_eq!(selection.tags, ["Network", "network"]);
        assert_eq!(selection.deselected, 3);
    }

    #[test]
    fn an_unknown_tag_is_an_error_naming_the_known_ones() {
        let filters = Filters {
            tags: vec!["vms".into(), "netwrk".into()],
            ..Filters::default()
        };
        let error = Selection::new("demo", SUITE, &filters).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no test of demo has the tag netwrk; its tags are: Network, accounts, network, smoke, vms, vpc"
        );
    }

    #[test]
    fn for_nextest_s_list_another_binary_s_tags_select_nothing_here() {
        let filters = |tags: &[&str]| Filters {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            foreign_tags_allowed: true,
            ..Filters::default()
        };
        assert_eq!(names(&filters(&["netwrk"])), Vec::<&str>::new());
        assert_eq!(names(&filters(&["vpc", "netwrk"])), ["vpc::tier"]);
    }

    #[test]
    fn the_previous_failures_select_by_name() {
        let filters = Filters {
            only: Some(["vms::stop".to_string(), "gone::test".to_string()].into()),
            ..Filters::default()
        };
        assert_eq!(names(&filters), ["vms::stop"]);
    }

    #[test]
    fn partitions_split_the_selection_into_disjoint_slices_covering_it() {
        for kind in ["count", "hash"] {
            let mut seen: Vec<&str> = Vec::new();
            for shard in 1..=3 {
                let filters = Filters {
                    partition: Some(format!("{kind}:{shard}/3").parse().unwrap()),
                    ..Filters::default()
                };
                seen.extend(names(&filters));
            }
            seen.sort_unstable();
            let mut all: Vec<&str> = SUITE.iter().map(|s| s.name).collect();
            all.sort_unstable();
            assert_eq!(seen, all, "{kind}");
        }
        // count: dealt out in name order, after the other filters.
        let filters = Filters {
            libtest: libtest(&["--skip", "vpc"]),
            partition: Some("count:2/2".parse().unwrap()),
            ..Filters::default()
        };
        assert_eq!(names(&filters), ["accounts::rename", "vms::stop"]);
    }

    #[test]
    fn partitions_are_parsed_as_nextest_writes_them() {
        assert_eq!(
            "hash:2/3".parse::<Partition>(),
            Ok(Partition::Hash { shard: 2, total: 3 })
        );
        assert_eq!(
            "count:1/1".parse::<Partition>().unwrap().to_string(),
            "count:1/1"
        );
        for bad in ["hash:0/3", "hash:4/3", "3/3", "mod:1/2", "count:a/2"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }
}
