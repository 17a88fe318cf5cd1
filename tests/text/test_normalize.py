"""Normalization on real news text: letters fold, offsets map back to the raw article."""

from marsad.text.normalize import normalize, normalize_text


def test_folds_hamza_alef_maqsura_ta_marbuta_and_diacritics() -> None:
    # From a seed article: harakat, hamza forms and ta marbuta in one phrase.
    raw = "قد يتوجّهون إلى تونس ومصر، خلال الفترة المقبلة"
    assert normalize(raw) == "قد يتوجهون الي تونس ومصر, خلال الفتره المقبله"


def test_tatweel_digits_and_quotes() -> None:
    # "السنوات الـ7" with tatweel, Arabic-Indic digits, and typographic quotes from real pages.
    assert normalize("خلال السنوات الـ٧ الماضية") == "خلال السنوات ال7 الماضيه"
    assert normalize("فشل “تنظيم الدولة” خلال ٦ سنوات") == 'فشل "تنظيم الدوله" خلال 6 سنوات'
    assert normalize("تقريرا وُصف بـ«السري»") == 'تقريرا وصف ب"السري"'
    assert normalize("۱۲ مسلحا") == "12 مسلحا"  # Persian digits


def test_arabic_punctuation() -> None:
    assert normalize("هل انتهى داعش؟ لا؛ ليس بعد") == "هل انتهي داعش? لا; ليس بعد"


def test_offsets_map_back_to_raw_text() -> None:
    raw = "وأكد الرئيس الأمريكي “دونالد ترامب” مساء الأحد الموافق لــ27-10-2019"
    nt = normalize_text(raw)
    start = nt.text.index("دونالد ترامب")
    assert nt.raw_slice(start, start + len("دونالد ترامب")) == "دونالد ترامب"
    start = nt.text.index("27-10-2019")
    a, b = nt.raw_span(start, start + 10)
    assert raw[a:b] == "27-10-2019"
    assert len(nt.offsets) == len(nt.text) + 1


def test_offsets_survive_deleted_diacritics() -> None:
    raw = "أنّ الإرهابيين قد يتوجّهون"
    nt = normalize_text(raw)
    i = nt.text.index("يتوجهون")
    assert nt.raw_slice(i, i + len("يتوجهون")) == "يتوجّهون"


def test_lam_alef_ligature_expands() -> None:
    assert normalize("\ufefbجئين") == "لاجيين"


def test_raw_offsets_map_to_normalized_offsets() -> None:
    raw = "أنّ الإرهابيين قد يتوجّهون"
    nt = normalize_text(raw)
    a = raw.index("يتوجّهون")
    i = nt.norm_pos(a)
    assert nt.text[i:].startswith("يتوجهون")
    assert nt.norm_pos(len(raw)) == len(nt.text)


def test_characters_without_decomposition_in_presentation_ranges() -> None:
    # SaudiNewsNet snn-2015-07-21-1174 quotes the Quran between ornate parentheses (U+FD3E/U+FD3F).
    assert normalize("\ufd3eوَلَا تَقْتُلُوا\ufd3f") == "\ufd3eولا تقتلوا\ufd3f"
