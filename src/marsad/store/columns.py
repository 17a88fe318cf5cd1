"""An in-memory column copy of the events' filterable fields, for the dashboard's queries.

Counting, grouping and sorting a million events in SQL costs seconds on SQLite (every row is
read from the table); the same work over a few numpy arrays (about 40 bytes an event) takes
milliseconds. The arrays answer which events match a filter and in what order; the rows
themselves are still read from the database by id. Text search asks the database (FTS5 or
PostgreSQL full text) for the matching ids.

Freshness: triggers on the events table bump `store_meta.data_version` with every write,
whoever makes it (migration 0003).
A reader that sees a newer version reloads (synchronously when the table is small, otherwise
in a background thread while the previous copy keeps answering). Reviews made through this
`Store` are applied to the arrays at once.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

LOAD_BLOCK = 50_000  # rows fetched and encoded at a time
SYNC_RELOAD_MAX = 200_000  # below this many events a stale copy is reloaded before answering
TEXT_CACHE_SIZE = 32  # full-text results kept (a common word's hits cost ~1 MB at a million events)
LOAD_COLUMNS = (
    "id",
    "date",
    "country",
    "admin1",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "source",
    "status",
    "fatalities",
    "lat",
    "lon",
    "location",
)
# "location" (the place's name) is coded for the map's points, drawn from the arrays alone
CODED = ("country", "admin1", "event_type", "sub_event_type", "actor", "source", "status", "location")


class Codes:
    """Dictionary encoding of one text column (None is code 0)."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self.index: dict[str | None, int] = {None: 0}

    def code(self, value: str | None) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def encode(self, column: Sequence[str | None]) -> np.ndarray:
        index, code = self.index, self.code
        return np.fromiter((index[v] if v in index else code(v) for v in column), dtype=np.int32, count=len(column))

    def lookup(self, values: Sequence[str]) -> np.ndarray:
        return np.array([self.index[v] for v in values if v in self.index], dtype=np.int32)


@dataclass
class Snapshot:
    """The arrays, ordered by (date, id) with undated events first."""

    version: int
    ids: np.ndarray  # int64
    date_rank: np.ndarray  # int32 rank into `dates` (sorted unique date strings); -1 = no date
    dates: list[str]
    cols: dict[str, np.ndarray]  # coded columns (int32), "actor1"/"actor2" share codes["actor"]
    codes: dict[str, Codes]
    fatalities: np.ndarray  # int64, -1 = unknown
    lat: np.ndarray  # float64, nan = unknown
    lon: np.ndarray
    by_id: np.ndarray  # positions sorted by id (a dict of a million ints would cost ~100 MB)
    _pos_of: np.ndarray | None = None  # id -> position, when ids are dense enough to index an array
    _dead: np.ndarray | None = None  # fatalities as float64 weights, unknown as 0
    _located: np.ndarray | None = None  # lat and lon known

    def __len__(self) -> int:
        return len(self.ids)

    def dead_weights(self) -> np.ndarray:
        """Fatalities as bincount weights (float64, unknown = 0), made once per snapshot."""
        if self._dead is None:
            self._dead = np.maximum(self.fatalities, 0).astype(np.float64)
        return self._dead

    def located(self) -> np.ndarray:
        """Which events have coordinates, made once per snapshot."""
        if self._located is None:
            self._located = ~np.isnan(self.lat) & ~np.isnan(self.lon)
        return self._located

    def positions(self, event_ids: np.ndarray) -> np.ndarray:
        """Positions of the given ids that are in the snapshot (unknown ids are dropped)."""
        if not len(self.ids) or not len(event_ids):
            return np.array([], dtype=np.int64)
        top = int(self.ids.max())
        if self._pos_of is None and top <= 4 * len(self.ids) + 1024:
            # autoincrement ids are dense: a 4-byte array indexed by id answers in one gather,
            # where np.isin or a sorted search over a million ids costs ~30 ms per query
            pos_of = np.full(top + 1, -1, dtype=np.int32)
            pos_of[self.ids] = np.arange(len(self.ids), dtype=np.int32)
            self._pos_of = pos_of
        if self._pos_of is not None:
            known = event_ids[(event_ids >= 0) & (event_ids < len(self._pos_of))]
            pos = self._pos_of[known]
            return pos[pos >= 0].astype(np.int64)
        i = np.minimum(np.searchsorted(self.ids, event_ids, sorter=self.by_id), len(self.by_id) - 1)
        pos = self.by_id[i]
        return pos[self.ids[pos] == event_ids]

    def position(self, event_id: int) -> int | None:
        i = int(np.searchsorted(self.ids, event_id, sorter=self.by_id))
        if i < len(self.by_id) and self.ids[self.by_id[i]] == event_id:
            return int(self.by_id[i])
        return None


