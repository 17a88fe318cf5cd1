"""Tokens and clitic-stripped lookup forms on real news words."""

from marsad.text.normalize import normalize
from marsad.text.tokens import lookup_forms, tokenize


def test_tokenize_keeps_offsets() -> None:
    text = normalize("قتل 19 عنصرا في غارتين جويتين بمحيط مرزق")
    toks = tokenize(text)
    assert [t.text for t in toks] == ["قتل", "19", "عنصرا", "في", "غارتين", "جويتين", "بمحيط", "مرزق"]
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_lookup_forms_strip_proclitics() -> None:
    assert lookup_forms(normalize("وبالقوات")) == ["وبالقوات", "بالقوات", "القوات", "قوات"]
    assert lookup_forms(normalize("للجيش")) == ["للجيش", "الجيش", "جيش"]
    # "والميليشيات" (seed 000): conjunction + article
    assert "ميليشيات" in lookup_forms(normalize("والميليشيات"))
    # "بسرت" → "سرت"; "فداعش" → "داعش"
    assert "سرت" in lookup_forms("بسرت")
    assert "داعش" in lookup_forms("فداعش")


def test_short_words_are_not_cut() -> None:
    # "ولد" must not become "لد"; "بل" stays.
    assert lookup_forms("ولد") == ["ولد"]
    assert lookup_forms("بل") == ["بل"]
