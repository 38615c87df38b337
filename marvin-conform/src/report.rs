//! What a conformance run found: per command, how often it was replayed and
//! each distinct difference with its first example; as text, JSON and an
//! HTML section.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use marvin_runner::html::escape;
use serde::Serialize;

use crate::shape::ShapeChange;

/// The kind of a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The HTTP status differs.
    Status,
    /// `errorcode` or `cserrorcode` differs (in an error answer, or in the
    /// `jobresult` of a failed job).
    ErrorCode,
    /// A field of the recorded answer is not in the live one.
    Missing,
    /// The live answer has a field the recorded one has not.
    Extra,
    /// A field has another JSON type.
    Type,
}

impl Kind {
    /// The kind's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::ErrorCode => "error_code",
            Self::Missing => "missing",
            Self::Extra => "extra",
            Self::Type => "type",
        }
    }
}

impl From<ShapeChange> for Kind {
    fn from(change: ShapeChange) -> Self {
        match change {
            ShapeChange::Missing => Self::Missing,
            ShapeChange::Extra => Self::Extra,
            ShapeChange::Type => Self::Type,
        }
    }
}

/// Where a difference was first seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The cassette's file name.
    pub cassette: String,
    /// The interaction's index in it (from 0).
    pub interaction: usize,
}

/// One distinct difference of a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// What differs.
    pub kind: Kind,
    /// The field's path for shape differences (`listzonesresponse.zone[].name`),
    /// the field (`errorcode`, `cserrorcode`) for error codes, empty for the
    /// status.
    pub path: String,
    /// What the recording had (a status, a code, JSON types; empty when
    /// absent).
    pub recorded: String,
    /// What the endpoint answered (empty when absent).
    pub live: String,
    /// How many replayed interactions showed it.
    pub occurrences: usize,
    /// The first of them.
    pub first: Example,
}

/// One command's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandReport {
    /// The command, as first recorded.
    pub command: String,
    /// How many of its interactions were replayed and compared.
    pub replayed: usize,
    /// Its distinct differences, by kind and path.
    pub differences: Vec<Difference>,
}

/// A recorded interaction that was not replayed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The command.
    pub command: String,
    /// Where it was recorded.
    pub at: Example,
    /// Why it was not replayed (or what was unusual about it).
    pub reason: String,
}

/// The result of a conformance run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The endpoint measured.
    pub target: String,
    /// How many cassettes were read.
    pub cassettes: usize,
    /// How many interactions they hold.
    pub recorded: usize,
    /// How many were replayed and compared.
    pub replayed: usize,
    /// Job polls recorded while the job was pending, not sent.
    pub skipped_polls: usize,
    /// Interactions not replayed for another reason, and remarks.
    pub notes: Vec<Note>,
    /// Per command (sorted by name), replayed or not.
    pub commands: Vec<CommandReport>,
}

impl Report {
    /// The number of distinct differences, all commands together.
    pub fn differences(&self) -> usize {
        self.commands.iter().map(|c| c.differences.len()).sum()
    }

    /// True when no difference was found.
    pub fn is_conformant(&self) -> bool {
        self.differences() == 0
    }

