"""Read counts from Arabic text: digits, separators, number words and their combinations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from marsad.resources import load_yaml
from marsad.text.tokens import Token, tokenize


@dataclass(frozen=True, slots=True)
class Number:
    start: int  # offsets in the normalized text
    end: int
    value: int | float | None  # None for a vague count ("العشرات")
    low: int | float  # the conservative reading (ACLED: lowest credible figure)
    high: int | float
    vague: bool = False

    @property
    def count(self) -> int | None:
        """An integer count for fatalities/strength: the exact value, else the lower bound."""
        if self.value is not None:
            return int(self.value)
        return None


# "3.500" and "3,500" are 3500 in counts; "2.5" is two and a half; "1,234,567" is grouped.
_DIGITS = re.compile(r"(?<![\d.,])\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*(?![\d])|\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, tuple[str, int]]  # word → (class, value)


@cache
def _lexicon() -> _Lexicon:
    data = load_yaml("number_words.yaml")
    words: dict[str, tuple[str, int]] = {}
    for cls in ("units", "tens", "hundreds", "multipliers"):
        for value, forms in data[cls].items():
            for form in forms:
                words.setdefault(form, (cls, int(value)))
    for value, forms in data["vague"].items():
        for form in forms:
            words[form] = ("vague", int(value))
    return _Lexicon(words)


def _parse_digits(s: str) -> int | float:
    m = re.fullmatch(r"\d{1,3}(?:([.,])\d{3})+", s)
    if m:
        return int(re.sub(r"[.,]", "", s))
    if "." in s or "," in s:
        return float(s.replace(",", "."))
    return int(s)


def _word_class(token: str) -> tuple[str, int] | None:
    """Class and value of a number word, with a leading و (and ال) allowed."""
    lex = _lexicon().words
    for form in (token, token[1:] if token.startswith("و") else None):
        if not form:
            continue
        if form in lex:
            return lex[form]
        if form.startswith("ال") and form[2:] in lex:
            return lex[form[2:]]
    return None


def read_numbers(text: str) -> list[Number]:
    """Every count in normalized `text`, in order."""
    tokens = tokenize(text)
    out: list[Number] = []
    i = 0
    while i < len(tokens):
        j, number = _read_at(text, tokens, i)
        if number is not None:
            out.append(number)
            i = j
        else:
            i += 1
    return out


def _read_at(text: str, tokens: list[Token], i: int) -> tuple[int, Number | None]:
    tok = tokens[i]
    if (
        tok.text[0].isdigit()
        or (tok.text[:1] in "وب" and tok.text[1:2].isdigit())
        or (tok.text.startswith("ال") and tok.text[2:3].isdigit())
    ):
        return _read_digits(text, tokens, i)
    cls = _word_class(tok.text)
    if cls is None or (cls[0] == "units" and cls[1] == 11 and not _is_teen(tokens, i)):
        return i, None
    if cls[0] == "vague":
        return _read_vague(tokens, i)
    return _read_words(tokens, i)


def _read_digits(text: str, tokens: list[Token], i: int) -> tuple[int, Number | None]:
    tok = tokens[i]
    # "الـ7" → 7; "و5 آلاف" → 5000; "ب15" → 15
    start = tok.start + (2 if tok.text.startswith("ال") else 1 if not tok.text[0].isdigit() else 0)
    m = _DIGITS.match(text, start)
    if m is None:
        return i + 1, None
    value: int | float = _parse_digits(m.group(0))
    end = m.end()
    j = i + 1
    while j < len(tokens) and tokens[j].start < end:  # skip the pieces of "3.500"
        j += 1
    # "3 الاف", "1.5 مليون"
    if j < len(tokens):
        cls = _word_class(tokens[j].text)
        if cls and cls[0] in ("multipliers", "vague") and cls[1] >= 1000:
            value = value * cls[1]
            end = tokens[j].end
            j += 1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return j, Number(start, end, value, value, value)


def _is_teen(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].text in ("عشر", "عشره")


def _read_vague(tokens: list[Token], i: int) -> tuple[int, Number]:
    _, floor = _word_class(tokens[i].text) or ("vague", 10)
    end = tokens[i].end
    j = i + 1
    # "عشرات الالاف" = tens of thousands
    if j < len(tokens):
        nxt = _word_class(tokens[j].text)
        if nxt and nxt[0] in ("vague", "multipliers") and nxt[1] >= 1000:
            floor *= 1000
            end = tokens[j].end
            j += 1
    return j, Number(tokens[i].start, end, None, floor, floor * 10 - 1, vague=True)


def _read_words(tokens: list[Token], i: int) -> tuple[int, Number | None]:
    total = 0
    current = 0
    j = i
    values: list[tuple[str, int]] = []
    while j < len(tokens):
        tok = tokens[j].text
        cls = _word_class(tok)
        if cls is None:
            break
        kind, value = cls
        if kind == "vague":
            # "الاف" after a number word is the multiplier, not a vague count
            if value == 1000 and j > i:
                kind = "multipliers"
            else:
                break
        if j > i and not tok.startswith("و") and kind != "multipliers" and not (kind == "units" and value == 10):
            break  # a new number starts without "و": "ثلاثه اربعه" is not one number
        values.append((kind, value))
        if kind == "multipliers":
            total += max(current, 1) * value
            current = 0
        elif kind == "units" and value == 10 and values[:-1] and values[-2][0] == "units":
            current += 10  # teens: "ثلاثه عشر"
            if values[-2][1] == 11:
                current -= 10  # "احد عشر": احد was counted as 11
        else:
            current += value
        j += 1
    if not values:
        return i + 1, None
    value = total + current
    start, end = tokens[i].start, tokens[j - 1].end
    # "خمسه وسته الاف" = five to six thousand: two consecutive units sharing a multiplier.
    if (
        len(values) == 3
        and values[0][0] == "units"
        and values[1][0] == "units"
        and values[2][0] == "multipliers"
        and values[0][1] < values[1][1] <= 10
    ):
        low, high = values[0][1] * values[2][1], values[1][1] * values[2][1]
        return j, Number(start, end, None, low, high)
    if value == 0:
        return i + 1, None
    return j, Number(start, end, value, value, value)