def load_snapshot(conn: sa.Connection, version: int) -> Snapshot:
    """Read the filterable columns of every event (one pass, raw cursor for speed).

    Each block of rows is encoded into arrays before the next is fetched: a million rows held as
    Python objects would take over a gigabyte, which the allocator then keeps from the system.
    """
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cur.execute(f"SELECT {', '.join(LOAD_COLUMNS)} FROM events")
    codes = {name: Codes() for name in CODED}
    date_codes = Codes()  # dates as first seen; ranked once all are known
    parts: dict[str, list[np.ndarray]] = {name: [] for name in (*LOAD_COLUMNS, "date")}
    while True:
        rows = cur.fetchmany(LOAD_BLOCK)
        if not rows:
            break
        block = dict(zip(LOAD_COLUMNS, zip(*rows, strict=True), strict=True))
        for name in CODED:
            if name != "actor":
                parts[name].append(codes[name].encode(block[name]))
        parts["actor1"].append(codes["actor"].encode(block["actor1"]))
        parts["actor2"].append(codes["actor"].encode(block["actor2"]))
        parts["date"].append(date_codes.encode(block["date"]))
        parts["id"].append(np.array(block["id"], dtype=np.int64))
        parts["fatalities"].append(np.array([-1 if f is None else f for f in block["fatalities"]], dtype=np.int64))
        for name in ("lat", "lon"):
            parts[name].append(np.array([np.nan if v is None else v for v in block[name]], dtype=np.float64))
        del rows, block
    cur.close()

    def whole(name: str, dtype: type) -> np.ndarray:
        return np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype=dtype)

    cols = {name: whole(name, np.int32) for name in CODED if name != "actor"}
    cols["actor1"], cols["actor2"] = whole("actor1", np.int32), whole("actor2", np.int32)
    dates = sorted(d for d in date_codes.values if d is not None)
    rank_of = {d: i for i, d in enumerate(dates)}
    # date code -> rank (code 0 is no date -> -1)
    rank_by_code = np.array([rank_of.get(d, -1) if d is not None else -1 for d in date_codes.values], dtype=np.int32)
    date_rank = rank_by_code[whole("date", np.int32)]
    ids = whole("id", np.int64)
    fat, lat, lon = whole("fatalities", np.int64), whole("lat", np.float64), whole("lon", np.float64)
    order = np.lexsort((ids, date_rank))
    snap = Snapshot(
        version=version,
        ids=ids[order],
        date_rank=date_rank[order],
        dates=dates,
        cols={k: v[order] for k, v in cols.items()},
        codes=codes,
        fatalities=fat[order],
        lat=lat[order],
        lon=lon[order],
        by_id=np.array([], dtype=np.int64),
    )
    snap.by_id = np.argsort(snap.ids, kind="stable")
    return snap


