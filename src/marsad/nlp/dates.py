"""Arabic dates: find every date expression in the normalized text and resolve it to ISO 8601.

What it reads (vocabulary in resources/dates.yaml):
- explicit dates: "27 أكتوبر 2019", "27 من سبتمبر", "الثالث من يوليو (تموز)", "يونيو 2015",
  "عام 2011", "2015م", numeric "27-10-2019" / "2019/10/27", Hijri "15 رمضان 1437 هـ", with
  month names in the Egyptian/Gulf, Levantine/Iraqi and Maghrebi forms;
- a weekday before a date ("مساء الأحد الموافق لـ27-10-2019") and day lists and ranges
  ("19 و24 سبتمبر" is two dates, "من 19 إلى 24 سبتمبر" one date with `end_iso`);
- relative expressions (أمس، اليوم، الخميس الماضي، الشهر الماضي، في جويلية الماضي، قبل ثلاثة أشهر),
  resolved against the reference date;
- anaphora ("في الشهر نفسه", "في العام التالي"), resolved against the nearest earlier date;
- named days ("أحداث 11 سبتمبر" is 2001-09-11; "قوى 14 آذار" is no date at all).

Resolution rules (the annotators' conventions, see ../shared/eval/dev/README.md):
- The reference date is the article's `published`; when missing, the HTML metadata (htmldate);
  when there is no HTML, the latest explicit full date in the text. Relative expressions are
  resolved only against a *real* reference (`published` or HTML metadata): in an undated article
  "الشهر الماضي" is None. The one exception is "this year" (هذا العام, العام الحالي), which may
  use a date read from the text, because the text itself then says which year it means.
- A day or month without a year ("19 سبتمبر", "في يونيو") takes, in order: the reference year
  (published or HTML; the year before when the day lies more than a month after the reference,
  and the year whose calendar fits a weekday the text names); else the year of a date earlier in
  the same sentence; else the document's own "this year" (هذا العام, resolved against a date in
  the text); else it stays unresolved (see _year_from_context for why not the nearest year).
- No invented precision: "الشهر الماضي" is YYYY-MM, "العام الماضي" YYYY, a week is YYYY-MM only
  when it lies within one month.

dateparser was measured (bench/bench_dates.py): on the explicit day-precision spans this module
finds in corpus articles it reads 20% to the same date, at 5-8 ms a call; by hand it reads
"27 سبتمبر 2019" and "أمس" but none of "27 من سبتمبر", the Maghrebi and Levantine months, Hijri
dates, "الخميس الماضي" or "قبل ثلاثة أشهر". So the grammar here is hand-written: Aho-Corasick
finds where a date may start, precompiled regexes read it there (about 1 ms per 5 KB article).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import ahocorasick

from marsad.model import Doc, Mention
from marsad.resources import load_yaml
from marsad.text.normalize import normalize
from marsad.text.numbers import read_numbers
from marsad.text.sentences import split_sentences

PAST, CURRENT, FUTURE = -1, 0, 1
_CLITICS = ("", "و", "ف", "ب", "ل", "وب", "ول", "فب", "فل")


@dataclass(frozen=True)
class DateValue:
    """A resolved date. `iso` is YYYY, YYYY-MM or YYYY-MM-DD, or None when nothing supports one."""

    iso: str | None
    precision: str  # "day" | "month" | "year" | "none"
    relative: bool  # resolved against the reference date or an earlier date in the text
    text: str  # the normalized surface
    end_iso: str | None = None  # last day of a range ("من 19 إلى 24 سبتمبر")
    weekday: int | None = None  # Monday = 0, when the text names the weekday
    calendar: str = "gregorian"  # "hijri" when the text gave a Hijri date
    year_inferred: bool = False  # the year was not written next to the day/month


# ---------------------------------------------------------------------------------------------
# Vocabulary and patterns, built once per process from dates.yaml.

_WB = r"(?![^\W_])"  # right word boundary


def _norm_forms(forms: Iterable[Any]) -> list[str]:
    out = []
    for f in forms:
        n = normalize(str(f))
        if n and n not in out:
            out.append(n)
    return out


def _alt(forms: Iterable[str]) -> str:
    """A regex alternation of normalized phrases, longest first, spaces matching any run."""
    uniq = sorted(set(forms), key=len, reverse=True)
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in uniq)


def _key(s: str) -> str:
    return " ".join(s.split())


@dataclass(frozen=True)
class _Rel:
    unit: str
    offset: int
    text_ok: bool = False
    vague: bool = False  # "قبل أيام": some units back, how many unsaid


@dataclass
class _Lex:
    months: dict[str, int]
    ambiguous: set[str]
    hmonths: dict[str, int]
    weekdays: dict[str, int]
    ordinals: dict[str, int]
    relative: dict[str, _Rel]
    anaphoric: dict[str, _Rel]
    ago_units: dict[str, str]
    ago_duals: dict[str, tuple[str, int]]
    past: set[str]
    future: set[str]
    current: set[str]
    month_context: set[str]
    month_context_strict: set[str]
    weekday_blockers: set[str]
    name_blockers: set[str]
    today_blockers: set[str]
    year_context: set[str]
    named: dict[str, str]  # "ثوره 25 يناير" -> "2011-01-25"
    rel_blockers_after: set[str]
    ago_vague: set[str]
    not_month_spellings: tuple[str, ...]  # raw spellings folded into a month name it never takes
    night_words: set[str]  # "ليل الأحد الاثنين": one night, one date
    kinds: dict[str, set[str]]  # first word of a form -> which patterns to try there
    automaton: Any  # ahocorasick.Automaton over first words, with clitics: key -> (cut, word)
    p: dict[str, re.Pattern[str]] = field(default_factory=dict)


def _entries(data: dict, key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for value, forms in data[key].items():
        for f in _norm_forms(forms):
            out.setdefault(f, int(value))
    return out


def _rels(items: list[dict], where: str) -> dict[str, _Rel]:
    out: dict[str, _Rel] = {}
    for i, item in enumerate(items):
        try:
            rel = _Rel(str(item["unit"]), int(item["offset"]), bool(item.get("text_ok", False)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"dates.yaml: {where}[{i}] needs 'forms', 'unit' and 'offset': {item!r}") from exc
        if rel.unit not in ("day", "week", "month", "year"):
            raise ValueError(f"dates.yaml: {where}[{i}] unit must be day|week|month|year, got {rel.unit!r}")
        for f in _norm_forms(item["forms"]):
            out.setdefault(f, rel)
    return out


@cache
def _lexicon() -> _Lex:
    data = load_yaml("dates.yaml")
    months = _entries(data, "gregorian_months")
    hmonths = _entries(data, "hijri_months")
    weekdays = _entries(data, "weekdays")
    ordinals = _entries(data, "ordinal_days")
    relative = _rels(data["relative"], "relative")
    anaphoric = _rels(data["anaphoric"], "anaphoric")
    ago_units = {f: unit for unit, forms in data["ago_units"].items() for f in _norm_forms(forms)}
    ago_duals = {normalize(k): (str(v[0]), int(v[1])) for k, v in data["ago_duals"].items()}
    ago_words = _norm_forms(data["ago_words"])
    ambiguous = set(_norm_forms(data["ambiguous_months"]))
    past = set(_norm_forms(data["past_words"]))
    future = set(_norm_forms(data["future_words"]))
    current = set(_norm_forms(data["current_words"]))
    year_words = _norm_forms(data["year_words"])
    gys = _norm_forms(data["gregorian_year_suffix"])
    hys = _norm_forms(data["hijri_year_suffix"])

    kinds: dict[str, set[str]] = {}
    for kind, forms in (
        ("month", months),
        ("hmonth", hmonths),
        ("weekday", weekdays),
        ("ordinal", ordinals),
        ("rel", relative),
        ("ana", anaphoric),
        ("ago", ago_words),
    ):
        for f in forms:
            kinds.setdefault(f.split()[0], set()).add(kind)
    automaton = ahocorasick.Automaton()
    for pre in _CLITICS:  # "" first: "فبراير" is the month, never ف + a form
        for word in kinds:
            if pre + word not in automaton:
                automaton.add_word(pre + word, (len(pre), word))
    automaton.make_automaton()

    M = rf"(?:{_alt(months)}){_WB}"
    HM = rf"(?:{_alt(hmonths)}){_WB}"
    WD = rf"(?:{_alt(weekdays)}){_WB}"
    ORD = rf"(?:{_alt(ordinals)}){_WB}"
    D = r"(?:[12]\d|3[01]|0?[1-9])(?!\d)"
    Y = r"(?:1[89]\d\d|20\d\d)(?!\d)"
    HY = r"(?:1[34]\d\d)(?!\d)"
    GYS = rf"(?:\s*(?:{_alt(gys)}){_WB})?"
    HYS = rf"(?:\s*(?:{_alt(hys)}){_WB})"
    YW = rf"(?:{_alt(year_words)}){_WB}"
    REL_WORD = rf"(?:{_alt(past | future | current)}){_WB}"
    MREL = _alt(f for f, r in relative.items() if r.unit == "month")
    # "ديسمبر (كانون الأول)", "تشرين الأول/أكتوبر": a second naming of the same month.
    MONTHX = rf"(?P<m>{M})(?:\s*[/(\-]?\s*(?P<m2>{M})(?:\s*\))?)?"
    YEAR_TAIL = (
        rf"(?:\s*,?\s*(?:من\s+)?(?:{YW}\s+)?(?P<y>{Y}){GYS}"
        rf"|\s*,?\s*(?:من\s+)?(?:(?:هذا|هذه)\s+(?P<yw>{YW})|(?P<yw2>{YW})\s+(?P<ywrel>{REL_WORD}))"
        rf"|\s+(?P<mrel>{REL_WORD}))?"
    )
    HYEAR = rf"\s*,?\s*(?:من\s+)?(?:{YW}\s+)?(?P<hy>{HY}){HYS}?"
    HYEAR_TAIL = rf"(?:{HYEAR})?"
    lex = _Lex(
        months=months,
        ambiguous=ambiguous,
        hmonths=hmonths,
        weekdays=weekdays,
        ordinals=ordinals,
        relative=relative,
        anaphoric=anaphoric,
        ago_units=ago_units,
        ago_duals=ago_duals,
        past=past,
        future=future,
        current=current,
        month_context=set(_norm_forms(data["month_context"])),
        month_context_strict=set(_norm_forms(data["month_context_strict"])),
        weekday_blockers=set(_norm_forms(data["weekday_blockers"])),
        night_words=set(_norm_forms(data.get("night_words") or [])),
        name_blockers=set(_norm_forms(data["name_blockers"])),
        today_blockers=set(_norm_forms(data["today_blockers"])),
        year_context=set(_norm_forms(data["year_context"])),
        named={normalize(k): str(v) for k, v in (data.get("named_dates") or {}).items()},
        rel_blockers_after=set(_norm_forms(data.get("relative_blockers_after") or [])),
        ago_vague=set(_norm_forms(data.get("ago_vague") or [])),
        not_month_spellings=tuple(data.get("not_month_spellings") or ()),
        kinds=kinds,
        automaton=automaton,
    )
    c = re.compile
    lex.p = {
        # 27-10-2019, 27/10/2019, 27.10.2019
        "dmy": c(
            rf"(?P<d>\d{{1,2}})\s?(?P<sep>[-/.])\s?(?P<mo>\d{{1,2}})\s?(?P=sep)\s?"
            rf"(?:(?P<y>{Y}){GYS}|(?P<hy>{HY}){HYS}?)"
        ),
        # 2019-10-27, 2019/10/27
        "ymd": c(rf"(?P<y>{Y})(?P<sep>[-/.])(?P<mo>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d)"),
        # 1436/10/30هـ (Saudi official style)
        "hymd": c(rf"(?P<hy>{HY})\s?(?P<sep>[/-])\s?(?P<mo>\d{{1,2}})\s?(?P=sep)\s?(?P<d>\d{{1,2}})(?!\d){HYS}?"),
        # 19 سبتمبر 2019 / 19 و24 من سبتمبر / من 19 إلى 24 سبتمبر / 27 أكتوبر الماضي
        "dm": c(
            rf"(?P<days>{D}(?:\s*(?:و|,|-|–|الي|حتي)\s*{D})*)\s*(?:من\s+)?(?:شهر\s+)?"
            rf"{MONTHX}{YEAR_TAIL}"
        ),
        # "26 من الشهر الماضي", "الخامس من الشهر الجاري"
        # "في 29 الحالي", "21 الجاري": the month left out means the current one
        "dmrel": c(rf"(?P<d>{D}|{ORD})\s+(?:من\s+(?P<rel>{MREL})|(?P<cur>{_alt(current)})){_WB}"),
        # 15 رمضان 1437 هـ
        "dhm": c(rf"(?P<d>{D})\s*(?:من\s+)?(?:شهر\s+)?(?P<hm>{HM}){HYEAR_TAIL}"),
        # الثالث من يوليو (تموز)
        "ordm": c(rf"(?P<od>{ORD})\s+من\s+(?:شهر\s+)?{MONTHX}{YEAR_TAIL}"),
        "ordhm": c(rf"(?P<od>{ORD})\s+من\s+(?:شهر\s+)?(?P<hm>{HM}){HYEAR_TAIL}"),
        # يونيو 2015 / جويلية الماضي / مايو (أيار) من العام الحالي / bare month (context checked)
        "m": c(rf"{MONTHX}{YEAR_TAIL}"),
        # رمضان 1437 / رمضان الماضي / bare Hijri month (needs شهر before)
        "hm": c(rf"(?P<hm>{HM})(?:{HYEAR}|\s+(?P<mrel>{REL_WORD}))?"),
        # 2015م / 1437 هـ / a bare year (context checked)
        "year": c(rf"(?P<y>{Y})(?P<gys>{GYS})"),
        "hyear": c(rf"(?P<hy>{HY}){HYS}"),
        # الأحد [,] [الموافق [لـ]] <date>  |  الخميس الماضي
        "wd": c(rf"(?P<wd>{WD})(?P<tail>\s*[,(]?\s*(?:الموافق\s*(?:ل\s*)?)?)"),
        "wdrel": c(rf"(?P<wd>{WD})(?:\s+(?P<mrel>{REL_WORD}))?"),
        "rel": c(rf"(?P<rel>{_alt(relative)}){_WB}(?:\s*\(?\s*(?P<wd>{WD})(?:\s*\))?)?"),
        "ana": c(rf"(?P<ana>{_alt(anaphoric)}){_WB}"),
        "ago": c(
            rf"(?:{_alt(ago_words)})\s+(?:(?:نحو|حوالي|قرابه|زهاء)\s+)?(?:(?P<dual>{_alt(ago_duals)})"
            rf"|(?:(?P<few>عده|بضعه|بضع)\s+|(?P<n>\d+|[^\W\d_]+)\s+)?"
            rf"(?P<unit>{_alt(ago_units)})){_WB}(?!\s+(?:من{_WB}|\d))"
        ),
    }
    return lex


# ---------------------------------------------------------------------------------------------
# Pass 1: find date expressions (no resolution yet).


@dataclass
class _Raw:
    start: int
    end: int
    kind: str  # full | month_year | year | day_month | month | weekday | rel | ago | ana
    y: int | None = None
    m: int | None = None
    d: int | None = None
    end_d: int | None = None
    weekday: int | None = None
    hijri: bool = False
    rel: _Rel | None = None  # rel / ago / ana: unit and offset
    mrel: int | None = None  # PAST/CURRENT/FUTURE after a month or weekday ("يوليو الماضي")
    yrel: int | None = None  # "من العام الماضي": year offset from the reference
    named: str | None = None  # the ISO date of a named day ("ثورة 25 يناير")
    follow: _Raw | None = None  # a later list item whose year this one takes
    value: DateValue | None = None


_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")
_PREV_WORD = re.compile(r"([^\W\d_]+)[\s(\"']*$")


def _prev_word(text: str, start: int) -> str:
    m = _PREV_WORD.search(text, max(0, start - 24), start)
    return m.group(1) if m else ""


def _in(word: str, words: set[str]) -> bool:
    """`word` or `word` without a leading و/ف is in `words`."""
    return word in words or (len(word) > 2 and word[0] in "وف" and word[1:] in words)


def _rel_word(lex: _Lex, w: str | None) -> int | None:
    if not w:
        return None
    w = _key(w)
    if w in lex.past:
        return PAST
    if w in lex.future:
        return FUTURE
    if w in lex.current:
        return CURRENT
    return None


def _month_tail(lex: _Lex, raw: _Raw, g: dict[str, str | None]) -> bool:
    """Read the year part after a month; False when "ماي 2016"-style context is missing."""
    if g.get("y"):
        raw.y = int(g["y"])
        return True
    if g.get("yw"):  # "من هذا العام"
        raw.yrel = CURRENT
        return True
    if g.get("yw2"):  # "من العام الماضي", "العام الحالي"
        raw.yrel = _rel_word(lex, g.get("ywrel"))
        return True
    if g.get("mrel"):
        raw.mrel = _rel_word(lex, g["mrel"])
        return True
    return False


_TOKEN = re.compile(r"\d+|[^\W\d_]+")
_NUMBER = re.compile(r"\d+")
_RANGE = re.compile(r"-|–|الي|حتي")


def _anchors(text: str, lex: _Lex) -> list[tuple[int, int, str]]:
    """(start, clitic letters, first word) where a date expression may start, in text order.

    Aho-Corasick over the whole text, then a whole-word check: a single alternation regex
    with a word-boundary lookbehind cost ~1.5 ms per 5 KB article, a Python word walk more.
    """
    found = [(m.start(), 0, "") for m in _NUMBER.finditer(text)]
    n = len(text)
    for end, (cut, word) in lex.automaton.iter(text):
        start = end - cut - len(word) + 1
        if (start == 0 or not text[start - 1].isalnum()) and (end + 1 == n or not text[end + 1].isalnum()):
            found.append((start, cut, word))
    found.sort()
    return found


def _scan(text: str, lex: _Lex) -> list[_Raw]:
    """Find date expressions: try the patterns only where a form or a number starts."""
    out: list[_Raw] = []
    pos = 0
    for start, cut, word in _anchors(text, lex):
        if start < pos:
            continue
        if not word:
            raw = _at_digit(text, start, lex, out)
        else:
            if cut and word in lex.ambiguous and (cut > 1 or text[start] not in "وف"):
                continue  # "باب" is not ب + آب
            listed = bool(out) and _JOIN.fullmatch(text, out[-1].end, start + cut) is not None
            raw = _at_word(text, start + cut, word, lex, out, clitic=bool(cut), listed=listed)
        if raw is not None:
            pos = out[-1].end
    return out


def _at_digit(text: str, start: int, lex: _Lex, out: list[_Raw]) -> _Raw | None:
    p = lex.p
    if start > 0 and text[start - 1] in "/.:,-":
        return None
    for name in ("dmy", "ymd"):
        m = p[name].match(text, start)
        if m:
            mo, d = int(m["mo"]), int(m["d"])
            if name == "dmy" and m["hy"]:  # "12 / 10 / 1436هـ" (Saudi official style)
                if 1 <= mo <= 12 and 1 <= d <= 30:
                    return _push(out, _Raw(start, m.end(), "full", int(m["hy"]), mo, d, hijri=True))
                return None
            y = int(m["y"])
            if name == "dmy" and mo > 12 and d <= 12:  # 10/27/2019: month first
                mo, d = d, mo
            if _valid(y, mo, d):
                return _push(out, _Raw(start, m.end(), "full", y, mo, d))
            return None
    m = p["hymd"].match(text, start)
    if m:
        mo, d = int(m["mo"]), int(m["d"])
        if 1 <= mo <= 12 and 1 <= d <= 30:
            return _push(out, _Raw(start, m.end(), "full", int(m["hy"]), mo, d, hijri=True))
        return None
    m = p["dmrel"].match(text, start)
    if m:
        return _push(out, _Raw(start, m.end(), "ago", d=int(m["d"]), rel=_month_rel(lex, m)))
    m = p["dm"].match(text, start)
    if m:
        month = lex.months[_key(m["m"])]
        raw = _Raw(start, m.end(), "day_month", m=month)
        has_year = _month_tail(lex, raw, m.groupdict())
        if not has_year and _named(text, start, m.end(), lex, out):
            return out[-1]
        if not has_year and _in(_prev_word(text, start), lex.name_blockers):
            return None  # "قوى 14 آذار", "ثورة 25 يناير"
        if raw.y is not None:
            raw.kind = "full"
        days = [(int(x.group()), start + x.start(), start + x.end()) for x in _NUMBER.finditer(m["days"])]
        is_range = _RANGE.search(m["days"]) or _prev_word(text, start) == "بين"
        if len(days) == 2 and is_range and days[1][0] > days[0][0]:
            raw.d, raw.end_d = days[0][0], days[1][0]  # "من 19 إلى 24 سبتمبر", "بين 20 و31 يوليو"
            return _push(out, raw)
        # "19 و24 سبتمبر", "أيام 10 و17 و24 أغسطس": one date per day, sharing the month
        for d, a, b in days[:-1]:
            _push(out, replace(raw, start=a, end=b, d=d))
        raw.start, raw.d = days[-1][1], days[-1][0]
        return _push(out, raw)
    for name in ("dhm",):
        m = p[name].match(text, start)
        if m:
            raw = _Raw(start, m.end(), "day_month", m=lex.hmonths[_key(m["hm"])], d=int(m["d"]), hijri=True)
            if m["hy"]:
                raw.y, raw.kind = int(m["hy"]), "full"
            return _push(out, raw)
    m = p["hyear"].match(text, start)
    if m:
        return _push(out, _Raw(start, m.end(), "year", y=int(m["hy"]), hijri=True))
    m = p["year"].match(text, start)
    if m and (
        m["gys"]
        or _in(_prev_word(text, start), lex.year_context)
        # "في عامي 2015 و2016": the second year of a list
        or (out and out[-1].kind == "year" and _JOIN.fullmatch(text, out[-1].end, start) is not None)
    ):
        return _push(out, _Raw(start, m.end(), "year", y=int(m["y"])))
    return None


def _at_word(
    text: str, start: int, form: str, lex: _Lex, out: list[_Raw], clitic: bool = False, listed: bool = False
) -> _Raw | None:
    """Try the patterns that can start with `form` at `start`.

    `listed`: the word follows a date as the next item of a list ("بين نيسان وحزيران").
    """
    p = lex.p
    kinds = lex.kinds[form]
    if "ana" in kinds:
        m = p["ana"].match(text, start)
        if m:
            return _push(out, _Raw(start, m.end(), "ana", rel=lex.anaphoric[_key(m["ana"])]))
    if "weekday" in kinds:
        if _in(_prev_word(text, start), lex.weekday_blockers):
            return None  # "صلاة الجمعة"
        m = p["wd"].match(text, start)
        if m:
            wd = lex.weekdays[_key(m["wd"])]
            n = len(out)
            inner = _at_digit(text, m.end(), lex, out) if m.end() < len(text) and text[m.end()].isdigit() else None
            if inner is None and m.end() < len(text):
                w = _TOKEN.match(text, m.end())
                if w and "ordinal" in lex.kinds.get(w.group(), ()):
                    inner = _at_word(text, m.end(), w.group(), lex, out)
            if inner is not None and len(out) > n and out[n].kind in ("full", "day_month"):
                out[n].start, out[n].weekday = start, wd
                return inner
            del out[n:]
        m = p["wdrel"].match(text, start)
        if m:
            raw = _Raw(start, m.end(), "weekday", weekday=lex.weekdays[_key(m["wd"])])
            raw.mrel = _rel_word(lex, m["mrel"])
            return _push(out, raw)
    if "rel" in kinds:
        m = p["rel"].match(text, start)
        if m:
            phrase = _key(m["rel"])
            rel = lex.relative[phrase]
            ok = True
            if phrase == "اليوم":
                nxt = re.match(r"\s+(ال[^\W\d_]+)", text[m.end("rel") : m.end("rel") + 20])
                if (nxt and not m["wd"] and nxt.group(1) not in lex.weekdays) or _in(
                    _prev_word(text, start), lex.today_blockers
                ):
                    ok = False  # "اليوم العالمي", "في اليوم", "حتى اليوم"
            after = _NEXT_WORD.match(text, m.end())
            if after and after.group(1) in lex.rel_blockers_after:
                ok = False  # "بالأمس القريب" is the recent past, not yesterday
            if ok:
                wd = lex.weekdays[_key(m["wd"])] if m["wd"] else None
                return _push(out, _Raw(start, m.end(), "rel", rel=rel, weekday=wd))
    if "ago" in kinds:
        m = p["ago"].match(text, start)
        if m:
            if m["dual"]:
                unit, n = lex.ago_duals[_key(m["dual"])]
            else:
                unit = lex.ago_units[_key(m["unit"])]
                n = 1
                if m["few"]:
                    return _push(out, _Raw(start, m.end(), "ago", rel=_Rel(unit, -1, vague=True)))
                if m["n"]:
                    nums = read_numbers(m["n"])
                    if not nums:
                        return None
                    if nums[0].value is None:  # "قبل عدة أيام"
                        return _push(out, _Raw(start, m.end(), "ago", rel=_Rel(unit, -1, vague=True)))
                    n = int(nums[0].value)
                elif _key(m["unit"]) in lex.ago_vague:  # "قبل أيام": a few days, not one
                    return _push(out, _Raw(start, m.end(), "ago", rel=_Rel(unit, -1, vague=True)))
            return _push(out, _Raw(start, m.end(), "ago", rel=_Rel(unit, -n)))
    if "ordinal" in kinds:
        m = p["dmrel"].match(text, start)
        if m:
            d = lex.ordinals[_key(m["d"])]
            return _push(out, _Raw(start, m.end(), "ago", d=d, rel=_month_rel(lex, m)))
        for name, hijri in (("ordm", False), ("ordhm", True)):
            m = p[name].match(text, start)
            if m:
                d = lex.ordinals[_key(m["od"])]
                if hijri:
                    raw = _Raw(start, m.end(), "day_month", m=lex.hmonths[_key(m["hm"])], d=d, hijri=True)
                    if m["hy"]:
                        raw.y, raw.kind = int(m["hy"]), "full"
                    return _push(out, raw)
                raw = _Raw(start, m.end(), "day_month", m=lex.months[_key(m["m"])], d=d)
                if not _month_tail(lex, raw, m.groupdict()) and _named(text, start, m.end(), lex, out):
                    return out[-1]  # "هجمات الحادي عشر من سبتمبر"
                if raw.y is not None:
                    raw.kind = "full"
                return _push(out, raw)
    if "month" in kinds:
        m = p["m"].match(text, start)
        if m:
            raw = _Raw(start, m.end(), "month", m=lex.months[_key(m["m"])])
            has_tail = _month_tail(lex, raw, m.groupdict())
            prev = _prev_word(text, start)
            if raw.y is not None:
                raw.kind = "month_year"
            elif not has_tail:
                if _named(text, start, m.end(), lex, out):
                    return out[-1]
                ambiguous = _key(m["m"]) in lex.ambiguous and not m["m2"]
                if ambiguous and clitic and not listed:
                    return None  # "وماي" alone: too weak
                context = lex.month_context_strict if ambiguous else lex.month_context
                if not (listed or _in(prev, context)) or _in(prev, lex.name_blockers):
                    return None
            return _push(out, raw)
    if "hmonth" in kinds:
        m = p["hm"].match(text, start)
        if m:
            raw = _Raw(start, m.end(), "month", m=lex.hmonths[_key(m["hm"])], hijri=True)
            if m["hy"]:
                raw.y, raw.kind = int(m["hy"]), "month_year"
            elif m["mrel"]:
                raw.mrel = _rel_word(lex, m["mrel"])
            elif not _in(_prev_word(text, start), {"شهر"}):
                return None  # "رمضان" alone is also a name
            return _push(out, raw)
    return None


_JOIN = re.compile(r"\s*(?:و|-|–|الي|حتي|ثم|او)\s*")


def _share_years(text: str, raws: list[_Raw]) -> None:
    """ "من 28 ذي الحجة إلى 1 محرم 1437هـ", "سبتمبر أو أكتوبر المقبلين": a year (or a ماضي/مقبل
    word) written once at the end of a list or range belongs to every item; a year earlier for
    an item whose month comes later.
    """
    for i in range(len(raws) - 2, -1, -1):
        a, b = raws[i], raws[i + 1]
        if (
            a.kind in ("day_month", "month")
            and a.hijri == b.hijri
            and a.mrel is None
            and a.yrel is None
            and _JOIN.fullmatch(text, a.end, b.start)
        ):
            if b.y is not None and (a.kind, b.kind) in (("day_month", "full"), ("month", "month_year")):
                a.y = b.y - 1 if (a.m or 0) > (b.m or 0) else b.y
                a.kind = "full" if a.kind == "day_month" else "month_year"
            elif b.kind in ("day_month", "month") and (b.mrel is not None or b.yrel is not None or b.follow):
                a.follow = b  # "من 30 يوليو حتى 4 سبتمبر المقبل": July takes September's year


def _named(text: str, start: int, end: int, lex: _Lex, out: list[_Raw]) -> _Raw | None:
    """A well-known day named by the words before it ("أحداث 11 سبتمبر" is 2001-09-11)."""
    prev = _prev_word(text, start)
    for word in (prev, prev[1:]):
        iso = lex.named.get(f"{word} {_key(text[start:end])}")
        if iso:
            return _push(out, _Raw(start, end, "named", named=iso))
    return None


def _month_rel(lex: _Lex, m: re.Match[str]) -> _Rel:
    return lex.relative[_key(m["rel"])] if m["rel"] else _Rel("month", 0)


def _push(out: list[_Raw], raw: _Raw) -> _Raw:
    out.append(raw)
    return raw


def _valid(y: int, m: int, d: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


# ---------------------------------------------------------------------------------------------
# Pass 2: resolution.


def _hijri_to_greg(y: int, m: int, d: int) -> dt.date | None:
    from hijridate import Hijri

    try:
        return dt.date(*Hijri(y, m, d).to_gregorian().datetuple())
    except (ValueError, OverflowError):
        return None


def _greg_to_hijri(day: dt.date) -> tuple[int, int, int] | None:
    from hijridate import Gregorian

    try:
        return Gregorian(day.year, day.month, day.day).to_hijri().datetuple()
    except (ValueError, OverflowError):
        return None


def _hijri_month_len(y: int, m: int) -> int:
    from hijridate import Hijri

    try:
        return Hijri(y, m, 1).month_length()
    except (ValueError, OverflowError):
        return 29


def _span_value(a: dt.date, b: dt.date, text: str, relative: bool, **kw: Any) -> DateValue:
    """The most precise ISO value that covers both a and b (a period, not a single day)."""
    if a == b:
        return DateValue(a.isoformat(), "day", relative, text, **kw)
    if (a.year, a.month) == (b.year, b.month):
        return DateValue(f"{a.year:04d}-{a.month:02d}", "month", relative, text, **kw)
    if a.year == b.year:
        return DateValue(f"{a.year:04d}", "year", relative, text, **kw)
    return DateValue(None, "none", relative, text, **kw)


def _none(text: str, relative: bool, **kw: Any) -> DateValue:
    return DateValue(None, "none", relative, text, **kw)


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def _week(ref: dt.date, offset: int) -> tuple[dt.date, dt.date]:
    """The Saturday-to-Friday week (the usual Arab working week) `offset` weeks from ref's."""
    sat = ref - dt.timedelta(days=(ref.weekday() - 5) % 7)
    start = sat + dt.timedelta(weeks=offset)
    return start, start + dt.timedelta(days=6)


