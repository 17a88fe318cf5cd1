"""Near-duplicates on real corpus pairs: MinHash values as datasketch computes them, links found."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
from datasketch import MinHash

from marsad.ingest import identity
from marsad.ingest.runner import Ingester
from marsad.store.db import Store

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"

# (stored first, then the copy that must be linked to it): one story in two outlets or twice in
# one, checked by eye (bench/results/ingest_near_duplicates_checked.md), similarities 0.52-0.97.
PAIRS = [
    ("snn-2015-07-21-1127", "snn-2015-07-21-1528"),  # ولي ولي العهد يلتقي رئيس جمهورية الشيشان (0.92)
    ("snn-2015-07-21-0102", "snn-2015-07-21-1754"),  # «بوينغ» تحذر من طائرتها طراز 777 (0.61)
    ("snn-2015-07-21-0640", "snn-2015-07-21-1129"),  # مدني مكة يسيطر على حريق بمستودع (0.97)
    ("snn-2015-07-21-1035", "snn-2015-07-21-1349"),  # الجوازات تصحح أوضاع 354 ألف يمني (0.81)
    ("snn-2015-07-21-0052", "snn-2015-07-21-0635"),  # الكوارث الطبيعية شردت 20 مليونا (0.66)
    ("snn-2015-07-21-0655", "snn-2015-07-21-1307"),  # حرس الحدود في تبوك ينقذ طفلا (0.83)
    ("snn-2015-07-21-0114", "snn-2015-07-21-0693"),  # مجلس الأمن والاتفاق النووي الإيراني (0.52)
    ("snn-2015-07-21-0155", "snn-2015-07-21-0867"),  # «إيني» تعلن كشفا للغاز في مصر (0.66)
    ("snn-2015-07-21-1309", "snn-2015-07-21-1543"),  # أمانة الرياض تعتذر (0.77)
    ("snn-2015-07-21-0496", "snn-2015-07-21-1695"),  # مارادونا يتهم مطلقته (0.78)
    ("snn-2015-07-21-0650", "snn-2015-07-21-1617"),  # داعش يقطع الإنترنت في الرقة (0.73)
    ("snn-2015-07-21-0621", "snn-2015-07-21-1264"),  # أول حالة شفاء من الإيدز (0.72)
    ("snn-2015-07-21-1027", "snn-2015-07-21-1347"),  # أمير عسير يدشن مهرجان أبها (0.67)
]


def _articles(ids: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if '"snn-2015-07-21-' in line:
                o = json.loads(line)
                if o["id"] in ids:
                    found[o["id"]] = o
    assert set(found) == ids
    return found


def test_signature_is_datasketchs_minhash() -> None:
    """The numpy MinHash gives datasketch's values, so signatures stored before it still compare."""
    arts = _articles({a for pair in PAIRS[:4] for a in pair})
    for o in arts.values():
        shingles = identity.shingle_hashes(identity._folded_words(o["text"]))
        m = MinHash(num_perm=identity.NUM_PERM, seed=1, hashfunc=int, scheme="affine32")
        m.update_batch(shingles.tolist())
        sig = identity.signature(o["text"])
        assert sig is not None and sig.dtype == np.uint64
        assert np.array_equal(sig, m.hashvalues.astype(np.uint64))


def test_real_near_duplicates_are_linked(db_url: str, tmp_path: Path) -> None:
    """The copies arrive in a later run, so they are found through the stored index (the look-up's
    SQL on the driver's cursor), on SQLite and PostgreSQL, not through the open batch."""
    arts = _articles({a for pair in PAIRS for a in pair})
    first, later = tmp_path / "originals.jsonl", tmp_path / "copies.jsonl"
    for path, ids in ((first, [a for a, _ in PAIRS]), (later, [b for _, b in PAIRS])):
        path.write_text("".join(json.dumps(arts[i], ensure_ascii=False) + "\n" for i in ids), encoding="utf-8")
    store = Store(db_url)
    assert Ingester(store, extract=False).run([str(first)]).counts["new"] == len(PAIRS)
    ing = Ingester(store, extract=False)
    s = ing.run([str(later)])
    links = {link["origin"].rsplit("#", 1)[1]: link for link in ing.ledger.near_duplicates()}
    store.close()
    assert s.counts["near_duplicate"] == len(PAIRS) and s.counts["new"] == 0
    for original, copy in PAIRS:
        assert links[copy]["duplicate_of"] == original
        assert links[copy]["similarity"] >= identity.THRESHOLD