class ColumnCache:
    """Holds the current snapshot and keeps it fresh (see the module docstring)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.snapshot: Snapshot | None = None
        self.lock = threading.Lock()
        self.loading: threading.Thread | None = None
        # full-text matches per (snapshot version, query): the dashboard asks the list, the charts
        # and the map for the same words at once, and paging repeats them
        self.text_cache: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()

    def version(self, conn: sa.Connection) -> int:
        row = conn.exec_driver_sql("SELECT value FROM store_meta WHERE key = 'data_version'").first()
        return int(row[0]) if row else 0

    def _load(self) -> None:
        with self.engine.connect() as conn:
            version = self.version(conn)
            snap = load_snapshot(conn, version)
        with self.lock:
            if self.snapshot is None or snap.version >= self.snapshot.version:
                self.snapshot = snap

    def _background(self) -> None:
        try:
            self._load()
        finally:
            self.loading = None

    def start_loading(self) -> None:
        """Load in a background thread (the app calls this at start-up)."""
        with self.lock:
            if self.loading is None:
                self.loading = threading.Thread(target=self._background, daemon=True, name="marsad-columns")
                self.loading.start()

    def get(self, conn: sa.Connection) -> Snapshot | None:
        """A snapshot fresh enough to answer, or None (then the caller asks SQL)."""
        snap = self.snapshot
        version = self.version(conn)
        if snap is not None and snap.version == version:
            return snap
        if snap is None or len(snap) <= SYNC_RELOAD_MAX:
            if self.loading is not None and snap is None:
                return None  # the first load is under way: SQL answers meanwhile
            self._load()
            return self.snapshot
        self.start_loading()
        return snap  # a large copy one write behind: refreshed in the background

    def text_rows(self, snap: Snapshot, q: str, fetch: Callable[[], np.ndarray]) -> np.ndarray:
        """Positions in `snap` of the events `fetch()` returns for the words `q` (cached)."""
        key = (snap.version, " ".join(q.split()))
        with self.lock:
            found = self.text_cache.get(key)
            if found is not None:
                self.text_cache.move_to_end(key)
                return found
        rows = snap.positions(fetch())
        with self.lock:
            self.text_cache[key] = rows
            while len(self.text_cache) > TEXT_CACHE_SIZE:
                self.text_cache.popitem(last=False)
        return rows

    def apply_review(self, event_id: int, after: dict[str, Any], version_before: int, version: int) -> None:
        """Put a reviewed event's new values into the arrays (if they were current before it)."""
        with self.lock:
            snap = self.snapshot
            if snap is None or snap.version != version_before:
                return  # stale anyway: the next reader reloads
            pos = snap.position(event_id)
            if pos is None:
                return
            if after.get("date") != _date_at(snap, pos):
                self.snapshot = None  # a new date moves the event in the order: reload
                return
            for name in ("country", "admin1", "event_type", "sub_event_type", "status", "location"):
                snap.cols[name][pos] = snap.codes[name].code(after.get(name))
            snap.cols["actor1"][pos] = snap.codes["actor"].code(after.get("actor1"))
            snap.cols["actor2"][pos] = snap.codes["actor"].code(after.get("actor2"))
            fat = after.get("fatalities")
            snap.fatalities[pos] = -1 if fat is None else fat
            if snap._dead is not None:
                snap._dead[pos] = max(0, fat or 0)
            snap.lat[pos] = np.nan if after.get("lat") is None else after["lat"]
            snap.lon[pos] = np.nan if after.get("lon") is None else after["lon"]
            if snap._located is not None:
                snap._located[pos] = not (np.isnan(snap.lat[pos]) or np.isnan(snap.lon[pos]))
            snap.version = version


def _date_at(snap: Snapshot, pos: int) -> str | None:
    r = int(snap.date_rank[pos])
    return None if r < 0 else snap.dates[r]


def date_span(snap: Snapshot, date_from: str | None, date_to: str | None) -> tuple[int, int]:
    """The positions [lo, hi) of the events between the two dates (the arrays are in date order)."""
    ranks = snap.date_rank

    def first_at_or_above(rank: int) -> int:
        # the rank in the array's own dtype: a Python int would make numpy copy the million
        # int32 ranks into int64 on every search (~1 ms a call)
        return int(ranks.searchsorted(np.array(rank, dtype=ranks.dtype), "left"))

    lo, hi = 0, len(snap)
    # dates compare as strings, like SQL: ranks into the sorted unique dates keep that order
    if date_from:
        lo = first_at_or_above(bisect.bisect_left(snap.dates, date_from))
    if date_to:
        upper = date_to + ("-99" if len(date_to) < 10 else "")
        hi = first_at_or_above(bisect.bisect_right(snap.dates, upper))
        lo = max(lo, first_at_or_above(0))  # undated events match no date_to
    return lo, max(lo, hi)