def _resolve_rel(
    rel: _Rel, ref: dt.date, text: str, weekday: int | None = None, cap: dt.date | None = None
) -> DateValue:
    if rel.unit == "day":
        day = ref + dt.timedelta(days=rel.offset)
        if weekday is not None and rel.offset <= 0 and day.weekday() != weekday:
            # "أمس الاول الخميس" written on a Sunday, "أمس الثلاثاء" in a Wednesday paper: the
            # weekday the text names wins, the nearest such day to the count (ties: the earlier),
            # never after the given date `cap`
            back = (day.weekday() - weekday) % 7
            fwd = 7 - back
            later = day + dt.timedelta(days=fwd)
            day = later if fwd < back and (cap is None or later <= cap) else day - dt.timedelta(days=back)
        return DateValue(day.isoformat(), "day", True, text, weekday=weekday)
    if rel.unit == "week":
        a, b = _week(ref, rel.offset)
        return _span_value(a, b, text, True)
    if rel.unit == "month":
        y, m = _add_months(ref.year, ref.month, rel.offset)
        return DateValue(f"{y:04d}-{m:02d}", "month", True, text)
    return DateValue(f"{ref.year + rel.offset:04d}", "year", True, text)


def _resolve_ago(rel: _Rel, ref: dt.date, text: str, day: int | None = None) -> DateValue:
    if day is not None:  # "26 من الشهر الماضي"
        y, m = _add_months(ref.year, ref.month, rel.offset)
        if not _valid(y, m, day):
            return _none(text, True)
        return DateValue(dt.date(y, m, day).isoformat(), "day", True, text)
    if rel.vague:  # the span the phrase usually covers, as precise as that span allows
        if rel.unit in ("day", "week"):
            lo, hi = (2, 7) if rel.unit == "day" else (14, 42)
            return _span_value(ref - dt.timedelta(days=hi), ref - dt.timedelta(days=lo), text, True)
        if rel.unit == "month":
            (y1, m1), (y2, _) = _add_months(ref.year, ref.month, -11), _add_months(ref.year, ref.month, -2)
            return _span_value(dt.date(y1, m1, 1), dt.date(y2, 1, 1), text, True)
        return _none(text, True)
    if rel.unit == "day":
        return _resolve_rel(rel, ref, text)
    if rel.unit == "week":  # "قبل أسبوعين": about a day, so say no more than the month
        day = ref + dt.timedelta(weeks=rel.offset)
        return _span_value(day - dt.timedelta(days=3), day + dt.timedelta(days=3), text, True)
    return _resolve_rel(rel, ref, text)


