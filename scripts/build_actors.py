"""Seed report for the actor registry from the UniversalPetrarch Arabic dictionaries.

The PETRARCH Arabic actor dictionary (actor_dict_ar_v4) and agents file (agents.all.ar_v3) list
phrases with CAMEO codes: `name_  [CODE]`, or a name followed by indented `[CODE date-range]`
lines; agents are `phrase_ [~AGT]`. Phrases are lemmatized and joined with `_`
("قوة_أمن_عراقي_"), so they cannot be used as aliases as they are; this script lists the
armed-actor ones (codes ending in MIL, COP, REB, IMG, UAF, SPY, OPP, INS) with what the registry
makes of them now, for a person to curate into resources/actors/*.yaml:

    python scripts/build_actors.py --data ../shared/data/lexicons/universalpetrarch [--missing]

Each output line: CODE, phrase (underscores as spaces), then the matched entry id or "-".
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from marsad.nlp.actors import ActorRegistry, ActorTagger
from marsad.text.normalize import normalize

ARMED = re.compile(r"(MIL|COP|REB|IMG|UAF|SPY|OPP|INS)$")
_CODE = re.compile(r"\[~?([A-Z]+)")


def read_actor_dict(file: Path) -> Iterator[tuple[str, str]]:
    """(phrase, code) pairs of a PETRARCH actor dictionary; a phrase may carry several codes."""
    phrase: str | None = None
    with gzip.open(file, "rt", encoding="utf-8") as fh:
        for line in fh:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):  # a dated code line under the last phrase
                if phrase is not None:
                    for code in _CODE.findall(stripped):
                        yield phrase, code
                continue
            head, _, rest = stripped.partition("[")
            phrase = head.strip().strip("_").replace("_", " ")
            if rest:
                for code in _CODE.findall("[" + rest):
                    yield phrase, code


def read_agents(file: Path) -> Iterator[tuple[str, str]]:
    """(phrase, ~code) pairs of a PETRARCH agents file (v3 layout: `phrase_ [~AGT]`)."""
    with gzip.open(file, "rt", encoding="utf-8") as fh:
        for line in fh:
            stripped = line.split("#", 1)[0].strip()
            m = re.match(r"(\S+)\s*\[~([A-Z]+)\]", stripped)
            if m:
                yield m.group(1).strip("_").replace("_", " "), m.group(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the universalpetrarch lexicon directory")
    parser.add_argument("--missing", action="store_true", help="list only phrases the registry does not match")
    args = parser.parse_args(argv)
    actor_file = args.data / "actor_dict_ar_v4.txt.gz"
    agents_file = args.data / "agents.all.ar_v3.txt.gz"
    for f in (actor_file, agents_file):
        if not f.exists():
            print(
                f"error: {f} not found; pass --data DIR holding the UniversalPetrarch Arabic files",
                file=sys.stderr,
            )
            return 2
    registry = ActorRegistry.load()
    tagger = ActorTagger(registry)
    seen: set[tuple[str, str]] = set()
    pairs = [*read_actor_dict(actor_file), *((p, "~" + c) for p, c in read_agents(agents_file))]
    matched = total = 0
    for phrase, code in pairs:
        if not ARMED.search(code) or (phrase, code) in seen:
            continue
        seen.add((phrase, code))
        total += 1
        entry = registry.find(phrase)
        if entry is None:
            found = tagger.find(normalize(phrase))
            entry = found[0][2] if found else None
        matched += entry is not None
        if entry is None or not args.missing:
            print(f"{code}\t{phrase}\t{entry.id if entry else '-'}")
    print(f"# {matched}/{total} armed-actor phrases matched by the registry", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
