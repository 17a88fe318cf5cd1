"""Build `resources/ner/org_names.tsv`: Arabic names of organisations (ORG) and of competitions
and events (MISC), a gazetteer for the NER trainers (`--orgs`).

Sources, both MIT-licensed and neither derived from ANERcorp:

- the PyPI wheel `arwikicats==0.2.3` (Ibrahim Qasim; Arabic Wikipedia titles): every value of
  `jsons/sports/Clubs_key.json` (clubs, ORG), of `clubs_teams_leagues.json` (leagues and cups,
  MISC) and of `inter_federations.json` (federations ORG, competitions MISC), and any other
  Arabic string in the package's JSON tables and Python dict literals that starts with a head
  word of an organisation (حزب، جامعة، اتحاد، منظمة ...) or of a competition (كأس، بطولة ...);
- the ORG actors of UniversalPetrarch's Arabic actor dictionary (entries that start with such
  a head word; lemmatised, written without the article, which the trainers' stems drop anyway).

Alias forms drop the words news text leaves out: a leading نادي / فريق and a trailing
لكرة القدم (so نادي الزمالك also gives الزمالك). Deterministic: the same inputs give the same file.

    python -m marsad.nlp.ner.build_orgs --wheel arwikicats-0.2.3-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from marsad.nlp.ner.data import _DIACRITICS, normalize
from marsad.nlp.ner.train import SHARED_DATA

OUT = Path(__file__).resolve().parents[2] / "resources" / "ner" / "org_names.tsv"
MAX_WORDS = 6  # longer titles are descriptions, not names news text repeats

# A name's first word -> its type. Plural heads (شركات، منظمات) start category titles, not names.
ORG_HEADS = [
    "نادي",
    "حزب",
    "الحزب",
    "جامعة",
    "الجامعة",
    "اتحاد",
    "الاتحاد",
    "منظمة",
    "المنظمة",
    "شركة",
    "الشركة",
    "وكالة",
    "الوكالة",
    "بنك",
    "البنك",
    "مجلس",
    "المجلس",
    "حركة",
    "الحركة",
    "هيئة",
    "الهيئة",
    "مؤسسة",
    "المؤسسة",
    "معهد",
    "المعهد",
    "كلية",
    "أكاديمية",
    "مجموعة",
    "جمعية",
    "الجمعية",
    "جبهة",
    "الجبهة",
    "جيش",
    "الجيش",
    "منتدى",
    "رابطة",
    "الرابطة",
    "لجنة",
    "اللجنة",
    "صندوق",
    "الصندوق",
    "مصرف",
    "المصرف",
    "تحالف",
    "التحالف",
    "ائتلاف",
    "الائتلاف",
    "تنظيم",
    "كتائب",
    "سرايا",
    "جماعة",
    "الجماعة",
    "محكمة",
    "المحكمة",
]
MISC_HEADS = ["كأس", "بطولة", "دوري", "الدوري", "ألعاب", "دورة", "أولمبياد", "مونديال", "جائزة", "الحرب", "حرب"]
# Files whose strings are genres, jobs, nationalities or places: never a source of names.
_SKIP_DIRS = ("jsons/media/", "jsons/jobs/", "jsons/nationalities/", "jsons/people/", "jsons/population/")
# Alias rules: a leading cue and trailing sport phrases that news text often leaves out.
_LEADING = ("نادي ", "فريق ")
_TRAILING = re.compile(r"\s+(?:لكرة القدم|لكرة السلة|لكرة اليد|لكرة الطائرة)$")
_ARABIC_NAME = re.compile(r"[\u0621-\u064a][\u0621-\u064a .\-]*")
# "اتحاد اقتصادي", "حركة حربية": a head and one indefinite nisba adjective is a category, not a
# name (but the lemmatised actor entries are all written so: اتحاد أفريقي)
_NISBA = re.compile(r"^[^\s]+\s+(?!ال)[^\s]+(?:ي|ية)$")
_ACTOR_SKIP = frozenset(normalize(w) for w in ("رئيس", "وزير", "عاهل", "أمين", "قوة", "قوات", "شرطة"))


def clean(name: str) -> str:
    """Diacritics and tatweel dropped, spaces squeezed (spelling otherwise kept, for reading)."""
    return " ".join(_DIACRITICS.sub("", name).replace("_", " ").split())


def head_type(name: str) -> str | None:
    first = name.split()[0]
    if first in ORG_HEADS:
        return "ORG"
    if first in MISC_HEADS:
        return "MISC"
    return None


def aliases(name: str) -> list[str]:
    """The name and the shorter forms news text uses for it (most specific first)."""
    out = [name]
    short = name
    for lead in _LEADING:
        if short.startswith(lead) and len(short) > len(lead) + 1:
            short = short[len(lead) :]
            break
    short = _TRAILING.sub("", short)
    if short != name:
        out.append(short)
    return out


def _strings(obj) -> Iterator[str]:
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


def arwikicats_names(wheel: Path) -> Iterator[tuple[str, str, str]]:
    """(name, type, source) from the wheel (a .whl file or an unpacked folder)."""
    files: dict[str, bytes] = {}
    if wheel.is_dir():
        for p in sorted(wheel.rglob("*")):
            if p.is_file() and p.suffix in (".json", ".py"):
                files[p.relative_to(wheel).as_posix()] = p.read_bytes()
    else:
        with zipfile.ZipFile(wheel) as z:
            for n in sorted(z.namelist()):
                if n.endswith((".json", ".py")):
                    files[n] = z.read(n)
    clubs = "jsons/sports/Clubs_key.json"
    base = next((k[: -len(clubs)] for k in files if k.endswith(clubs)), None)
    if base is None:
        raise SystemExit(f"{wheel}: no ArWikiCats/jsons/sports/Clubs_key.json; pass the arwikicats 0.2.3 wheel")
    tables = {
        "jsons/sports/Clubs_key.json": "ORG",
        "jsons/sports/clubs_teams_leagues.json": "MISC",
        "jsons/sports/inter_federations.json": "MISC",
    }
    for rel, typ in tables.items():
        for s in _strings(json.loads(files[base + rel])):
            name = clean(s)
            if _ARABIC_NAME.fullmatch(name):
                yield name, head_type(name) if head_type(name) == "ORG" else typ, "arwikicats:" + rel
    for path in sorted(files):
        rel = path[len(base) :]
        if rel in tables or rel.startswith(_SKIP_DIRS) or not path.startswith(base):
            continue
        if path.endswith(".json"):
            strings = _strings(json.loads(files[path]))
        else:
            try:
                tree = ast.parse(files[path].decode("utf-8"))
            except SyntaxError:
                continue
            strings = (n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))
        for s in strings:
            name = clean(s)
            typ = head_type(name) if _ARABIC_NAME.fullmatch(name) else None
            # from these mixed tables, "head + indefinite nisba" (اتحاد اقتصادي) is a category
            if typ and len(name.split()) >= 2 and not _NISBA.match(name):
                yield name, typ, "arwikicats:" + rel


def petrarch_orgs(data: Path) -> Iterator[tuple[str, str, str]]:
    """ORG actors of the UniversalPetrarch Arabic actor dictionary (lemmatised entries)."""
    path = data / "lexicons" / "universalpetrarch" / "actor_dict_ar_v4.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for raw in fh:
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("["):
                continue
            name = clean(line.split("[", 1)[0])
            words = name.split()
            # "ل" stands alone in the lemmatised entries (أمين عام ل أمة متحدة): no news spelling
            if len(words) < 2 or "ل" in words or normalize(words[0]) in _ACTOR_SKIP:
                continue
            if _ARABIC_NAME.fullmatch(name) and head_type(name) == "ORG":
                yield name, "ORG", "universalpetrarch"


def build(rows: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Filtered, aliased, deduplicated (by normalised form and type) rows, sorted."""
    seen: dict[tuple[str, str], tuple[str, str, str]] = {}
    for name, typ, src in rows:
        words = name.split()
        if not words or len(words) > MAX_WORDS or len(name) < 3:
            continue
        if len(words) == 1 and words[0] in ORG_HEADS + MISC_HEADS:
            continue  # a bare head word (فريق, بنك) is no name
        for form in aliases(name):
            key = (normalize(form), typ)
            if key not in seen:
                seen[key] = (form, typ, src)
    return sorted(seen.values(), key=lambda r: (r[1], normalize(r[0]), r[0]))