@dataclass
class _Ctx:
    text: str
    sentences: list[tuple[int, int]]
    ref: dt.date | None  # a real reference: published or HTML metadata
    text_ref: dt.date | None  # ref, else the latest full date read from the text


def _sentence(ctx: _Ctx, pos: int) -> tuple[int, int]:
    for s, e in ctx.sentences:
        if s <= pos < e:
            return s, e
    return 0, len(ctx.text)


def _explicit(raw: _Raw, text: str) -> DateValue | None:
    """Values that need nothing but the text itself."""
    if raw.kind == "named" and raw.named:
        precision = {4: "year", 7: "month", 10: "day"}[len(raw.named)]
        return DateValue(raw.named, precision, False, text)
    if raw.kind == "full":
        if raw.hijri:
            g = _hijri_to_greg(raw.y or 0, raw.m or 0, raw.d or 0)
            if g is None:
                return _none(text, False, calendar="hijri")
            return DateValue(g.isoformat(), "day", False, text, weekday=raw.weekday, calendar="hijri")
        if not _valid(raw.y or 0, raw.m or 0, raw.d or 0):
            return None
        end_iso = None
        if raw.end_d and _valid(raw.y or 0, raw.m or 0, raw.end_d):
            end_iso = dt.date(raw.y or 0, raw.m or 0, raw.end_d).isoformat()
        iso = dt.date(raw.y or 0, raw.m or 0, raw.d or 0).isoformat()
        return DateValue(iso, "day", False, text, end_iso=end_iso, weekday=raw.weekday)
    if raw.kind == "month_year":
        if raw.hijri:
            return _hijri_month(raw.y or 0, raw.m or 0, text)
        return DateValue(f"{raw.y:04d}-{raw.m:02d}", "month", False, text)
    if raw.kind == "year":
        if raw.hijri:
            a = _hijri_to_greg(raw.y or 0, 1, 1)
            b = _hijri_to_greg(raw.y or 0, 12, 29)
            if a is None or b is None:
                return _none(text, False, calendar="hijri")
            return _span_value(a, b, text, False, calendar="hijri")
        return DateValue(f"{raw.y:04d}", "year", False, text)
    return None


