"""The shipped NER model: loads from the package without torch, tags news sentences, scores files."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from marsad.nlp.ner import NerTagger, tokenize_for_ner
from marsad.nlp.ner.build_orgs import OUT as ORG_NAMES
from marsad.nlp.ner.build_orgs import aliases, build, load_org_names
from marsad.nlp.ner.crf import (
    CrfModel,
    CrfResources,
    decode_marginals,
    forward_backward_batch,
    own_attrs,
    sentence_attrs,
)
from marsad.nlp.ner.data import iter_chunks, normalize, read_conll
from marsad.nlp.ner.evaluate import eval_ner, score
from marsad.nlp.ner.features import (
    FREQ_COLS,
    GAZ_TYPES,
    LEX_COLS,
    TAGS,
    Featurizer,
    build_gazetteer,
    pack_freq,
    stem_key,
    unpack_freq,
)
from marsad.nlp.ner.model import DEFAULT_PATH
from marsad.nlp.ner.train import MentionReplacer
from marsad.nlp.ner.train_crf import _merge_domain, cue_words


@pytest.fixture(scope="module")
def tagger() -> NerTagger:
    return NerTagger.load()


def _spans(tagger: NerTagger, text: str) -> dict[str, str]:
    toks = [t for t, _, _ in tokenize_for_ner(text)]
    return {" ".join(toks[s:e]): typ for s, e, typ in tagger.entities(toks)}


def test_model_ships_in_package_and_loads_once() -> None:
    assert DEFAULT_PATH.is_file()
    assert DEFAULT_PATH.stat().st_size < 30 * 2**20
    assert NerTagger.load() is NerTagger.load()


def test_tagging_does_not_import_torch() -> None:
    # a fresh interpreter: other tests in this session may have imported torch themselves
    code = (
        "import sys; from marsad.nlp.ner import NerTagger; NerTagger.load().tag(['زار', 'بغداد']); "
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_person_after_title(tagger: NerTagger) -> None:
    spans = _spans(tagger, "قال المتحدث باسم الجيش الليبي أحمد المسماري إن القوات سيطرت على مدينة سرت .")
    assert spans.get("أحمد المسماري") == "PERS"
    assert spans.get("سرت") == "LOC"


def test_minister_and_capital(tagger: NerTagger) -> None:
    spans = _spans(tagger, "وصل وزير الخارجية المصري سامح شكري إلى بيروت أمس في زيارة رسمية تستغرق يومين .")
    assert spans.get("سامح شكري") == "PERS"
    assert spans.get("بيروت") == "LOC"


def test_organisation_and_region(tagger: NerTagger) -> None:
    spans = _spans(tagger, "أدانت الأمم المتحدة الهجوم الذي استهدف مخيما للنازحين في إقليم دارفور غرب السودان .")
    assert spans.get("الأمم المتحدة") == "ORG"
    assert spans.get("السودان") == "LOC"


def test_tags_are_bio_and_aligned(tagger: NerTagger) -> None:
    toks = [t for t, _, _ in tokenize_for_ner("أعلن الرئيس الفرنسي إيمانويل ماكرون من باريس أن فرنسا سترسل مساعدات .")]
    tags = tagger.tag(toks)
    assert len(tags) == len(toks)
    assert set(tags) <= set(tagger.tags)
    assert tagger.tag([]) == []
    # batched and one-by-one tagging agree
    assert tagger.tag_many([toks, toks[:3]]) == [tags, tagger.tag(toks[:3])]


def test_tokenize_for_ner_splits_punctuation_with_offsets() -> None:
    text = "قتل 3 أشخاص، وأصيب 12.5% (في حلب)."
    toks = tokenize_for_ner(text)
    assert [t for t, _, _ in toks] == ["قتل", "3", "أشخاص", "،", "وأصيب", "12.5%", "(", "في", "حلب", ")", "."]
    assert all(text[s:e] == t for t, s, e in toks)


def test_chunks_follow_conlleval() -> None:
    tags = ["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG", "B-MISC"]
    assert list(iter_chunks(tags)) == [
        (0, 2, "PERS"),
        (3, 5, "LOC"),
        (5, 6, "LOC"),
        (6, 7, "ORG"),
        (7, 8, "MISC"),
    ]


class _Fixed:
    """A stand-in tagger that returns fixed predictions, so the expected scores are known."""

    def __init__(self, pred: list[list[str]]) -> None:
        self.pred = pred

    def tag_many(self, sentences):
        return self.pred


def test_eval_ner_hand_computed(tmp_path: Path) -> None:
    conll = tmp_path / "tiny.conll"
    conll.write_text(
        "قال\tO\nالرئيس\tO\nمحمد\tB-PERS\nعلي\tI-PERS\nفي\tO\nتونس\tB-LOC\n\n"
        "زار\tO\nوفد\tO\nالأمم\tB-ORG\nالمتحدة\tI-ORG\nبغداد\tB-LOC\n",
        encoding="utf-8",
    )
    # gold: PERS(2-4), LOC(5), ORG(2-4), LOC(4) = 4 chunks
    # guess: PERS(2-3) wrong boundary, LOC(5) right, ORG(2-4) right, LOC(4) as MISC wrong = 4 chunks
    pred = [
        ["O", "O", "B-PERS", "O", "O", "B-LOC"],
        ["O", "O", "B-ORG", "I-ORG", "B-MISC"],
    ]
    res = eval_ner(conll, _Fixed(pred))
    assert res["precision"] == pytest.approx(2 / 4)
    assert res["recall"] == pytest.approx(2 / 4)
    assert res["f1"] == pytest.approx(0.5)
    assert res["per_type"]["LOC"]["precision"] == pytest.approx(1.0)
    assert res["per_type"]["LOC"]["recall"] == pytest.approx(0.5)
    assert res["per_type"]["LOC"]["f1"] == pytest.approx(2 / 3)
    assert res["per_type"]["PERS"]["f1"] == 0.0
    assert res["per_type"]["MISC"]["precision"] == 0.0
    assert res["tokens"] == 11 and res["tokens_per_s"] > 0


def test_stray_inside_tag_counts_as_a_chunk() -> None:
    # conlleval: I-LOC after O opens a chunk, so the guess B-LOC over the same token matches it
    res = score([["O", "I-LOC", "O"]], [["O", "B-LOC", "O"]])
    assert res["f1"] == 1.0


def test_eval_ner_with_the_real_model(tmp_path: Path, tagger: NerTagger) -> None:
    conll = tmp_path / "one.conll"
    conll.write_text("زار\tO\nالوزير\tO\nدمشق\tB-LOC\n.\tO\n", encoding="utf-8")
    res = eval_ner(conll)
    assert set(res) >= {"f1", "precision", "recall", "per_type", "tokens_per_s"}
    assert read_conll(conll)[0][0] == ["زار", "الوزير", "دمشق", "."]


def test_crf_ships_and_joins_the_ensemble(tagger: NerTagger) -> None:
    assert tagger.crf is not None, "resources/ner/crf.npz should ship beside model.npz"
    assert 0.0 < tagger.crf_weight < 1.0
    assert (DEFAULT_PATH.stat().st_size + DEFAULT_PATH.with_name("crf.npz").stat().st_size) < 30 * 2**20


def test_crf_cached_emissions_equal_the_sum_of_its_attribute_weights(tagger: NerTagger) -> None:
    # inference sums cached per-(token, role) vectors; training saw the attribute strings
    crf = tagger.crf
    toks = [
        t for t, _, _ in tokenize_for_ner("وقال وزير الخارجية الأمريكي جون كيري في واشنطن إن الاتفاق مع إيران ممكن .")
    ]
    fast = crf.emissions(toks)
    slow = np.stack([crf._sum(attrs) for attrs in sentence_attrs(toks, crf.res)])
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-4)
    assert crf.emissions(toks[:1]).shape == (1, len(tagger.tags))


def test_marginals_are_distributions_and_decoding_is_valid_bio(tagger: NerTagger) -> None:
    toks = [t for t, _, _ in tokenize_for_ner("استقبل الملك عبد الله الثاني في عمان رئيس الوزراء العراقي .")]
    for p in (tagger.marginals([toks])[0], tagger.crf.marginals(toks)):
        assert p.shape == (len(toks), len(tagger.tags))
        np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    # probabilities that favour an I- tag first: the decoder must still open with B- or O
    p = np.full((2, len(TAGS)), 0.01)
    p[:, TAGS.index("I-LOC")] = 0.9
    path = [TAGS[k] for k in decode_marginals(p)]
    assert path[0] != "I-LOC" and list(iter_chunks(path))


def test_person_names_list_is_a_crf_feature(tagger: NerTagger) -> None:
    # an unseen foreign name is in the shipped name list: the CRF sees the NM attribute
    assert "NM" in own_attrs("ناكامورا", tagger.crf.res)
    assert "NM" not in own_attrs("الاتفاق", tagger.crf.res)


def test_forward_backward_matches_brute_force_enumeration() -> None:
    rng = np.random.default_rng(0)
    k = 3
    for n in (1, 2, 4):
        em, tr = rng.normal(size=(n, k)) * 3, rng.normal(size=(k, k)) * 3
        start, end = rng.normal(size=k), rng.normal(size=k)
        expect, total = np.zeros((n, k)), 0.0
        for path in itertools.product(range(k), repeat=n):
            s = start[path[0]] + end[path[-1]] + sum(em[i, t] for i, t in enumerate(path))
            w = np.exp(s + sum(tr[a, b] for a, b in itertools.pairwise(path)))
            total += w
            for i, t in enumerate(path):
                expect[i, t] += w
        # in a padded batch next to a longer sentence
        batch = np.zeros((2, n + 2, k))
        batch[0, :n] = em
        batch[1] = rng.normal(size=(n + 2, k))
        got = forward_backward_batch(batch, np.array([n, n + 2]), tr, start, end)
        np.testing.assert_allclose(got[0, :n], expect / total, atol=1e-9)


def test_crf_role_table_handles_tokens_without_known_attributes(tagger: NerTagger) -> None:
    # types whose roles have no weighted attribute (empty segments), also as the last type
    crf = tagger.crf
    toks = ["بغداد", "ققققققققق", "،", "ظظظظظظظظظ"]
    crf.clear_cache()
    fast = crf.emissions(toks)
    slow = np.stack([crf._sum(attrs) for attrs in sentence_attrs(toks, crf.res)])
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-4)


# Zipf frequencies x 10 as the trainer reads them from wordfreq's Arabic list (normalised keys):
# an ordinary noun is as frequent with the article as without; a foreign surname is rarely
# written with it; a company name is rare.
_FREQ = {"شركه": 56, "الشركه": 53, "المانيه": 39, "الالمانيه": 45, "ساركوزي": 35, "الساركوزي": 2, "قال": 59}


def test_frequency_attributes_tell_names_from_ordinary_words() -> None:
    res = CrfResources(freq=_FREQ)
    assert {"fq=5", "fs=5", "fa=0"} <= set(own_attrs("الشركة", res))
    assert {"fq=3", "fa=-3"} <= set(own_attrs("ساركوزي", res))
    assert {"fq=4", "fa=1"} <= set(own_attrs("الألمانية", res))
    assert "fq=0" in own_attrs("فولكسفاغن", res)  # not in the table: not a known word
    # without a table there are no frequency attributes at all (models trained without them)
    assert not any(a.startswith("fq=") for a in own_attrs("الشركة", CrfResources()))


def test_cue_words_mark_the_name_that_follows() -> None:
    cues = cue_words()
    assert cues[stem_key("وزارة")] == "ORG" and cues[stem_key("مدينة")] == "LOC"
    toks = [t for t, _, _ in tokenize_for_ner("وقال مدرب نادي الغرافة القطري إن فريقه جاهز للمباراة .")]
    attrs = sentence_attrs(toks, CrfResources(cues=cues))
    club = toks.index("الغرافة")
    assert "-1cue=ORG" in attrs[club] and "cue=ORG" in attrs[club - 1]
    assert "-2cue=PERS" in attrs[club]  # مدرب two words back


def test_cue_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "cues.tsv"
    bad.write_text("# comment\nوزارة\tORG\nمدينة\tPLACE\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cues.tsv:3: type 'PLACE'"):
        cue_words(bad)


def test_crf_with_frequencies_and_cues_saves_loads_and_scores_alike(tmp_path: Path) -> None:
    # every attribute of a real sentence gets a random weight; the cached per-type emissions must
    # equal the attribute sums, also after a save/load round trip of the tables
    res = CrfResources(names=["كيري"], freq=_FREQ, cues=cue_words())
    toks = [t for t, _, _ in tokenize_for_ner("وقالت الشركة إن وزير الخارجية جون كيري زار مدينة الرقة .")]
    attrs = sorted({a for f in sentence_attrs(toks, res) for a in f})
    rng = np.random.default_rng(1)
    w = rng.normal(size=(len(attrs), len(TAGS))).astype(np.float16).astype(np.float32)
    model = CrfModel(attrs, w, rng.normal(size=(len(TAGS), len(TAGS))), res)
    model.save(tmp_path / "crf.npz", {"ensemble_weight": 0.5})
    loaded, meta = CrfModel.load(tmp_path / "crf.npz")
    assert loaded.res.freq == _FREQ and loaded.res.cues == res.cues and meta["ensemble_weight"] == 0.5
    slow = np.stack([model._sum(a) for a in sentence_attrs(toks, res)])
    for m in (model, loaded):
        np.testing.assert_allclose(m.emissions(toks), slow, rtol=1e-5, atol=1e-4)


def test_frequency_table_packs_into_arrays_and_back() -> None:
    words, vals = pack_freq(_FREQ)
    assert words.dtype == np.uint8 and len(vals) == len(_FREQ)
    assert unpack_freq(words, vals) == _FREQ
    assert unpack_freq(*pack_freq({})) == {}


def test_bilstm_frequency_columns() -> None:
    feat = Featurizer(["<pad>", "<unk>"], ["<pad>", "<unk>"], ["<pad>", "<unk>"], ["<pad>", "<unk>"], freq=_FREQ)
    lex = feat.lex_features(["الشركة", "ساركوزي", "فولكسفاغن"])
    assert lex.shape == (3, 2 * LEX_COLS + FREQ_COLS)
    company, surname, unknown = lex[:, -FREQ_COLS:]
    assert company[0] > surname[0] > unknown[0] == 0.0  # how common the word is
    # the article: as common with the noun as without it, rare with the name
    assert company[2] == pytest.approx(-0.1) and surname[2] == pytest.approx(-1.0)


def test_domain_merge_keeps_shared_plus_anercorp_weights() -> None:
    attrs = ["w=x", "A:w=x", "W:w=x", "W:w=y", "A:w=z"]
    w = np.arange(len(attrs) * len(TAGS), dtype=np.float32).reshape(len(attrs), len(TAGS)) / 8
    merged = _merge_domain(CrfModel(attrs, w, np.zeros((len(TAGS), len(TAGS))), CrfResources()))
    assert sorted(merged.index) == ["w=x", "w=z"]
    np.testing.assert_allclose(merged.weights[merged.index["w=x"]], w[0] + w[1], atol=1e-2)
    np.testing.assert_allclose(merged.weights[merged.index["w=z"]], w[4], atol=1e-2)


def test_mention_swapping_keeps_tags_aligned_and_context_intact() -> None:
    # the shipped BiLSTM trains with names swapped (make train-ner: --augment 0.5)
    toks = ["وقال", "الرئيس", "العراقي", "جلال", "طالباني", "في", "بغداد", "إن", "حكومة", "المالكي", "ستبقى"]
    tags = ["O", "O", "O", "B-PERS", "I-PERS", "O", "B-LOC", "O", "O", "B-PERS", "O"]
    pool = [
        (["زار", "وفد", "من", "الأمم", "المتحدة", "مدينة", "الموصل"], ["O", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC"]),
        (["والتقى", "نوري", "المالكي", "في", "أربيل"], ["O", "B-PERS", "I-PERS", "O", "B-LOC"]),
    ]
    swap = MentionReplacer([(toks, tags), *pool], [("وادي السلام", "LOC")], p_sent=1.0, p_mention=1.0)
    rng = random.Random(3)
    changed = 0
    for _ in range(20):
        new_toks, new_tags = swap(toks, tags, rng)
        assert len(new_toks) == len(new_tags)
        chunks = list(iter_chunks(new_tags))
        assert [t for _, _, t in chunks] == ["PERS", "LOC", "PERS"]  # same types, same order
        assert all(new_tags[s].startswith("B-") for s, _, _ in chunks)
        assert new_toks[:3] == toks[:3] and new_toks[-1] == "ستبقى"  # the context is untouched
        changed += new_toks != toks
    assert changed > 10
    # a sentence without names is left alone
    assert swap(["قال", "المتحدث"], ["O", "O"], rng) is None


def test_org_list_loads_with_clubs_federations_and_competitions() -> None:
    rows = load_org_names()
    assert ORG_NAMES.stat().st_size < 1_000_000
    names = {(n, t) for n, t, _ in rows}
    assert len(rows) > 4000 and {t for _, t, _ in rows} == {"ORG", "MISC"}
    # a club is listed as written in full and as news text names it
    assert {("نادي الزمالك", "ORG"), ("الزمالك", "ORG"), ("دينامو كييف", "ORG")} <= names
    assert ("اتحاد أفريقي", "ORG") in names  # UniversalPetrarch actor, lemmatised
    assert ("كأس العالم", "MISC") in names
    # rows are deduplicated by normalised spelling and type
    keys = [(normalize(n), t) for n, t, _ in rows]
    assert len(keys) == len(set(keys))


def test_org_builder_aliases_and_filters() -> None:
    assert aliases("نادي دينامو كييف لكرة القدم") == ["نادي دينامو كييف لكرة القدم", "دينامو كييف"]
    assert aliases("حزب الله") == ["حزب الله"]  # only club cues are dropped
    rows = build(
        [
            ("نادي الوداد الرياضي", "ORG", "t"),
            ("نادي", "ORG", "t"),  # a bare head word is no name
            ("الإتحاد الأوروبي لكرة القدم", "ORG", "t"),
            ("الاتحاد الاوروبي لكرة القدم", "ORG", "u"),  # same name, other spelling
        ]
    )
    assert [r[0] for r in rows] == [
        "الإتحاد الأوروبي",
        "الإتحاد الأوروبي لكرة القدم",
        "الوداد الرياضي",
        "نادي الوداد الرياضي",
    ]  # sorted by normalised spelling


def test_org_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "orgs.tsv"
    bad.write_text("# comment\nالزمالك\tORG\tx\nالأهلي\tCLUB\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"orgs.tsv:3: expected name<TAB>ORG\|MISC<TAB>source"):
        load_org_names(bad)


def test_org_names_join_both_gazetteers() -> None:
    names = [("الزمالك", "ORG"), ("كأس العالم", "MISC"), ("القاهرة", "LOC")]
    toks = [t for t, _, _ in tokenize_for_ner("وفاز الزمالك على ضيفه في كأس العالم للأندية بالقاهرة .")]
    # the feature CRF: span matches on stems, whatever the clitics
    attrs = sentence_attrs(toks, CrfResources(gazetteer=CrfResources.build_gazetteer(names)))
    assert "gBORG1" in attrs[toks.index("وفاز") + 1]
    assert {"gBMISC2", "+1gIMISC2"} <= set(attrs[toks.index("كأس")])
    assert "gBLOC1" in attrs[toks.index("بالقاهرة")]
    # the BiLSTM: 3 columns per gazetteer type, here LOC, PERS, ORG, MISC
    gaz = build_gazetteer(names, types=(*GAZ_TYPES, "ORG", "MISC"))
    feat = Featurizer(["<pad>", "<unk>"], ["<pad>", "<unk>"], ["<pad>", "<unk>"], ["<pad>", "<unk>"], gazetteer=gaz)
    lex = feat.lex_features(toks)
    assert lex.shape == (len(toks), 2 * LEX_COLS + 12)
    g = lex[:, 2 * LEX_COLS :]
    assert g[toks.index("الزمالك")].tolist() == [0] * 6 + [1, 0, 0] + [0] * 3
    assert g[toks.index("كأس")].tolist() == [0] * 9 + [0, 1, 0]
    assert g[toks.index("العالم")].tolist() == [0] * 9 + [0, 0, 1]
