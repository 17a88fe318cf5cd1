"""Arabic text layer: normalization with offsets, sentences, tokens, numbers."""

from marsad.text.normalize import NormText, normalize, normalize_text
from marsad.text.sentences import split_sentences
from marsad.text.tokens import Token, lookup_forms, tokenize

__all__ = ["NormText", "Token", "lookup_forms", "normalize", "normalize_text", "split_sentences", "tokenize"]