def _hijri_month(y: int, m: int, text: str, relative: bool = False, inferred: bool = False) -> DateValue:
    a = _hijri_to_greg(y, m, 1)
    b = _hijri_to_greg(y, m, _hijri_month_len(y, m))
    if a is None or b is None:
        return _none(text, relative, calendar="hijri")
    return _span_value(a, b, text, relative, calendar="hijri", year_inferred=inferred)


def _year_from_context(raw: _Raw, ctx: _Ctx, done: list[_Raw]) -> int | None:
    """The year of a day/month written without one (rules in the module docstring).

    With a real reference date, the reference wins over a year written nearby: in
    "بين الغارات الأولى في آب 2014 و22 حزيران" (snn-2015-07-21-0722, published 2015-07-21)
    the June is 2015's, not 2014's; news dates its own story relative to the day it runs.
    Without one, only a year the text ties to the day is used: one written earlier in the same
    sentence, or the document's own "this year" (هذا العام resolved against a date in the text).
    The nearest year anywhere in the document was measured and rejected: with the corpus crawl
    date withheld it gave the right year for 15% of year-less dates (bench_dates), because news
    seldom writes its own year and the years it does write are mostly background.
    """
    if ctx.ref is not None:
        return _past_year(ctx.ref, raw.m or 1, raw.d)
    s, _ = _sentence(ctx, raw.start)
    before = [r for r in done if s <= r.start < raw.start and r.value and r.value.iso]
    if before:
        return int(before[-1].value.iso[:4])  # type: ignore[union-attr,index]
    this_year = [r for r in done if r.kind == "rel" and r.rel and r.rel.text_ok and r.value and r.value.iso]
    if this_year:
        return int(this_year[0].value.iso[:4])  # type: ignore[union-attr,index]
    return None


