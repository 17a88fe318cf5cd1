"""The lexicon phrase matcher: clitics in front, only real suffixes behind, longest match."""

from marsad.text.normalize import normalize
from marsad.text.phrases import PhraseMatcher
from marsad.text.tokens import tokenize


def _find(patterns: list[tuple[str, str]], text: str) -> list[tuple[str, str]]:
    norm = normalize(text)
    return [(m.payload, norm[m.start : m.end]) for m in PhraseMatcher(patterns).find(tokenize(norm))]


def test_proclitics_and_suffixes() -> None:
    # SaudiNewsNet snn-2015-07-21-0053
    text = "وفي غضون ذلك شن طيران التحالف العربي ظهر أمس عدة غارات جوية استهدفت مواقع"
    assert _find([("غارات*", "air"), ("استهدف*", "target")], text) == [("air", "غارات"), ("target", "استهدفت")]
    assert _find([("اشتباك*", "clash")], "عقب اشتباكات استمرت لساعات") == [("clash", "اشتباكات")]
    assert _find([("اشتباك*", "clash")], "وبالاشتباكات") == [("clash", "وبالاشتباكات")]


def test_longest_phrase_wins() -> None:
    pats = [("غارة", "a"), ("غارة جوية", "b")]
    assert _find(pats, "جراء غارة جوية جنوب غرب البلاد") == [("b", "غاره جويه")]


def test_star_does_not_take_any_ending() -> None:
    # سلب "looting" must not match سلبية "negative"; الغام "mines" must not match الغامدي (a surname).
    assert _find([("سلب*", "loot")], "آثار سلبية على الاقتصاد") == []
    assert _find([("الغام*", "mine")], "قال محمد الغامدي") == []
    assert _find([("الغام*", "mine")], "انفجار الغامهم") == [("mine", "الغامهم")]


def test_short_stems_are_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="3\\+ letters"):
        PhraseMatcher([("فض*", "x")])


def test_ta_marbuta_before_a_suffix() -> None:
    # SaudiNewsNet snn-2015-07-27-1199: "بعد مبايعته تنظيم داعش"
    assert _find([("مبايعة*", "pledge")], "بعد مبايعته تنظيم داعش") == [("pledge", "مبايعته")]
