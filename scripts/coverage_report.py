"""Turns the llvm-cov JSON summary written by scripts/coverage.sh into
per-crate line coverage and the least-covered files of the simulator's
kernel and of the client.

Writes the tables as Markdown to --markdown and, with --doc, replaces the
part of that document between `<!-- coverage:begin -->` and
`<!-- coverage:end -->` (the rest is prose kept by hand).

Usage: coverage_report.py --json target/coverage/summary.json
                          --markdown target/coverage/summary.md
                          --command "scripts/coverage.sh" --seconds 512
                          --tool "cargo-llvm-cov 0.9.1" [--load "1.0 0.8 0.5"]
                          [--doc docs/coverage.md]
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

BEGIN = "<!-- coverage:begin -->"
END = "<!-- coverage:end -->"

# Folders whose files are listed one by one, least covered first.
FOCUS = [
    ("the simulator's kernel", "marvin-simulator/src/kernel/"),
    ("the client", "marvin-core/src/client/"),
]
FOCUS_ROWS = 10


def workspace_packages(root):
    """(name, folder relative to the root) of every workspace member."""
    text = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    packages = []
    for package in json.loads(text)["packages"]:
        folder = os.path.relpath(os.path.dirname(package["manifest_path"]), root)
        packages.append((package["name"], "" if folder == "." else folder + "/"))
    # The longest folder first: a member's files are not the facade's.
    packages.sort(key=lambda item: len(item[1]), reverse=True)
    return packages


def percent(covered, count):
    return f"{100.0 * covered / count:.1f} %" if count else "—"


def owner(path, packages):
    for name, folder in packages:
        if path.startswith(folder):
            return name
    return None


def tables(files, totals, packages):
    per_crate = {}
    for path, lines, functions in files:
        name = owner(path, packages)
        if name is None:
            continue
        entry = per_crate.setdefault(name, [0, 0, 0, 0])
        entry[0] += lines["covered"]
        entry[1] += lines["count"]
        entry[2] += functions["covered"]
        entry[3] += functions["count"]

    out = [
        "| crate | lines covered / total | lines | functions covered / total | functions |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (covered, count, fn_covered, fn_count) in sorted(per_crate.items()):
        out.append(
            f"| `{name}` | {covered} / {count} | {percent(covered, count)} "
            f"| {fn_covered} / {fn_count} | {percent(fn_covered, fn_count)} |"
        )
    lines = totals["lines"]
    functions = totals["functions"]
    out.append(
        f"| **all** | {lines['covered']} / {lines['count']} | "
        f"**{percent(lines['covered'], lines['count'])}** | "
        f"{functions['covered']} / {functions['count']} | "
        f"{percent(functions['covered'], functions['count'])} |"
    )

    for title, folder in FOCUS:
        chosen = [
            (path, lines)
            for path, lines, _ in files
            if path.startswith(folder) and lines["count"] > 0
        ]
        if not chosen:
            continue
        chosen.sort(key=lambda item: (item[1]["covered"] - item[1]["count"], item[0]))
        out += [
            "",
            f"Least-covered files of {title} (`{folder}`), most uncovered lines first:",
            "",
            "| file | uncovered lines | lines covered / total | lines |",
            "|---|---:|---:|---:|",
        ]
        for path, lines in chosen[:FOCUS_ROWS]:
            out.append(
                f"| `{path[len(folder):]}` | {lines['count'] - lines['covered']} "
                f"| {lines['covered']} / {lines['count']} "
                f"| {percent(lines['covered'], lines['count'])} |"
            )
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--tool", required=True)
    parser.add_argument("--load", default="")
    parser.add_argument("--doc")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(args.json, encoding="utf-8") as f:
        export = json.load(f)
    data = export["data"][0]
    files = []
    for entry in data["files"]:
        path = os.path.relpath(entry["filename"], root)
        if path.startswith(".."):
            continue
        files.append((path, entry["summary"]["lines"], entry["summary"]["functions"]))

    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    at_commit = f" at commit `{commit}`" if commit else ""
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    minutes, seconds = divmod(args.seconds, 60)
    body = [
        f"Measured {when}{at_commit} with `{args.command}` ({args.tool}, {rustc}, "
        f"{os.cpu_count()} cores, load average before the run: {args.load or 'unknown'}): "
        f"building and running the instrumented tests took {minutes} min {seconds:02d} s. "
        "Test code (`tests/` folders, `*_tests.rs`, `examples/`) is not counted.",
        "",
    ] + tables(files, data["totals"], workspace_packages(root))

    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write("\n".join(body) + "\n")

    if args.doc:
        with open(args.doc, encoding="utf-8") as f:
            text = f.read()
        start = text.find(BEGIN)
        end = text.find(END)
        if start < 0 or end < start:
            sys.exit(f"{args.doc}: no {BEGIN} ... {END} markers")
        text = text[: start + len(BEGIN)] + "\n" + "\n".join(body) + "\n" + text[end:]
        with open(args.doc, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
