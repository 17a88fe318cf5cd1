"""Match lists of Arabic words and phrases over normalized text, with clitics and suffixes.

Lexicon entries are written in plain Arabic; a trailing `*` lets the last word take any suffix
(اشتباك* → اشتباكات). Proclitics (و ف ب ل ك ال لل) are always allowed in front of the first
word. Written by hand over tokens rather than with pyahocorasick because matches must respect
word boundaries and clitic-stripped forms, which a character automaton does not know.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from marsad.text.normalize import normalize
from marsad.text.tokens import Token, lookup_forms

T = TypeVar("T")
_MIN_STEM = 3  # a `*` stem shorter than this would match too much
_SEEN_MAX = 100_000  # words whose entries a matcher keeps
# What `*` may stand for: plural, dual, verb and pronoun endings (ة is folded to ه, so "ه"
# also covers the feminine ending). Nisba endings (ي، يه) are left out on purpose: they turn
# nouns into other words (سلب "looting" → سلبية "negative").
SUFFIXES = frozenset(
    {
        *("ا", "ات", "ان", "ين", "ون", "وا", "ه", "ها", "هم", "هما", "هن", "ت", "تا", "تم", "تن", "نا"),
        *("اه", "اها", "اهم", "اته", "اتها", "اتهم", "اتنا", "ته", "تها", "تهم", "تين", "تان", "تي", "تنا"),
    }
)


@dataclass(frozen=True, slots=True)
class PhraseMatch(Generic[T]):
    start: int  # character offsets in the normalized text
    end: int
    first: int  # token indexes [first, last)
    last: int
    payload: T
    pattern: str


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    rest: tuple[str, ...]  # the words after the first
    prefix_last: bool  # last word is a stem (`*`)
    payload: T
    pattern: str


class PhraseMatcher(Generic[T]):
    """Find lexicon phrases in a token list; the longest match at each position wins.

    `group` sorts payloads into families that match independently (a word can be a death word
    and a statement cue at once); within a family matches do not overlap.
    """

    def __init__(self, entries: Iterable[tuple[str, T]], group: Callable[[T], Hashable] | None = None) -> None:
        self._exact: dict[str, list[_Entry[T]]] = defaultdict(list)
        self._stems: dict[str, list[_Entry[T]]] = defaultdict(list)
        self._group = group or (lambda _payload: None)
        self._seen: dict[str, list[_Entry[T]]] = {}
        for pattern, payload in entries:
            prefix = pattern.endswith("*")
            words = normalize(pattern.rstrip("*")).split()
            if not words:
                continue
            entry = _Entry(tuple(words[1:]), prefix, payload, pattern)
            if prefix and len(words) == 1:
                if len(words[0]) < _MIN_STEM:
                    raise ValueError(
                        f"lexicon pattern {pattern!r}: a stem with * needs {_MIN_STEM}+ letters; list the forms"
                    )
                self._stems[words[0]].append(entry)
                if words[0].endswith("ه"):  # ة before a suffix is written ت: مبايعة → مبايعته
                    self._stems[words[0][:-1] + "ت"].append(entry)
            else:
                self._exact[words[0]].append(entry)

    def _first_word_entries(self, word: str) -> list[_Entry[T]]:
        # Per matcher and word: most words of an article recur, and gathering a word's entries
        # from its clitic forms and stems was a quarter of the trigger tagger's time.
        found = self._seen.get(word)
        if found is not None:
            return found
        exact, stems = _keys(word)
        found = []
        for key in exact:
            found.extend(self._exact.get(key, ()))
        for key in stems:
            found.extend(self._stems.get(key, ()))
        if len(self._seen) >= _SEEN_MAX:
            self._seen.clear()  # bounded over a long run; rebuilt from the words that recur
        self._seen[word] = found
        return found

    def find(self, tokens: list[Token]) -> list[PhraseMatch[T]]:
        """All matches, left to right; per family non-overlapping, longest first at each token."""
        out: list[PhraseMatch[T]] = []
        free: dict[Hashable, int] = {}  # family → first token index not yet covered
        for i, tok in enumerate(tokens):
            entries = self._first_word_entries(tok.text)
            if not entries:
                continue
            best: dict[Hashable, tuple[int, _Entry[T]]] = {}
            for entry in entries:
                fam = self._group(entry.payload)
                if free.get(fam, 0) > i:
                    continue
                k = len(entry.rest)
                if k and not _rest_matches(entry, tokens, i + 1):
                    continue
                if fam not in best or k > best[fam][0]:
                    best[fam] = (k, entry)
            for fam, (k, entry) in best.items():
                out.append(PhraseMatch(tok.start, tokens[i + k].end, i, i + k + 1, entry.payload, entry.pattern))
                free[fam] = i + k + 1
        return out


@lru_cache(maxsize=262_144)
def _keys(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lookup keys of a word: its clitic-stripped forms, and the stems those forms may end in."""
    forms = lookup_forms(word)
    stems = tuple(form[: len(form) - len(suffix)] for form in forms for suffix in _suffixes_of(form))
    return tuple(forms), stems


def _suffixes_of(word: str) -> list[str]:
    """The empty suffix and every allowed suffix that `word` ends with (leaving a 3+ letter stem)."""
    out = [""]
    for k in range(1, 5):
        if len(word) - k >= _MIN_STEM and word[-k:] in SUFFIXES:
            out.append(word[-k:])
    return out


def _rest_matches(entry: _Entry[T], tokens: list[Token], j: int) -> bool:
    words = entry.rest
    if j + len(words) > len(tokens):
        return False
    for idx, word in enumerate(words):
        tok = tokens[j + idx].text
        last = idx == len(words) - 1
        if tok == word or (last and entry.prefix_last and tok.startswith(word) and tok[len(word) :] in SUFFIXES):
            continue
        # a proclitic on inner words: "الى" vs "والى" is rare; allow و/ب/ل on inner words
        if tok[:1] in "وبل" and tok[1:] == word:
            continue
        return False
    return True
