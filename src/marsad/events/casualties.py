"""Fatality and injury counts next to death and injury words, never strength estimates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from marsad.model import Doc, Mention
from marsad.resources import load_yaml
from marsad.text.normalize import normalize
from marsad.text.tokens import Token, token_index

_BEFORE = 4  # tokens between a death word and its count: "اسفر عن مقتل ما لا يقل عن 15"
_AFTER = 7  # tokens between a count and its death word: "خمسة افراد من قوات الامن المصرية قتلوا"
# Duals that are a count of two on their own ("مقتل جنديين").
_DUALS = frozenset(
    {
        "جنديين",
        "جنديان",
        "شخصين",
        "شخصان",
        "طفلين",
        "شرطيين",
        "عنصرين",
        "ضابطين",
    }
)


# "واحدا" after a conjoined noun is a count of one: "12 مدنيا وجنديا تشاديا واحدا قتلوا" is 13.
_ONE = frozenset({"واحدا", "واحد", "واحده"})
_VICTIM_CUES = ("civilians", "combatants", "victim_titles")
_JOIN_AFTER = 4  # tokens after a count (its noun and adjectives) where a joined victim may stand


@dataclass(frozen=True, slots=True)
class Casualties:
    fatalities: int | None
    injuries: int | None


def read_casualties(doc: Doc, start: int, end: int, singles: bool = True) -> Casualties:
    """Counts of killed and injured in normalized [start, end).

    Death and injury words are paired with counts, nearest pairs first and each word and count
    used once, so that in "اعتقل 180 متظاهرا كما اصيب 20" the 20 is the injured and the 180 is
    nobody's toll. A count after its word ("مقتل 15") wins a tie over one before ("15 قتيلا").
    With `singles`, one victim named by a singular noun is a toll of one ("قتل شرطي").
    """
    tokens = doc.tokens_in(start, end)
    if not tokens:
        return Casualties(None, None)
    starts = [t.start for t in tokens]
    cues = [m for m in doc.in_span(start, end, "cue") if m.value.kind in ("killed", "injured")]
    dates = doc.in_span(start, end, "date")
    numbers = [m for m in doc.in_span(start, end, "number") if m.value.count is not None and not _inside(m, dates)]
    numbers = [m for m in numbers if not _in_breakdown(doc, numbers, m)]
    num_pos = [(token_index(starts, m.start), token_index(starts, m.end - 1), m) for m in numbers]
    pairs: list[tuple[int, int, int, int]] = []  # (distance, tie, cue index, number index)
    for ci, c in enumerate(cues):
        c_first, c_last = token_index(starts, c.start), token_index(starts, c.end - 1)
        for ni, (n_first, n_last, _) in enumerate(num_pos):
            if n_first > c_last:
                gap, tie = n_first - c_last - 1, 0
                limit = _BEFORE
            else:
                gap, tie = c_first - n_last - 1, 1
                limit = _AFTER
                if _opens_clause(tokens[c_first]):
                    continue  # "مدفع هاون عيار (120) وقتل 2": a count before "وقتل" is the last clause's
            if gap < 0 or gap > limit or _number_between(num_pos, ni, min(c_first, n_first), max(c_last, n_last)):
                continue
            # the counted noun itself ("ثلاثة قتلى") binds tightest of all
            pairs.append((-1 if tie and gap == 0 else gap, tie, ci, ni))
    used_c: set[int] = set()
    used_n: set[int] = set()
    found: dict[str, tuple[int, int]] = {}  # kind → (cue position, count)
    for _gap, tie, ci, ni in sorted(pairs):
        if ci in used_c or ni in used_n:
            continue
        used_c.add(ci)
        used_n.add(ni)
        kind = cues[ci].value.kind
        count = num_pos[ni][2].value.count
        # victims joined to the count by و add to it: up to its death word when the count comes
        # first ("12 مدنيا وجنديا واحدا قتلوا"), over its noun phrase after it ("مقتل 5 جنود وشرطيين")
        after = num_pos[ni][1] + 1
        upto = token_index(starts, cues[ci].start) if tie else min(len(tokens), after + _JOIN_AFTER)
        count += _joined(doc, tokens, after, upto, counted_at=after)
        count += _single_before_joined(tokens, num_pos[ni][0])
        if kind not in found or cues[ci].start < found[kind][0]:
            found[kind] = (cues[ci].start, count)
    fatalities = found["killed"][1] if "killed" in found else None
    injuries = found["injured"][1] if "injured" in found else None
    if fatalities is None and any(t.text in _DUALS for t in tokens) and any(c.value.kind == "killed" for c in cues):
        fatalities = 2
    if singles and fatalities is None:
        fatalities = _one_victim(doc, tokens, starts, cues, "killed")
    if singles and injuries is None:
        injuries = _one_victim(doc, tokens, starts, cues, "injured")
    return Casualties(fatalities, injuries)


# "57 مدنيا بينهم 12 طفلا و6 نساء قتلوا": counts after these words break the count before down
_BREAKDOWN = frozenset({"بينهم", "بينهن", "منهم", "منهن", "بينها", "بينهما"})
_BREAKDOWN_REACH = 8  # tokens from the breakdown word to the last count it governs


def _in_breakdown(doc: Doc, numbers: list[Mention], m: Mention) -> bool:
    """Whether count `m` breaks down a count before it ("57 مدنيا بينهم 12 طفلا و6 نساء"), so it
    is no toll itself."""
    for before in numbers:
        if before.start >= m.start:
            break
        between = doc.tokens_in(before.end, m.start)
        if len(between) <= _BREAKDOWN_REACH and any(t.text in _BREAKDOWN for t in between[:3]):
            return True
    return False


@cache
def _singulars() -> frozenset[str]:
    """One victim's noun: the stem of each starred victim word of cues.yaml ("جندي*" -> جندي,
    جنديا), without clitics ("الجندي", "وجنديا" are read as جندي, جنديا)."""
    data = load_yaml("events/cues.yaml")
    stems = {normalize(w[:-1]) for kind in _VICTIM_CUES for w in data[kind] if w.endswith("*")}
    return frozenset(stems | {w + "ا" for w in stems})


def _single(tok: Token) -> bool:
    word = tok.text.removeprefix("و")
    return word in _singulars() or (word.startswith("ال") and word[2:] in _singulars())


_SOME_ONE = frozenset({"احد", "احدي"})  # "مقتل أحد العناصر": one of them


def _one_victim(doc: Doc, tokens: list[Token], starts: list[int], cues: list[Mention], kind: str) -> int | None:
    """A toll told with no count: one victim named by a singular noun next to the death word
    ("قتل شرطي", "جنديا تركيا قتل", "مقتل أحد العناصر"), plus those joined to it ("مقتل ضابط ومجند")."""
    for c in cues:
        if c.value.kind != kind:
            continue
        first, last = token_index(starts, c.start), token_index(starts, c.end - 1)
        nxt = last + 1
        if nxt < len(tokens) and (tokens[nxt].text in _SOME_ONE or _single(tokens[nxt])):
            return 1 + _joined(doc, tokens, nxt + 1, min(len(tokens), nxt + 1 + _JOIN_AFTER))
        # the victim before its death verb, maybe with an adjective between ("جنديا تركيا قتل"); not
        # before a noun ("الضابط القتيل" names again one already counted)
        word = tokens[first].text
        if word.startswith(("و", "ال")):
            continue
        if any(k >= 0 and _single(tokens[k]) and not _counted(tokens, k) for k in (first - 1, first - 2)):
            return 1
    return None


def _counted(tokens: list[Token], k: int) -> bool:
    """Whether tokens[k] is the noun of a count or joined to something before it ("12 طفلا",
    "وجنديا"): Arabic counts 11-99 take a singular noun, which is no victim of its own."""
    return tokens[k].text.startswith("و") or (k > 0 and tokens[k - 1].text[-1:].isdigit())


def _single_before_joined(tokens: list[Token], count_at: int) -> int:
    """1 when a count joined by و follows a singular victim: "جنديا من قواته وثمانية مقاولين"."""
    if not tokens[count_at].text.startswith("و"):
        return 0
    lo = max(0, count_at - _JOIN_AFTER)
    return int(any(_single(tokens[k]) and not _counted(tokens, k) for k in range(lo, count_at)))


@cache
def _waw_words() -> tuple[str, ...]:
    """Death and injury words of cues.yaml that start with و themselves ("وفاة")."""
    data = load_yaml("events/cues.yaml")
    words = (normalize(w.rstrip("*")) for kind in ("killed", "injured") for w in data[kind])
    return tuple(w for w in words if w.startswith("و"))


def _opens_clause(token: Token) -> bool:
    """Whether the death word's token starts with the conjunction و ("وقتل", "وجرح"): a new clause,
    so a count before it belongs to the clause before."""
    return token.text.startswith("و") and not token.text.startswith(_waw_words())


def _joined(doc: Doc, tokens: list[Token], lo: int, hi: int, counted_at: int | None = None) -> int:
    """Victims joined by و in tokens[lo:hi], each a count of its own: a noun with "واحدا" after it
    is one ("وجنديا تشاديا واحدا"), a dual is two ("وشرطيين")."""
    if lo >= hi:
        return 0
    victims = {
        m.start: m.value.kind
        for m in doc.in_span(tokens[lo].start, tokens[hi - 1].end, "cue")
        if m.value.kind in _VICTIM_CUES
    }
    # the noun counted at `counted_at`: after 11-99 it is singular ("17 جنديا"), and a singular of
    # its kind joined to it names the same people ("17 جنديا وضابطا": soldiers and officers, 17 in all)
    counted = None
    if counted_at is not None and counted_at < len(tokens) and not tokens[counted_at].text.startswith("و"):
        counted = victims.get(tokens[counted_at].start) if _single(tokens[counted_at]) else None
    extra = 0
    for k in range(lo, hi):
        tok = tokens[k]
        if not tok.text.startswith("و") or tok.start not in victims:
            continue
        if tok.text[1:] in _DUALS:
            extra += 2
        elif any(t.text in _ONE for t in tokens[k + 1 : k + 3]):
            extra += 1  # "وجنديا تشاديا واحدا"
        elif _single(tok) and victims[tok.start] != counted:
            extra += 1  # "مقتل 5 جنود وشرطي", "21 سائحا أجنبيا وشرطيا"
    return extra


def _number_between(num_pos: list[tuple[int, int, Mention]], ni: int, lo: int, hi: int) -> bool:
    return any(k != ni and lo < first and last < hi for k, (first, last, _) in enumerate(num_pos))


def _inside(m: Mention, spans: list[Mention]) -> bool:
    return any(s.start <= m.start and m.end <= s.end for s in spans)