def load_org_names(path: Path = OUT) -> list[tuple[str, str, str]]:
    """`org_names.tsv` rows: (name, type, source); # comments and blank lines skipped."""
    out = []
    for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in ("ORG", "MISC"):
            raise ValueError(f"{path}:{k}: expected name<TAB>ORG|MISC<TAB>source, got {line!r}")
        out.append((parts[0], parts[1], parts[2]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True, help="arwikicats-0.2.3-py3-none-any.whl (or its unpacked folder)")
    ap.add_argument("--data", default=str(SHARED_DATA), help="shared/data folder (lexicons/universalpetrarch)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    rows = build([*arwikicats_names(Path(args.wheel)), *petrarch_orgs(Path(args.data))])
    header = (
        "# name<TAB>type<TAB>source. Built by `python -m marsad.nlp.ner.build_orgs` from the PyPI wheel\n"
        "# arwikicats 0.2.3 (MIT, Ibrahim Qasim; names from Arabic Wikipedia) and the UniversalPetrarch\n"
        "# Arabic actor dictionary (MIT). Do not edit by hand: rebuild.\n"
    )
    Path(args.out).write_text(header + "".join(f"{n}\t{t}\t{s}\n" for n, t, s in rows), encoding="utf-8")
    counts = {t: sum(r[1] == t for r in rows) for t in ("ORG", "MISC")}
    print(f"{args.out}: {len(rows)} names {counts}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
