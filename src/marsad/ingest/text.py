"""Plain text files in any encoding, and the Arabic-language check."""

from __future__ import annotations

import codecs
import re
from collections import Counter

from charset_normalizer import from_bytes

from marsad.ingest.items import Candidate, Rejected

# The encodings Arabic text comes in besides UTF-8, tried when the general detection is unsure.
ARABIC_ENCODINGS = ("cp1256", "iso8859_6", "utf_16", "cp720", "mac_arabic")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodeError(ValueError):
    pass


def _arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f") / len(letters)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    A BOM decides first, then strict UTF-8 (most files, and the fast path); otherwise
    charset-normalizer chooses, and when its choice does not read as Arabic the Arabic code pages
    are tried in turn (short Windows-1256 texts are easily mistaken for other single-byte pages).
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise DecodeError(f"starts with a {enc} byte-order mark but is not {enc}: {exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and _arabic_share(str(best)) >= 0.5:
        return str(best), best.encoding
    arabic = from_bytes(data, cp_isolation=list(ARABIC_ENCODINGS)).best()
    if arabic is not None and _arabic_share(str(arabic)) >= 0.5:
        return str(arabic), arabic.encoding
    if best is not None:
        return str(best), best.encoding
    raise DecodeError("cannot tell the text encoding: save the file as UTF-8")


_PERSIAN_URDU = set("پچژگکیےۓٹڈڑںھۀ")  # letters Arabic does not use (Persian, Urdu)
_HEADLINE_END = re.compile(r"[.!؟?…:]\s*$")


_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f]")
_FOREIGN = re.compile("[" + "".join(sorted(_PERSIAN_URDU)) + "]")
SAMPLE_CHARS = 2000  # the language of a news article shows in its first two thousand characters


_CLASSES: dict[str, tuple[bool, bool, bool]] = {}  # char -> (letter, Arabic letter, Persian/Urdu letter)


def _letter_counts(sample: str) -> tuple[int, int, int]:
    """Letters, Arabic-script letters and Persian/Urdu letters in a sample.

    Counted per distinct character (a news sample has ~60 of its 2000): half the time of three
    `findall`s, which made a string of each of the letters matched.
    """
    letters = arabic = foreign = 0
    for c, n in Counter(sample).items():
        cls = _CLASSES.get(c)
        if cls is None:
            if len(_CLASSES) > 100_000:  # bounded: a stream of rare characters cannot grow it forever
                _CLASSES.clear()
            cls = _CLASSES[c] = (bool(_LETTER.match(c)), bool(_ARABIC_LETTER.match(c)), bool(_FOREIGN.match(c)))
        letters += n * cls[0]
        arabic += n * cls[1]
        foreign += n * cls[2]
    return letters, arabic, foreign


def language_problem(text: str, declared: str | None = None) -> str | None:
    """Why a text is not Arabic (to record it as skipped), or None when it is Arabic.

    The script decides: at least half the letters must be Arabic-script, and Persian/Urdu
    letters must stay rare. A declared language (html lang) only breaks ties in Arabic script.
    """
    letters, arabic, foreign_letters = _letter_counts(text[:SAMPLE_CHARS])
    if letters < 20:
        return "too little text to tell the language"
    share = arabic / letters
    if share < 0.5:
        return f"not Arabic: {share:.0%} of the letters are Arabic script"
    foreign = foreign_letters / arabic
    if foreign > 0.02:
        return f"not Arabic: Arabic script with {foreign:.1%} Persian/Urdu letters"
    lang = (declared or "").lower().split("-")[0].split("_")[0]
    if lang in {"fa", "ur", "ps", "ku", "ckb", "sd", "ug"} and foreign > 0.005:
        return f"not Arabic: the page declares language {declared!r}"
    return None


def first_line_title(text: str) -> str | None:
    """The first line when it reads like a headline (short, no sentence end), else None."""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line.split()) <= 25 and not _HEADLINE_END.search(line):
            return line
        return None
    return None


def read_text(data: bytes, origin: str) -> Candidate | Rejected:
    """A plain text file: the whole text is the article (its title is found after cleaning)."""
    from marsad.jsonl import MAX_TEXT_CHARS, too_long

    # Refused before decoding, which would cost several times the file in memory.
    if len(data) > 4 * MAX_TEXT_CHARS:  # no encoding takes more than 4 bytes a character
        return Rejected(
            origin,
            f"a text file of {len(data):,} bytes is over the limit for one article "
            f"({MAX_TEXT_CHARS:,} characters): split it into articles",
        )
    try:
        text, _enc = decode(data)
    except DecodeError as exc:
        return Rejected(origin, str(exc))
    if reason := too_long("text", len(text), MAX_TEXT_CHARS):
        return Rejected(origin, reason)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Rejected(origin, "empty file")
    return Candidate(origin=origin, text=text, raw=text, kind="text")  # title: from the cleaned text