# A day up to this far after the reference date is the coming one ("ستفتتح في 5 أغسطس"
# written on 21 July), not the one eleven months back.
_AHEAD = dt.timedelta(days=31)


def _past_year(ref: dt.date, month: int, day: int | None) -> int:
    """The year of (month, day) nearest before ref, or within a month after it."""
    try:
        this = dt.date(ref.year, month, day or 1)
    except ValueError:  # 29 February
        this = dt.date(ref.year, month, 28)
    return ref.year - 1 if this > ref + _AHEAD else ref.year


def _weekday_year(y: int, m: int, d: int, weekday: int | None, hijri: bool = False) -> int:
    """The year near y in which day d of month m falls on the weekday the text names."""
    if weekday is None:
        return y
    for cand in (y, y + 1, y - 1):
        day = _hijri_to_greg(cand, m, d) if hijri else (dt.date(cand, m, d) if _valid(cand, m, d) else None)
        if day is not None and day.weekday() == weekday:
            return cand
    return y


def _resolve_partial(raw: _Raw, ctx: _Ctx, done: list[_Raw], text: str) -> DateValue:
    """A day-and-month or a month without a written year."""
    if raw.hijri:
        return _resolve_hijri_partial(raw, ctx, text)
    relative = raw.mrel is not None or raw.yrel is not None
    if raw.yrel is not None:  # "ديسمبر من العام الماضي"
        base = ctx.ref if raw.yrel != CURRENT else ctx.text_ref
        if base is None:
            return _none(text, True)
        y: int | None = base.year + raw.yrel
    elif raw.mrel is not None:  # "جويلية الماضي", "يوليو الحالي", "السابع من يونيو الماضي"
        base = ctx.ref if raw.mrel != CURRENT else ctx.text_ref
        if base is None:
            return _none(text, True)
        key, ref_key = (raw.m or 1, raw.d or 1), (base.month, base.day if raw.d else 1)
        y = base.year
        if raw.mrel == PAST and key >= ref_key:
            y -= 1
        elif raw.mrel == FUTURE and key <= ref_key:
            y += 1
    else:
        y = _year_from_context(raw, ctx, done)
    if y is None:
        return _none(text, relative)
    inferred = True
    if raw.d is not None and raw.yrel is None:
        y = _weekday_year(y, raw.m or 1, raw.d, raw.weekday)
    if raw.kind == "month" or raw.d is None:
        return DateValue(f"{y:04d}-{raw.m:02d}", "month", relative, text, year_inferred=inferred)
    if not _valid(y, raw.m or 0, raw.d):
        return _none(text, relative)
    end_iso = dt.date(y, raw.m or 0, raw.end_d).isoformat() if raw.end_d and _valid(y, raw.m or 0, raw.end_d) else None
    return DateValue(
        dt.date(y, raw.m or 0, raw.d).isoformat(),
        "day",
        relative,
        text,
        end_iso=end_iso,
        weekday=raw.weekday,
        year_inferred=inferred,
    )


