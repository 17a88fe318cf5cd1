"""Property-based fuzzing of the text layer and the extractor: no crash, offsets stay consistent."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.jsonl import Rejected, read_articles
from marsad.model import Article
from marsad.pipeline import Pipeline
from marsad.text.normalize import normalize_text
from marsad.text.numbers import read_numbers
from marsad.text.sentences import split_sentences
from marsad.text.tokens import lookup_forms, tokenize

# Arabic letters, diacritics, presentation forms, digits of three scripts, punctuation, spaces,
# and anything else Unicode has: real pages mix them all.
_ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
_FORMS = st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF)
_ANY = st.characters(blacklist_categories=("Cs",))
TEXT = st.text(
    st.one_of(_ARABIC, _ARABIC, _FORMS, st.sampled_from(" .,،؛؟!\n\t«»“”0123456789٠١٢٣"), _ANY), max_size=300
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(TEXT)
def test_normalize_offsets_point_into_the_raw_text(raw: str) -> None:
    nt = normalize_text(raw)
    assert len(nt.offsets) == len(nt.text) + 1
    assert all(0 <= o <= len(raw) for o in nt.offsets)
    assert list(nt.offsets) == sorted(nt.offsets)
    for i in range(len(nt.text)):
        a, b = nt.raw_span(i, i + 1)
        assert 0 <= a < b <= len(raw)
    for k in range(len(raw) + 1):
        assert 0 <= nt.norm_pos(k) <= len(nt.text)


@FAST
@given(TEXT)
def test_sentences_tokens_and_numbers_stay_inside_the_text(raw: str) -> None:
    text = normalize_text(raw).text
    for s, e in split_sentences(text):
        assert 0 <= s < e <= len(text)
    for tok in tokenize(text):
        assert text[tok.start : tok.end] == tok.text
        assert lookup_forms(tok.text)[0] == tok.text
    for n in read_numbers(text):
        assert 0 <= n.start < n.end <= len(text)
        assert n.low <= n.high


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.one_of(st.none(), st.dates().map(str)))
def test_the_pipeline_never_crashes_and_evidence_is_in_the_text(raw: str, published: str | None) -> None:
    if not raw.strip():
        return
    doc = Pipeline.default()(Article(id="f", text=raw, published=published))
    out = doc.output()
    for item in [*out.events, *out.statements]:
        assert item.evidence and item.evidence in doc.raw


@FAST
@given(st.lists(st.one_of(st.binary(max_size=80), st.text(max_size=80).map(str.encode)), max_size=8))
def test_jsonl_reader_rejects_each_bad_line_and_keeps_reading(lines: list[bytes]) -> None:
    path = Path(tempfile.mkdtemp(prefix="marsad-fuzz-")) / "in.jsonl"
    good = json.dumps({"id": "ok", "text": "نص"}).encode()
    path.write_bytes(b"\n".join([*(line.replace(b"\n", b" ") for line in lines), good]) + b"\n")
    items = list(read_articles(str(path)))
    assert any(isinstance(x, Article) and x.id == "ok" for x in items) or any(
        isinstance(x, Rejected) and "duplicate id" in x.reason for x in items
    )
    for x in items:
        if isinstance(x, Rejected):
            assert x.line >= 1 and x.reason