def mask_for(snap: Snapshot, f: Any, text_rows: np.ndarray | None) -> np.ndarray:
    """Which events match the filter (an `EventFilter`); `text_rows` are the full-text matches' positions."""
    n = len(snap)
    mask = np.zeros(n, dtype=bool)
    # A day range is a slice of the date-ordered arrays: the other tests run over that slice
    # only (a month of a million events is 1/80 of the work).
    lo, hi = date_span(snap, f.date_from, f.date_to)
    if lo == hi:
        return mask
    part = slice(lo, hi)
    sub = np.ones(hi - lo, dtype=bool)

    def keep(name: str, values: Sequence[str]) -> None:
        nonlocal sub
        if values:
            codes = snap.codes[name].lookup(values)
            col = snap.cols[name][part]
            sub &= np.isin(col, codes) if len(codes) != 1 else col == codes[0]

    keep("country", f.country)
    keep("admin1", f.admin1)
    keep("event_type", f.event_type)
    keep("sub_event_type", f.sub_event_type)
    keep("source", f.source)
    if f.status:
        keep("status", f.status)
    elif "merged" in snap.codes["status"].index:
        sub &= snap.cols["status"][part] != snap.codes["status"].index["merged"]
    if f.actor:
        code = snap.codes["actor"].index.get(f.actor)
        if code is None:
            return mask
        sub &= (snap.cols["actor1"][part] == code) | (snap.cols["actor2"][part] == code)
    if f.min_fatalities is not None:
        sub &= snap.fatalities[part] >= f.min_fatalities
    if f.bbox:
        west, south, east, north = f.bbox
        lat, lon = snap.lat[part], snap.lon[part]
        with np.errstate(invalid="ignore"):
            sub &= (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    if text_rows is not None:
        rows = text_rows[(text_rows >= lo) & (text_rows < hi)] - lo
        hits = np.zeros(hi - lo, dtype=bool)
        hits[rows] = True
        sub &= hits
    mask[part] = sub
    return mask


def page_ids(snap: Snapshot, mask: np.ndarray, sort: str, limit: int, offset: int) -> list[int]:
    """The ids of one page, in the order SQL would give (`-date` = date desc nulls last, id desc)."""
    pos = np.flatnonzero(mask)
    key = sort.lstrip("-")
    desc = sort.startswith("-")
    if key == "date":
        dated = pos[snap.date_rank[pos] >= 0]
        undated = pos[snap.date_rank[pos] < 0]
        ordered = np.concatenate([dated[::-1], undated[::-1]]) if desc else np.concatenate([dated, undated])
        chosen = ordered[offset : offset + limit]
    else:
        ids = snap.ids[pos]
        if key == "id":
            k = ids
        else:  # fatalities, unknown last either way, then id in the same direction
            # one int64 key: fatalities (capped at 2**21) above the id (below 2**33)
            fat = np.minimum(snap.fatalities[pos], (1 << 21) - 2)
            fat = np.where(fat < 0, -1 if desc else (1 << 21) - 1, fat)
            k = fat * (1 << 33) + ids
        if desc:
            k = -k
        want = offset + limit
        if want < len(k):
            top = np.argpartition(k, want - 1)[:want]
            top = top[np.argsort(k[top], kind="stable")]
        else:
            top = np.argsort(k, kind="stable")
        chosen = pos[top[offset : offset + limit]]
    return [int(i) for i in snap.ids[chosen]]


def group_sum(keys: np.ndarray, dead_weights: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Events and fatalities per key; `dead_weights` are the fatalities as floats, unknown as 0."""
    counts = np.bincount(keys, minlength=size)
    dead = np.bincount(keys, weights=dead_weights, minlength=size)
    return counts, dead