def _resolve_hijri_partial(raw: _Raw, ctx: _Ctx, text: str) -> DateValue:
    """ "15 رمضان" / "شهر رمضان" / "رمضان الماضي": the Hijri year comes from the real reference only."""
    if ctx.ref is None:
        return _none(text, True, calendar="hijri")
    h = _greg_to_hijri(ctx.ref)
    if h is None:
        return _none(text, True, calendar="hijri")
    hy, hm, hd = h
    key, ref_key = (raw.m or 1, raw.d or 1), (hm, hd if raw.d else 1)
    if raw.mrel == PAST:
        hy -= key >= ref_key
    elif raw.mrel == FUTURE:
        hy += key <= ref_key
    elif raw.mrel is None and key > ref_key and raw.weekday is None:
        # as for Gregorian days: a date up to a month ahead is the coming one ("حتى 28 شوال")
        start = _hijri_to_greg(hy, raw.m or 1, raw.d or 1)
        if start is None or start > ctx.ref + _AHEAD:
            hy -= 1
    if raw.d is None:
        return _hijri_month(hy, raw.m or 1, text, relative=True, inferred=True)
    if raw.mrel is None:
        hy = _weekday_year(hy, raw.m or 1, raw.d, raw.weekday, hijri=True)
    g = _hijri_to_greg(hy, raw.m or 1, raw.d)
    if g is None:
        return _none(text, True, calendar="hijri")
    return DateValue(g.isoformat(), "day", True, text, weekday=raw.weekday, calendar="hijri", year_inferred=True)


