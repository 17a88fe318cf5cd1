"""Actor registry (canonical ACLED-style names and their Arabic aliases) and the actor tagger.

The registry is data: `resources/actors/*.yaml`. `countries.yaml` gives ISO2 → English name,
Arabic names and demonym stems; `templates.yaml` gives the state-force templates (military,
police) expanded for every country with their demonym forms ("الجيش البوركيني", "القوات
الليبية"); `_tagger.yaml` holds tagger settings; every other file lists named actors.

The tagger runs one pyahocorasick automaton over the article's tokens joined by single spaces,
so that punctuation between words (quotes, dashes) does not break a match and every match
boundary is a word boundary. Clitics in front of an alias (و ف ب ل ك, ال, لل) are checked
on the token the match starts in.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from marsad.model import Doc, Mention
from marsad.resources import path as resource_path
from marsad.text.normalize import normalize
from marsad.text.tokens import Token, lookup_forms, tokenize

ACTOR_DIR = "actors"
SPECIAL_FILES = {"countries.yaml", "templates.yaml", "_tagger.yaml"}
INTER_TYPES = {
    1: "state forces",
    2: "rebel group",
    3: "political militia",
    4: "identity militia",
    5: "rioters",
    6: "protesters",
    7: "civilians",
    8: "external/other forces",
}
TYPES = frozenset(INTER_TYPES.values()) | {"unidentified armed group"}

# Clitic sequences allowed in front of an alias, inside the same token.
_CONJ = ("", "و", "ف")
_PREP = ("", "ب", "ل", "ك")
_PREFIX_BARE = frozenset(c + p for c in _CONJ for p in _PREP)  # before an alias with ال
# Before a named actor's alias without ال, the article may come too (حوثيين → الحوثيين،
# للحوثيين). Generic aliases list their defined forms themselves, because there the article
# often makes a common word: أشخاص "persons" is a victim count, الأشخاص "people" in general.
_PREFIX_ANY = _PREFIX_BARE | frozenset((c + "لل") if p == "ل" else (c + p + "ال") for c in _CONJ for p in _PREP)
_PREFIX_LAM = frozenset({"ل", "ول", "فل"})  # ل + ال written لل: للجيش
_GAP_CHARS = frozenset(" \"'()[]-–—_")  # between the words of one mention (no line break)

SCORE_NAMED = 1.0
SCORE_GENERIC = 0.7
SCORE_ANAPHOR = 0.5


class ActorDataError(ValueError):
    """A mistake in the actor data files; the message names the file, entry and field."""


@dataclass(frozen=True)
class ActorEntry:
    id: str
    name: str  # canonical English (ACLED style); generic names keep "{country}"
    type: str
    inter: int  # ACLED interaction code 1-8
    country: str | None  # ISO2
    parent: str | None  # id
    aliases_ar: tuple[str, ...]
    aliases_en: tuple[str, ...]
    generic: bool  # name contains "{country}"
    anaphor: bool  # points back to a group named earlier ("التنظيم")


@dataclass(frozen=True)
class Country:
    code: str
    en: str
    of: str  # "the United States" in "Military Forces of the United States"
    ar: tuple[str, ...]
    adj: tuple[str, ...]  # masculine nisba stems, as written
    skip: frozenset[str]  # templates whose demonym forms are too ambiguous here


@dataclass
class _Raw:
    """An entry while the files are read, before it is frozen."""

    id: str
    name: str
    type: str
    inter: int
    country: str | None
    parent: str | None
    ar: list[str]
    en: list[str]
    anaphor: bool
    branches: list[str] | None
    where: str  # "file.yaml entry #n" for error messages


class ActorRegistry:
    """Every actor, its aliases, and the relations parent/branch/country."""

    def __init__(
        self,
        entries: dict[str, ActorEntry],
        alias_ar: dict[str, str],
        alias_en: dict[str, str],
        branches: dict[tuple[str, str], str],
        countries: dict[str, Country],
        settings: dict[str, Any],
    ) -> None:
        self._entries = entries
        self.alias_ar = alias_ar  # normalized Arabic alias → id
        self._alias_en = alias_en  # casefolded English name/alias → id
        self._branches = branches  # (parent id, ISO2) → branch id
        self.countries = countries
        self.settings = settings
        self._derived: dict[tuple[str, str], ActorEntry] = {}
        self.demonyms: dict[str, str] = {}  # normalized demonym form → ISO2
        self.country_names: dict[str, str] = {}  # normalized Arabic country name → ISO2
        for c in countries.values():
            for stem in c.adj:
                for form in demonym_forms(stem):
                    self.demonyms.setdefault(form, c.code)
            for name in c.ar:
                self.country_names.setdefault(normalize(name), c.code)
        self._has_branches = {p for p, _ in branches}

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls) -> ActorRegistry:
        """The registry of the shipped data files, built once per process."""
        return _default_registry()

    @classmethod
    def from_dir(cls, directory: Path) -> ActorRegistry:
        """Build a registry from a directory of YAML files laid out like resources/actors."""
        return _build(directory)

    # --- lookups -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[ActorEntry]:
        return iter(self._entries.values())

    def get(self, id: str) -> ActorEntry | None:
        """The entry with this id; "civilians:LY" gives the generic entry filled for LY."""
        entry = self._entries.get(id)
        if entry is None and ":" in id:
            base, _, country = id.partition(":")
            generic = self._entries.get(base)
            if generic is not None and generic.generic and country in self.countries:
                return self.resolve(generic, country)
        return entry

    def find(self, name_or_alias: str) -> ActorEntry | None:
        """The entry an English or Arabic name or alias refers to ("داعش", "ISIS", "تنظيم الدولة")."""
        text = name_or_alias.strip()
        if not text:
            return None
        if text in self._entries:
            return self._entries[text]
        hit = self._alias_en.get(text.casefold())
        if hit is None:
            key = " ".join(normalize(text).replace('"', " ").replace("'", " ").split())
            hit = self.alias_ar.get(key)
            if hit is None:
                words = key.split()
                if words:  # a clitic on the first word: "بتنظيم الدولة", "للجيش الليبي"
                    for form in lookup_forms(words[0])[1:]:
                        hit = self.alias_ar.get(" ".join([form, *words[1:]]))
                        if hit is not None:
                            break
        return self._entries.get(hit) if hit else None

    def resolve(self, entry: ActorEntry, country: str | None) -> ActorEntry:
        """The branch of `entry` in `country` if the registry has one, else `entry`.

        Islamic State + LY → Islamic State (Libya); Al Qaeda + YE → AQAP. A generic entry gets
        the country's own entry (Military Forces of {country} + LY → Military Forces of Libya)
        or, when there is none, a copy with the name filled: Civilians ({country}) + TD →
        Civilians (Chad), id "civilians:TD".
        """
        if not country or entry.country == country:
            return entry
        branch = self._branches.get((entry.id, country))
        if branch is not None:
            return self._entries[branch]
        if entry.generic and country in self.countries:
            key = (entry.id, country)
            derived = self._derived.get(key)
            if derived is None:
                derived = dataclasses.replace(
                    entry,
                    id=f"{entry.id}:{country}",
                    name=self.name_for(entry, country),
                    country=country,
                    generic=False,
                )
                self._derived[key] = derived
            return derived
        return entry

    def has_branches(self, entry: ActorEntry) -> bool:
        return entry.id in self._has_branches

    def name_for(self, entry: ActorEntry, country: str | None) -> str:
        """The entry's name with "{country}" filled ("Unidentified Armed Group (Libya)")."""
        if not entry.generic:
            return entry.name
        c = self.countries.get(country or "")
        if c is None:
            return entry.name.replace(" ({country})", "").replace(" of {country}", "").replace("{country}", "")
        return entry.name.replace("of {country}", f"of {c.of}").replace("{country}", c.en)

    def country_code(self, name: str) -> str | None:
        """ISO2 of an English or Arabic country name, or of an ISO2 code itself."""
        if name.upper() in self.countries:
            return name.upper()
        for c in self.countries.values():
            if name.casefold() in (c.en.casefold(), c.of.casefold()):
                return c.code
        return self.country_names.get(normalize(name))