    /// The one-line summary: cassettes, interactions replayed, commands,
    /// differences.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} cassette(s), {} of {} interaction(s) replayed",
            self.cassettes, self.replayed, self.recorded
        );
        if self.skipped_polls > 0 {
            let _ = write!(
                line,
                " ({} pending job poll(s) skipped)",
                self.skipped_polls
            );
        }
        let _ = write!(
            line,
            ", {} command(s), {} difference(s)",
            self.commands.len(),
            self.differences()
        );
        line
    }

    /// The text report: each command with differences, then the notes, then
    /// the summary line.
    pub fn text(&self) -> String {
        let mut out = format!("conformance of {}\n", self.target);
        for command in self.commands.iter().filter(|c| !c.differences.is_empty()) {
            let _ = writeln!(
                out,
                "\n{} ({} replayed): {} difference(s)",
                command.command,
                command.replayed,
                command.differences.len()
            );
            for difference in &command.differences {
                let _ = writeln!(
                    out,
                    "  {:<10} {}  recorded {}, live {}  ({}x, first {} #{})",
                    difference.kind.name(),
                    if difference.path.is_empty() {
                        "(answer)"
                    } else {
                        &difference.path
                    },
                    or_none(&difference.recorded),
                    or_none(&difference.live),
                    difference.occurrences,
                    difference.first.cassette,
                    difference.first.interaction
                );
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\nnotes:");
            for note in &self.notes {
                let _ = writeln!(
                    out,
                    "  {} ({} #{}): {}",
                    note.command, note.at.cassette, note.at.interaction, note.reason
                );
            }
        }
        let _ = writeln!(out, "\n{}", self.summary());
        out
    }

    /// The report as JSON (`differences` and `conformant` added at the top).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("differences".into(), self.differences().into());
            map.insert("conformant".into(), self.is_conformant().into());
        }
        value
    }

    /// The report as an HTML section (no page around it), in the classes of
    /// the runner's report page (`marvin_runner::html::page` wraps it).
    pub fn html_section(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "<h1>marvin conform</h1>");
        let _ = writeln!(
            out,
            "<div class=\"meta\"><span>target <b>{}</b></span></div>",
            escape(&self.target)
        );
        let (class, verdict) = if self.is_conformant() {
            (
                "ok",
                "The endpoint answered every replayed call as recorded.".to_owned(),
            )
        } else {
            (
                "bad",
                format!(
                    "{} difference(s) in {} command(s).",
                    self.differences(),
                    self.commands
                        .iter()
                        .filter(|c| !c.differences.is_empty())
                        .count()
                ),
            )
        };
        let _ = writeln!(
            out,
            "<div class=\"verdict {class}\">{}</div>",
            escape(&verdict)
        );
        let cards = [
            ("", self.cassettes, "cassettes"),
            ("", self.replayed, "replayed"),
            ("skip", self.skipped_polls, "polls skipped"),
            ("", self.commands.len(), "commands"),
            (
                if self.is_conformant() { "pass" } else { "fail" },
                self.differences(),
                "differences",
            ),
        ];
        out.push_str("<div class=\"cards\">");
        for (class, number, label) in cards {
            let _ = write!(
                out,
                "<div class=\"card {class}\"><div class=\"n\">{number}</div><div class=\"l\">{label}</div></div>"
            );
        }
        out.push_str(
            "</div>\n<h2>Commands</h2><div class=\"section\"><table class=\"grid\">\
            <tr><th>command</th><th class=\"num\">replayed</th><th>kind</th><th>field</th>\
            <th>recorded</th><th>live</th><th class=\"num\">times</th><th>first seen</th></tr>",
        );
        for command in &self.commands {
            if command.differences.is_empty() {
                let _ = write!(
                    out,
                    "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td colspan=\"6\" class=\"muted\">as recorded</td></tr>",
                    escape(&command.command),
                    command.replayed
                );
                continue;
            }
            for (index, difference) in command.differences.iter().enumerate() {
                let head = if index == 0 {
                    format!(
                        "<td class=\"mono\" rowspan=\"{}\">{}</td><td class=\"num\" rowspan=\"{}\">{}</td>",
                        command.differences.len(),
                        escape(&command.command),
                        command.differences.len(),
                        command.replayed
                    )
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    "<tr class=\"bad\">{head}<td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td>\
                     <td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"mono\">{} #{}</td></tr>",
                    difference.kind.name(),
                    escape(&difference.path),
                    escape(or_none(&difference.recorded)),
                    escape(or_none(&difference.live)),
                    difference.occurrences,
                    escape(&difference.first.cassette),
                    difference.first.interaction
                );
            }
        }
        out.push_str("</table></div>\n");
        if !self.notes.is_empty() {
            out.push_str(
                "<h2>Notes</h2><div class=\"section\"><table class=\"grid\">\
                <tr><th>command</th><th>where</th><th>note</th></tr>",
            );
            for note in &self.notes {
                let _ = write!(
                    out,
                    "<tr><td class=\"mono\">{}</td><td class=\"mono\">{} #{}</td><td>{}</td></tr>",
                    escape(&note.command),
                    escape(&note.at.cassette),
                    note.at.interaction,
                    escape(&note.reason)
                );
            }
            out.push_str("</table></div>\n");
        }
        let _ = writeln!(
            out,
            "<div class=\"where\">{}</div>",
            escape(&self.summary())
        );
        out
    }
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "none" } else { text }
}

