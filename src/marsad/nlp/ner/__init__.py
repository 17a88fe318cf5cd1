"""Statistical Arabic NER (PERS, LOC, ORG, MISC): a BiLSTM-CRF shipped as numpy weights.

from marsad.nlp.ner import NerTagger, tokenize_for_ner
toks = [t for t, _, _ in tokenize_for_ner(text)]
spans = NerTagger.load().entities(toks)   # [(start, end_exclusive, "PERS"), ...]
"""

from marsad.nlp.ner.data import tokenize_for_ner
from marsad.nlp.ner.model import NerTagger

__all__ = ["NerTagger", "tokenize_for_ner"]