def _follow_year(raw: _Raw, text: str) -> DateValue:
    """A list item dated by the next item's year (a year earlier when its month comes later)."""
    nxt = raw.follow.value if raw.follow else None
    if nxt is None or nxt.iso is None:
        return _none(text, True)
    y = int(nxt.iso[:4]) - (1 if len(nxt.iso) >= 7 and (raw.m or 0) > int(nxt.iso[5:7]) else 0)
    if raw.hijri:  # Hijri items follow Hijri items only through _share_years' explicit years
        return _none(text, True, calendar="hijri")
    if raw.d is None:
        return DateValue(f"{y:04d}-{raw.m:02d}", "month", True, text, year_inferred=True)
    if not _valid(y, raw.m or 0, raw.d):
        return _none(text, True)
    return DateValue(dt.date(y, raw.m or 0, raw.d).isoformat(), "day", True, text, year_inferred=True)


def _resolve_weekday(raw: _Raw, ref: dt.date | None, text: str) -> DateValue:
    """A weekday alone is the latest such day on or before ref; "الماضي" strictly before."""
    wd = raw.weekday or 0
    if ref is None:
        return _none(text, True, weekday=wd)
    back = (ref.weekday() - wd) % 7
    if raw.mrel == PAST and back == 0:
        back = 7
    if raw.mrel == FUTURE:
        fwd = (wd - ref.weekday()) % 7 or 7
        day = ref + dt.timedelta(days=fwd)
    else:
        day = ref - dt.timedelta(days=back)
    return DateValue(day.isoformat(), "day", True, text, weekday=wd)


_PREC_RANK = {"year": 1, "month": 2, "day": 3}


def _resolve_ana(raw: _Raw, done: list[_Raw], text: str) -> DateValue:
    """ "في الشهر نفسه": the nearest earlier date that is at least as precise as the unit."""
    assert raw.rel is not None
    need = _PREC_RANK[raw.rel.unit if raw.rel.unit != "week" else "day"]
    for r in reversed(done):
        v = r.value
        if r.start >= raw.start or v is None or v.iso is None or _PREC_RANK.get(v.precision, 0) < need:
            continue
        if raw.rel.unit == "year":
            return DateValue(f"{int(v.iso[:4]) + raw.rel.offset:04d}", "year", True, text)
        if raw.rel.unit == "month":
            y, m = _add_months(int(v.iso[:4]), int(v.iso[5:7]), raw.rel.offset)
            return DateValue(f"{y:04d}-{m:02d}", "month", True, text)
        day = dt.date.fromisoformat(v.iso) + dt.timedelta(days=raw.rel.offset)
        return DateValue(day.isoformat(), "day", True, text)
    return _none(text, True)


_NIGHT_GAP = re.compile(r"\s*[-–/]?\s*")


def _merge_nights(text: str, raws: list[_Raw], lex: _Lex) -> list[_Raw]:
    """ "ليل الثلاثاء الأربعاء" / "ليلة السبت-الأحد" is one night: one date, the second day's (the
    small hours, and the day wire reports date such a night), not two events a day apart."""
    out: list[_Raw] = []
    for r in raws:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == r.kind == "weekday"
            and prev.weekday is not None
            and r.weekday is not None
            and (r.weekday - prev.weekday) % 7 == 1
            and _NIGHT_GAP.fullmatch(text, prev.end, r.start)
            and _in(_prev_word(text, prev.start), lex.night_words)
        ):
            r.start = prev.start
            out[-1] = r
            continue
        out.append(r)
    return out


