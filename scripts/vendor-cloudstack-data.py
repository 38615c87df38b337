#!/usr/bin/env python3
"""Vendors the CloudStack data the tests read into testdata/cloudstack/.

    scripts/vendor-cloudstack-data.py SOURCE_DIR [--out DIR]

SOURCE_DIR holds the inputs: `listApis.json` (the 4.22 schema, wrapped in
`listapisresponse`), `listApis-4.18-real.json` (a real 4.18 answer, not
wrapped) and `responses/*.json` (recorded answers keyed by API name). The
output (default: testdata/cloudstack/ of this repository) gets:

- `listApis-4.22.json` and `listApis-4.18.json`: the schemas without any
  `description` key (APIs, parameters, response fields at every depth);
  every other key, its value and the order of keys and entries are kept, so
  quirks such as the empty `{}` entries of the 4.18 answer stay;
- `responses/*.json`: the recorded answers, byte for byte as CloudStack
  sent them (tests decode the bodies as written), except that each
  `description` line whose value is prose (it contains whitespace) is
  removed; single-word values are names users gave their objects and stay.

The schemas are written one API per line: small, yet a change shows up as
a one-line diff. Running the script twice on the same inputs gives the
same bytes.
"""

import argparse
import json
import pathlib
import re
import sys

SCHEMAS = {
    "listApis.json": "listApis-4.22.json",
    "listApis-4.18-real.json": "listApis-4.18.json",
}


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def without(value, drop):
    """The value without the `description` keys whose value `drop` picks,
    at any depth."""
    if isinstance(value, dict):
        return {
            k: without(v, drop) for k, v in value.items() if not (k == "description" and drop(v))
        }
    if isinstance(value, list):
        return [without(v, drop) for v in value]
    return value


def without_descriptions(value):
    """The value with every `description` key removed."""
    return without(value, lambda _: True)


def is_prose(value):
    return isinstance(value, str) and any(c.isspace() for c in value)


def without_prose(value):
    """The value without the `description` keys that hold prose."""
    return without(value, is_prose)


def schema_text(doc):
    """A listApis document, one API per line, in its own wrapping."""
    wrapped = "listapisresponse" in doc
    inner = doc["listapisresponse"] if wrapped else doc
    head = {k: v for k, v in inner.items() if k != "api"}
    lines = ",\n".join(compact(without_descriptions(api)) for api in inner["api"])
    body = "{" + "".join(f"{compact(k)}:{compact(v)}," for k, v in head.items())
    body += '"api":[\n' + lines + "\n]}"
    return ('{"listapisresponse":' + body + "}\n") if wrapped else (body + "\n")


DESCRIPTION_LINE = re.compile(r'^\s*"description"\s*:\s*("(?:[^"\\]|\\.)*")\s*(,?)\s*$')


def responses_text(text):
    """A sample file as written, without the lines that hold prose.

    The samples are pretty-printed, one key per line. When the removed line
    was the last of its object, the comma that preceded it goes too. The
    result is checked against the parsed document with the prose removed.
    """
    lines = text.splitlines(keepends=True)
    kept = []
    for line in lines:
        match = DESCRIPTION_LINE.match(line)
        if match and is_prose(json.loads(match.group(1))):
            if not match.group(2):
                previous = kept[-1].rstrip()
                if not previous.endswith(","):
                    sys.exit(f"cannot remove {line.strip()!r}: no comma before it")
                kept[-1] = previous[:-1] + kept[-1][len(previous) :]
            continue
        kept.append(line)
    result = "".join(kept)
    if json.loads(result) != without_prose(json.loads(text)):
        sys.exit("a description holding prose is not on a line of its own")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path, help="the directory holding the inputs")
    default_out = pathlib.Path(__file__).resolve().parent.parent / "testdata" / "cloudstack"
    parser.add_argument("--out", type=pathlib.Path, default=default_out)
    args = parser.parse_args()

    (args.out / "responses").mkdir(parents=True, exist_ok=True)
    for source, target in SCHEMAS.items():
        doc = json.loads((args.source / source).read_text(encoding="utf-8"))
        (args.out / target).write_text(schema_text(doc), encoding="utf-8")
        count = len(doc.get("listapisresponse", doc)["api"])
        print(f"{target}: {count} APIs")

    samples = sorted((args.source / "responses").glob("*.json"))
    if not samples:
        sys.exit(f"no responses/*.json under {args.source}")
    for path in samples:
        text = responses_text(path.read_bytes().decode("utf-8"))
        (args.out / "responses" / path.name).write_bytes(text.encode("utf-8"))
    print(f"responses: {len(samples)} files")


if __name__ == "__main__":
    main()