def demonym_forms(stem: str) -> list[str]:
    """Normalized demonym forms of a masculine nisba stem: ليبي → ليبي الليبي ليبيه الليبيه ...

    The accusative "ليبيا" is one of them ("قتل 14 جنديا جزائريا").
    """
    m = normalize(stem)
    bare = [m, m + "ه", m + "ين", m + "ون", m + "ا"]
    return bare + ["ال" + f for f in bare]


def _agreeing(stem: str, gender: str, definite: bool) -> list[str]:
    m = normalize(stem)
    forms = {"m": [m], "f": [m + "ه"], "pl": [m + "ين", m + "ون"]}[gender]
    return ["ال" + f for f in forms] if definite else forms


# --- building the registry -----------------------------------------------------------------


def _read_yaml(file: Path) -> Any:
    try:
        with file.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ActorDataError(f"{file}: not valid YAML: {exc}") from exc


def _str_list(value: Any, where: str, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ActorDataError(f"{where}: '{field}' must be a list of strings")
    return [str(v) for v in value]


def _countries(directory: Path) -> dict[str, Country]:
    file = directory / "countries.yaml"
    data = _read_yaml(file) or {}
    out: dict[str, Country] = {}
    for code, spec in (data.get("countries") or {}).items():
        where = f"{file} country {code}"
        if not isinstance(code, str) or len(code) != 2 or not code.isupper() or not isinstance(spec, dict):
            raise ActorDataError(f"{where}: key must be an ISO2 code mapping to {{en, ar, adj}}")
        if not spec.get("en"):
            raise ActorDataError(f"{where}: 'en' (English name) is missing")
        out[code] = Country(
            code,
            spec["en"],
            spec.get("of") or spec["en"],
            tuple(_str_list(spec.get("ar"), where, "ar")),
            tuple(_str_list(spec.get("adj"), where, "adj")),
            frozenset(_str_list(spec.get("skip"), where, "skip")),
        )
    return out


def _raw_entry(spec: dict[str, Any], where: str, countries: dict[str, Country]) -> _Raw:
    for field in ("id", "name", "inter"):
        if field not in spec:
            raise ActorDataError(f"{where}: '{field}' is missing")
    inter = spec["inter"]
    if inter not in INTER_TYPES:
        raise ActorDataError(f"{where}: 'inter' must be an ACLED code 1-8, got {inter!r}")
    type_ = spec.get("type") or INTER_TYPES[inter]
    if type_ not in TYPES:
        raise ActorDataError(f"{where}: 'type' must be one of {sorted(TYPES)}, got {type_!r}")
    country = spec.get("country")
    if country is not None and country not in countries:
        raise ActorDataError(f"{where}: 'country' {country!r} is not in countries.yaml; add it there")
    branches = spec.get("branches")
    if branches is not None:
        branches = _str_list(branches, where, "branches")
        for b in branches:
            if b not in countries:
                raise ActorDataError(f"{where}: 'branches' has {b!r}, which is not in countries.yaml")
    unknown = set(spec) - {
        "id",
        "name",
        "type",
        "inter",
        "country",
        "parent",
        "ar",
        "en",
        "anaphor",
        "branches",
    }
    if unknown:
        raise ActorDataError(f"{where}: unknown field(s) {sorted(unknown)}")
    return _Raw(
        str(spec["id"]),
        str(spec["name"]),
        type_,
        inter,
        country,
        spec.get("parent"),
        _str_list(spec.get("ar"), where, "ar"),
        _str_list(spec.get("en"), where, "en"),
        bool(spec.get("anaphor", False)),
        branches,
        where,
    )


def _expand_templates(directory: Path, countries: dict[str, Country]) -> tuple[list[_Raw], dict[str, list[str]]]:
    """State-force entries for every country, and the demonym aliases each gets."""
    file = directory / "templates.yaml"
    data = _read_yaml(file) or {}
    raws: list[_Raw] = []
    generated: dict[str, list[str]] = {}
    for n, t in enumerate(data.get("templates") or [], 1):
        where = f"{file} template #{n}"
        for field in ("key", "name", "inter"):
            if field not in t:
                raise ActorDataError(f"{where}: '{field}' is missing")
        if "{country}" not in t["name"]:
            raise ActorDataError(f"{where}: 'name' must contain {{country}}")
        key = t["key"]
        heads = {g: [normalize(h) for h in _str_list(t.get(g), where, g)] for g in ("m", "f", "pl")}
        en_templates = _str_list(t.get("aliases_en"), where, "aliases_en")
        generic = t.get("generic") or {}
        raws.append(
            _Raw(
                key,
                t["name"],
                t.get("type", INTER_TYPES[t["inter"]]),
                t["inter"],
                None,
                None,
                _str_list(generic.get("ar"), where, "generic.ar"),
                [],
                False,
                None,
                where,
            )
        )
        for c in countries.values():
            id_ = f"{key}_{c.code}"
            name = t["name"].replace("of {country}", f"of {c.of}").replace("{country}", c.en)
            en = [e.replace("{country}", c.en) for e in en_templates]
            raws.append(
                _Raw(
                    id_,
                    name,
                    t.get("type", INTER_TYPES[t["inter"]]),
                    t["inter"],
                    c.code,
                    key,
                    [],
                    en,
                    False,
                    None,  # the country's own entry: resolve(generic, code) gives it
                    f"{where} ({c.code})",
                )
            )
            forms: list[str] = []
            if key not in c.skip:
                for stem in c.adj:
                    for gender, hs in heads.items():
                        for head in hs:
                            definite = head.split()[-1].startswith("ال")
                            forms.extend(f"{head} {adj}" for adj in _agreeing(stem, gender, definite))
            generated[id_] = forms
    return raws, generated


def _build(directory: Path) -> ActorRegistry:
    countries = _countries(directory)
    settings = (_read_yaml(directory / "_tagger.yaml") or {}) if (directory / "_tagger.yaml").exists() else {}
    raws, generated = _expand_templates(directory, countries) if (directory / "templates.yaml").exists() else ([], {})
    by_id: dict[str, _Raw] = {r.id: r for r in raws}
    for file in sorted(directory.glob("*.yaml")):
        if file.name in SPECIAL_FILES:
            continue
        data = _read_yaml(file) or {}
        for n, spec in enumerate(data.get("actors") or [], 1):
            where = f"{file.name} entry #{n}"
            if not isinstance(spec, dict):
                raise ActorDataError(f"{where}: each actor must be a mapping")
            if "extends" in spec:  # more aliases for an entry defined elsewhere (a template's)
                target = by_id.get(spec["extends"])
                if target is None or set(spec) - {"extends", "ar", "en"}:
                    raise ActorDataError(
                        f"{where}: 'extends: {spec['extends']}' needs an existing id and only 'ar'/'en' fields"
                    )
                target.ar.extend(_str_list(spec.get("ar"), where, "ar"))
                target.en.extend(_str_list(spec.get("en"), where, "en"))
                continue
            raw = _raw_entry(spec, f"{where} ({spec.get('id')})", countries)
            if raw.id in by_id:
                raise ActorDataError(f"{where}: id {raw.id!r} is already used by {by_id[raw.id].where}")
            by_id[raw.id] = raw
    for raw in by_id.values():
        if raw.parent is not None and raw.parent not in by_id:
            raise ActorDataError(f"{raw.where}: 'parent' {raw.parent!r} is not an actor id")

    # Arabic aliases: written ones first (an alias may name one actor only), then the
    # template forms, which yield to a written alias ("الجيش الوطني الليبي" is the LNA).
    alias_ar: dict[str, str] = {}
    for raw in by_id.values():
        for alias in raw.ar:
            key = normalize(alias)
            if not key:
                continue
            other = alias_ar.get(key)
            if other is not None and other != raw.id:
                raise ActorDataError(
                    f"{raw.where}: Arabic alias {alias!r} is also an alias of {by_id[other].where}; "
                    "keep it in one entry"
                )
            alias_ar[key] = raw.id
    for id_, forms in generated.items():
        for key in forms:
            alias_ar.setdefault(key, id_)

    entries: dict[str, ActorEntry] = {}
    alias_en: dict[str, str] = {}
    for raw in by_id.values():
        ar = tuple(dict.fromkeys([*raw.ar, *(f for f in generated.get(raw.id, ()) if alias_ar.get(f) == raw.id)]))
        entries[raw.id] = ActorEntry(
            raw.id,
            raw.name,
            raw.type,
            raw.inter,
            raw.country,
            raw.parent,
            ar,
            tuple(dict.fromkeys(raw.en)),
            "{country}" in raw.name,
            raw.anaphor,
        )
    for raw in by_id.values():  # canonical names first, so that no alias can shadow one
        alias_en.setdefault(raw.name.casefold(), raw.id)
    for raw in by_id.values():
        for alias in raw.en:
            alias_en.setdefault(alias.casefold(), raw.id)

    # Branches: resolve(parent, country) → child, where the child is the parent's arm in a
    # country other than the parent's own (the LNA is not "the Libyan branch" of Libya's army).
    branches: dict[tuple[str, str], str] = {}
    for raw in by_id.values():
        if raw.parent is None:
            continue
        parent = by_id[raw.parent]
        for code in raw.branches if raw.branches is not None else ([raw.country] if raw.country else []):
            if code != parent.country:
                branches.setdefault((raw.parent, code), raw.id)
    return ActorRegistry(entries, alias_ar, alias_en, branches, countries, settings)


@cache
def _default_registry() -> ActorRegistry:
    return _build(resource_path(ACTOR_DIR))


# --- the tagger ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    id: str
    length: int
    has_article: bool  # the alias starts with ال
    lam: bool  # the لل spelling of an ال alias, matched without its first letter
    context: tuple[str, ...] = ()  # an everyday word too: needs one of these in the article
    article_ok: bool = True  # may take ال in the text though written without it


class ActorTagger:
    """Pipeline component: every actor mention as `Mention("actor", start, end, ActorEntry)`.

    Longest match wins. A demonym after a group's name ("تنظيم داعش الليبي") or "في" + a
    country ("تنظيم الدولة في ليبيا") joins the mention and picks the group's branch in that
    country; an epithet ("الإرهابي") joins the mention only.

    For the event builder: a mention's entry may still be generic (`entry.generic`, name with
    "{country}") or anaphoric (`entry.anaphor`, "التنظيم"); `registry.resolve(entry, country)`
    with the event's or article's country gives the final entry and name (Islamic State + LY →
    Islamic State (Libya); Civilians ({country}) + TD → Civilians (Chad)). Scores: 1.0 named,
    0.7 generic, 0.5 anaphoric.
    """

    name = "actors"

    def __init__(self, registry: ActorRegistry | None = None) -> None:
        self.registry = registry or ActorRegistry.load()
        self._automaton = _automaton(self.registry)
        settings = self.registry.settings
        self._blocked = frozenset(normalize(w) for w in settings.get("blocked_tokens") or ())
        self._epithets = frozenset(normalize(w) for w in settings.get("epithets") or ())
        self._links = frozenset(normalize(w) for w in settings.get("country_links") or ())

    def __call__(self, doc: Doc) -> Doc:
        text = doc.norm.text
        tokens = doc.tokens or tokenize(text)
        for start, end, entry in self.find(text, tokens):
            score = SCORE_ANAPHOR if entry.anaphor else SCORE_GENERIC if entry.generic else SCORE_NAMED
            doc.mentions.append(Mention("actor", start, end, entry, self.name, score))
        return doc

    def find(self, text: str, tokens: list[Token] | None = None) -> list[tuple[int, int, ActorEntry]]:
        """(start, end, entry) of every actor mention in normalized `text`, in text order."""
        if tokens is None:
            tokens = tokenize(text)
        if not tokens:
            return []
        joined = " ".join(t.text for t in tokens)
        # Position of each token in `joined`: lengths plus one space, summed.
        pos = list(itertools.accumulate((len(t.text) + 1 for t in tokens[:-1]), initial=0))
        size = len(joined)
        cands: list[tuple[int, int, int, int, str, bool]] = []  # (-length, first, last, cut, id, weak)
        context_ok: dict[tuple[str, ...], bool] = {}
        for last, keys in self._automaton.iter(joined):
            if last + 1 < size and joined[last + 1] != " ":
                continue
            for key in keys:
                first_char = last - key.length + 1
                ti = bisect.bisect_right(pos, first_char) - 1
                prefix = joined[pos[ti] : first_char]
                # `cut`: where the mention starts in the token. Conjunctions and prepositions
                # stay out, the article stays in; "لل" has no clean cut, so it stays whole.
                if key.lam:
                    if prefix not in _PREFIX_LAM:
                        continue
                    cut = len(prefix) - 1
                elif prefix not in (_PREFIX_ANY if key.article_ok else _PREFIX_BARE):
                    continue
                elif prefix.endswith(("ال", "لل")) and not key.has_article:
                    cut = len(prefix) - 2
                else:
                    cut = len(prefix)
                if tokens[ti].text in self._blocked:
                    continue
                weak = False  # an everyday-word alias with no context word in the article
                if key.context:
                    ok = context_ok.get(key.context)
                    if ok is None:
                        ok = context_ok[key.context] = any(w in text for w in key.context)
                    weak = not ok
                tj = bisect.bisect_right(pos, last) - 1
                if tj > ti and not _clean_gaps(text, tokens, ti, tj):
                    continue
                span = tokens[tj].end - tokens[ti].start - cut
                cands.append((-span, ti, tj, cut, key.id, weak))
        if not cands:
            return []
        cands.sort()
        taken: list[tuple[int, int]] = []
        out: list[tuple[int, int, ActorEntry]] = []
        weak_ids: set[int] = set()
        for _neg, ti, tj, cut, id_, weak in cands:
            if any(not (tj < a or ti > b) for a, b in taken):
                continue
            entry = self.registry.get(id_)
            assert entry is not None
            tj, entry = self._extend(text, tokens, tj, entry, taken)
            taken.append((ti, tj))
            start, end = tokens[ti].start + cut, tokens[tj].end
            start, end = _balance(text, start, end)
            if weak:
                weak_ids.add(len(out))
            out.append((start, end, entry))
        if weak_ids:  # keep a weak match only when the article names the same actor plainly
            sure = {e.id for i, (_, _, e) in enumerate(out) if i not in weak_ids}
            out = [m for i, m in enumerate(out) if i not in weak_ids or m[2].id in sure]
        out.sort(key=lambda m: m[0])
        return out

    def _extend(
        self, text: str, tokens: list[Token], tj: int, entry: ActorEntry, taken: list[tuple[int, int]]
    ) -> tuple[int, ActorEntry]:
        """Take in a following demonym, "في <country>" and epithets; resolve the branch."""
        reg = self.registry
        n = len(tokens)

        def free(k: int) -> bool:
            return k < n and _clean_gaps(text, tokens, k - 1, k) and not any(a <= k <= b for a, b in taken)

        k = tj + 1
        # A demonym after a state force is part of its template alias already, except after a
        # generic one ("جنديا جزائريا"), which the demonym resolves to that country's entry.
        code = reg.demonyms.get(tokens[k].text) if k < n else None
        if (
            code is not None
            and free(k)
            and (entry.generic or entry.type != "state forces")
            # "الشرطة المالية" is financial police, "التنظيم المالية" financial regulation
            and not ({entry.id, "generic" if entry.generic else ""} & reg.countries[code].skip)
        ):
            entry = reg.resolve(entry, code)
            tj = k
            k += 1
        elif reg.has_branches(entry) and free(k):
            code, used = self._country_after(tokens, k)
            if code is not None and all(free(k + i) for i in range(used)):
                entry = reg.resolve(entry, code)
                tj = k + used - 1
                k = tj + 1
        while free(k) and tokens[k].text in self._epithets:
            tj = k
            k += 1
        return tj, entry

    def _country_after(self, tokens: list[Token], k: int) -> tuple[str | None, int]:
        """ISO2 of "في ليبيا" / "بليبيا" / "داخل سوريا" at token k, and how many tokens it uses."""
        names = self.registry.country_names
        word = tokens[k].text
        if word in self._links:
            for width in (2, 1, 3):
                if k + width < len(tokens):
                    name = " ".join(t.text for t in tokens[k + 1 : k + 1 + width])
                    if name in names:
                        return names[name], width + 1
            return None, 0
        if word[:1] == "ب":
            for width in (2, 1):
                name = " ".join([word[1:], *(t.text for t in tokens[k + 1 : k + width])])
                if name in names:
                    return names[name], width
        return None, 0


def _balance(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span by one quote or bracket so that none is left open: «الحشد الشعبي»."""
    if text.count('"', start, end) % 2:
        if end < len(text) and text[end] == '"':
            end += 1
        elif start > 0 and text[start - 1] == '"':
            start -= 1
    opens, closes = text.count("(", start, end), text.count(")", start, end)
    if opens > closes and end < len(text) and text[end] == ")":
        end += 1
    elif closes > opens and start > 0 and text[start - 1] == "(":
        start -= 1
    return start, end


def _clean_gaps(text: str, tokens: list[Token], ti: int, tj: int) -> bool:
    """True when only spaces and quotes separate tokens ti..tj (no comma, no full stop)."""
    for a in range(ti, tj):
        gap = text[tokens[a].end : tokens[a + 1].start]
        if len(gap) > 3 or any(ch not in _GAP_CHARS for ch in gap):
            return False
    return True


def _automaton(registry: ActorRegistry) -> ahocorasick.Automaton:
    ambiguous = registry.settings.get("ambiguous") or {}
    contexts = {normalize(a): tuple(normalize(w) for w in words) for a, words in ambiguous.items()}
    keys: dict[str, list[_Key]] = {}
    for alias, id_ in registry.alias_ar.items():
        has_article = alias.startswith("ال") and len(alias) > 3
        context = contexts.get(alias, ())
        entry = registry.get(id_)
        article_ok = not has_article and entry is not None and not entry.generic
        keys.setdefault(alias, []).append(_Key(id_, len(alias), has_article, False, context, article_ok))
        if has_article:
            lam = alias[1:]
            keys.setdefault(lam, []).append(_Key(id_, len(lam), True, True, context, False))
    automaton = ahocorasick.Automaton()
    for key, values in keys.items():
        automaton.add_word(key, tuple(values))
    automaton.make_automaton()
    return automaton


def load_seconds() -> float:
    """Seconds to build the registry and the automaton from the files (uncached)."""
    t0 = time.perf_counter()
    ActorTagger(_build(resource_path(ACTOR_DIR)))
    return time.perf_counter() - t0


def iter_aliases(registry: ActorRegistry) -> Iterable[tuple[str, ActorEntry]]:
    """(normalized Arabic alias, entry) pairs, template forms included."""
    for alias, id_ in registry.alias_ar.items():
        entry = registry.get(id_)
        if entry is not None:
            yield alias, entry