def _writing_day(raws: list[_Raw], ref: dt.date) -> dt.date:
    """The day the text was written, when its first "اليوم الأحد" / "أمس الاثنين" says so.

    A given date is often the day a page was crawled or republished, days after it was
    written: "اليوم الأحد" in an item dated Tuesday is that Sunday, and so is every other
    "اليوم" or "أمس" in it. When the weekdays named with such phrases all point to one day
    that is not ref, the reference moves back to it (at most six days: the weekday is the
    text's own word, the given date only an upper bound).
    """
    implied = {
        ref - dt.timedelta(days=(ref.weekday() + r.rel.offset - r.weekday) % 7)
        for r in raws
        if r.kind == "rel" and r.rel and r.rel.unit == "day" and r.rel.offset <= 0 and r.weekday is not None
    }
    # phrases that disagree ("اليوم الثلاثاء" from a wire, "أمس الثلاثاء" from the paper's own
    # desk) leave the given date alone
    return implied.pop() if len(implied) == 1 else ref


def resolve_all(
    text: str,
    sentences: list[tuple[int, int]] | None = None,
    published: dt.date | None = None,
    html_date: dt.date | None = None,
) -> tuple[list[tuple[int, int, DateValue]], dt.date | None, str | None]:
    """Every date in normalized `text`, resolved: (spans and values, reference date, its source).

    The source is "published", "html", "text" (latest explicit full date) or None.
    """
    lex = _lexicon()
    raws = _merge_nights(text, _scan(text, lex), lex)
    _share_years(text, raws)
    for r in raws:
        r.value = _explicit(r, text[r.start : r.end])
    ref, source = (published, "published") if published else (html_date, "html") if html_date else (None, None)
    if ref is not None:
        ref = _writing_day(raws, ref)
    text_ref = ref
    if ref is None:
        # The latest full date, preferring those the text gives a weekday ("الأحد الموافق
        # 27-10-2019"): on the corpus with the crawl date withheld, a weekday-bearing date had the
        # publication year 96% of the time, any full date 62% (measured, 6,000 articles).
        days = [r.value for r in raws if r.value and r.value.iso and r.value.precision == "day"]
        best = [v.iso for v in days if v.weekday is not None] or [v.iso for v in days]
        if best:
            text_ref = dt.date.fromisoformat(max(i for i in best if i))
            source = "text"
    ctx = _Ctx(text, sentences if sentences is not None else split_sentences(text), ref, text_ref)
    # Relative phrases next (they may give the year of a later "19 سبتمبر").
    for r in raws:
        surface = text[r.start : r.end]
        if r.kind == "rel":
            base = ctx.text_ref if r.rel and r.rel.text_ok else ctx.ref
            cap = published or html_date
            r.value = _resolve_rel(r.rel, base, surface, r.weekday, cap) if base and r.rel else _none(surface, True)
        elif r.kind == "ago":
            r.value = _resolve_ago(r.rel, ctx.ref, surface, r.d) if ctx.ref and r.rel else _none(surface, True)
        elif r.kind == "weekday":
            r.value = _resolve_weekday(r, ctx.ref, surface)
    done = [r for r in raws if r.value is not None]
    for r in raws:
        if r.kind in ("day_month", "month") and r.follow is None:
            r.value = _resolve_partial(r, ctx, done, text[r.start : r.end])
            done = sorted([*done, r], key=lambda x: x.start)
    for r in reversed(raws):
        if r.follow is not None:
            r.value = _follow_year(r, text[r.start : r.end])
    for r in raws:
        if r.kind == "ana":
            r.value = _resolve_ana(r, [x for x in raws if x.value is not None], text[r.start : r.end])
    spans = [(r.start, r.end, r.value) for r in raws if r.value is not None]
    return spans, ctx.text_ref, source


def html_reference_date(html: str | None) -> dt.date | None:
    """The publication date in an HTML page's metadata (htmldate), or None."""
    if not html or not html.strip():
        return None
    from htmldate import find_date

    try:
        # extensive_search=False: metadata and URL only; dates in the free text are read here.
        found = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # htmldate/lxml raise a variety of errors on broken pages
        return None
    try:
        return dt.date.fromisoformat(found[:10]) if found else None
    except ValueError:
        return None


class DateTagger:
    """Pipeline component: a `date` mention (value: DateValue) for every date expression."""

    name = "dates"

    def __init__(self) -> None:
        _lexicon()  # load and compile once, when the pipeline is built

    def __call__(self, doc: Doc) -> Doc:
        # A reference with precision "day" is the article's `published` (Pipeline.make_doc); an
        # "inferred" one set by an earlier run is reused only if it came from the HTML metadata.
        published = html_date = None
        if doc.reference_date is not None and doc.reference_precision == "day":
            published = doc.reference_date
        elif doc.reference_date is not None and doc.meta.get("reference_source") == "html":
            html_date = doc.reference_date
        elif doc.article.html:
            html_date = html_reference_date(doc.article.html)
        sentences = doc.sentences or split_sentences(doc.norm.text)
        spans, ref, source = resolve_all(doc.norm.text, sentences, published, html_date)
        if published is None:
            doc.reference_date = ref
            doc.reference_precision = "inferred" if ref is not None else None
        doc.meta["reference_source"] = source
        for start, end, value in spans:
            if value.precision == "month" and self._not_a_month(doc, start, end):
                continue
            doc.mentions.append(Mention("date", start, end, value, self.name))
        return doc

    @staticmethod
    def _not_a_month(doc: Doc, start: int, end: int) -> bool:
        """A bare month read from a spelling it never takes ("في إب" is the city of Ibb)."""
        surface = doc.raw[slice(*doc.norm.raw_span(start, end))].strip()
        return any(
            surface == form or (surface.endswith(form) and len(surface) - len(form) <= 2 and surface[0] in "وفبلك")
            for form in _lexicon().not_month_spellings
        )


def resolve_date(doc: Doc, start: int, end: int) -> DateValue | None:
    """The date of an event whose evidence clause is normalized [start, end).

    The first date mention inside the clause; else, in the clause's sentence, the date mention
    nearest to the clause; else None. A mention that could not be resolved (iso None, e.g.
    "الخميس الماضي" in an undated article) still wins over a farther resolved one: the text dates
    the event, we just cannot say when, and borrowing another date would be wrong.
    """
    dates = [m for m in doc.mentions if m.kind == "date" and isinstance(m.value, DateValue)]
    inside = sorted((m for m in dates if m.start >= start and m.end <= end), key=lambda m: m.start)
    if inside:
        return inside[0].value
    s, e = doc.sentence_of(start)
    near = [m for m in dates if m.start >= s and m.end <= e]
    if not near:
        return None

    def gap(m: Mention) -> int:
        return max(start - m.end, m.start - end, 0)

    return min(near, key=lambda m: (gap(m), m.start)).value