/// Where each distinct difference of a command sits in its list.
type DifferenceIndex = BTreeMap<(Kind, String, String, String), usize>;

/// Collects differences per command while replaying.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Lower-cased command → its report, its differences keyed for merging.
    commands: BTreeMap<String, (CommandReport, DifferenceIndex)>,
}

impl Tally {
    /// Counts one replayed interaction of `command`.
    pub(crate) fn replayed(&mut self, command: &str) {
        self.entry(command).0.replayed += 1;
    }

    /// Makes sure `command` is listed (also when none of its interactions
    /// was replayed).
    pub(crate) fn seen(&mut self, command: &str) {
        self.entry(command);
    }

    /// Adds a difference (merged with an equal one seen before).
    pub(crate) fn difference(
        &mut self,
        command: &str,
        kind: Kind,
        path: String,
        recorded: String,
        live: String,
        at: Example,
    ) {
        let (report, index) = self.entry(command);
        let key = (kind, path.clone(), recorded.clone(), live.clone());
        match index.get(&key) {
            Some(&position) => report.differences[position].occurrences += 1,
            None => {
                index.insert(key, report.differences.len());
                report.differences.push(Difference {
                    kind,
                    path,
                    recorded,
                    live,
                    occurrences: 1,
                    first: at,
                });
            }
        }
    }

    fn entry(&mut self, command: &str) -> &mut (CommandReport, DifferenceIndex) {
        self.commands
            .entry(command.to_ascii_lowercase())
            .or_insert_with(|| {
                (
                    CommandReport {
                        command: command.to_owned(),
                        replayed: 0,
                        differences: Vec::new(),
                    },
                    BTreeMap::new(),
                )
            })
    }

    /// The per-command reports, sorted by name, differences by kind then
    /// path.
    pub(crate) fn finish(self) -> Vec<CommandReport> {
        self.commands
            .into_values()
            .map(|(mut report, _)| {
                report
                    .differences
                    .sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
                report
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(interaction: usize) -> Example {
        Example {
            cassette: "t.json".into(),
            interaction,
        }
    }

    #[test]
    fn equal_differences_merge_and_keep_the_first_example() {
        let mut tally = Tally::default();
        tally.replayed("listZones");
        tally.replayed("listzones");
        tally.seen("login");
        for interaction in [3, 5] {
            tally.difference(
                "listZones",
                Kind::Missing,
                "r.zone[].x".into(),
                "string".into(),
                String::new(),
                at(interaction),
            );
        }
        tally.difference(
            "listZones",
            Kind::Status,
            String::new(),
            "200".into(),
            "431".into(),
            at(7),
        );
        let commands = tally.finish();
        assert_eq!(commands.len(), 2);
        let zones = &commands[0];
        assert_eq!((zones.command.as_str(), zones.replayed), ("listZones", 2));
        assert_eq!(zones.differences[0].kind, Kind::Status);
        assert_eq!(zones.differences[1].occurrences, 2);
        assert_eq!(zones.differences[1].first, at(3));
        let report = Report {
            target: "sim".into(),
            cassettes: 1,
            recorded: 9,
            replayed: 3,
            skipped_polls: 1,
            notes: Vec::new(),
            commands,
        };
        assert_eq!(report.differences(), 2);
        assert_eq!(
            report.summary(),
            "1 cassette(s), 3 of 9 interaction(s) replayed (1 pending job poll(s) skipped), 2 command(s), 2 difference(s)"
        );
        let text = report.text();
        assert!(
            text.contains(
                "missing    r.zone[].x  recorded string, live none  (2x, first t.json #3)"
            ),
            "{text}"
        );
        assert_eq!(report.to_json()["differences"], 2);
        assert_eq!(
            report.to_json()["commands"][0]["differences"][0]["kind"],
            "status"
        );
        let html = report.html_section();
        assert!(
            html.contains("<td class=\"mono\">r.zone[].x</td>") && html.contains("verdict bad"),
            "{html}"
        );
    }
}
