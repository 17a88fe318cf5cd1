"""API and dashboard speed on a synthetic database of 1,000,000 events, on SQLite and PostgreSQL.

The events are spread like a conflict monitor's: countries weighted by how much conflict they
see, places by population (the shipped gazetteer), dates over seven years with a rising trend
and spikes, ACLED types and sub-types, fatalities mostly zero with a long tail, actors from the
shipped registry, Arabic evidence sentences built from templates (so full-text search has words
to find). Three events per article; every event is linked to its article.

The databases are built once and cached under bench/results/tmp/ (the SQLite file, and a
PostgreSQL data directory the benchmark starts its own server on); delete them to rebuild.
Figures: p50/p95 of `/api/events` over a dozen filter kinds, of `/api/stats`, of `/api/map`,
measured over HTTP against uvicorn after one warm-up request per query, each answer computed anew
(`Cache-Control: no-cache` past the response cache; full-text hits stay cached per data version,
as when the dashboard asks list, charts and map for the same words; the first, uncached
full-text search is reported apart; `*_events_cached_p95_ms` is the same queries answered by the
response cache); and the dashboard's first meaningful render (map and list
drawn) in Chromium with 100,000 and with 1,000,000 events in view.

MARSAD_BENCH_EVENTS=200000 makes a smaller database (quick runs); MARSAD_BENCH_PG=0 skips PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

import httpx
import yaml

from marsad.model import EVENT_TYPES
from marsad.resources import path as resource_path

HERE = Path(__file__).parent
TMP = HERE / "results" / "tmp"
N_EVENTS = int(os.environ.get("MARSAD_BENCH_EVENTS", "1000000"))
PER_ARTICLE = 3
SEED = 20240301
BUILD_VERSION = "3"  # bump when the generator or the schema changes: the caches are rebuilt

COUNTRY_WEIGHTS = {
    "SY": 20, "YE": 14, "IQ": 11, "SD": 10, "LY": 7, "ML": 7, "BF": 7, "SO": 6, "NG": 5, "PS": 5,
    "NE": 3, "LB": 3, "EG": 2, "TD": 2, "CM": 2, "DZ": 1, "TN": 1, "MA": 1, "JO": 1, "SA": 1, "MR": 1,
}  # fmt: skip
TYPE_WEIGHTS = {
    "Battles": 24,
    "Explosions/Remote violence": 30,
    "Violence against civilians": 15,
    "Protests": 17,
    "Riots": 4,
    "Strategic developments": 10,
}
SOURCES = [
    "الجزيرة نت", "العربية نت", "بي بي سي عربي", "سكاي نيوز عربية", "الشرق الأوسط", "عنب بلدي",
    "بوابة الوسط", "السومرية نيوز", "شفق نيوز", "المصدر أونلاين", "الأيام", "النهار", "اليوم السابع",
    "وكالة الأنباء الفرنسية", "رويترز", "الأناضول", "القدس العربي", "عربي 21", "الحرة", "الصحراء",
]  # fmt: skip
VERBS = {
    "Battles": ["اندلعت اشتباكات عنيفة بين", "دارت معارك بين", "تجددت المواجهات بين"],
    "Explosions/Remote violence": ["استهدف قصف مدفعي", "شنت طائرات مسيرة غارات على", "انفجرت عبوة ناسفة في"],
    "Violence against civilians": ["هاجم مسلحون", "أطلق مسلحون النار على", "اختطف مسلحون مجهولون"],
    "Protests": ["خرج مئات المتظاهرين في", "نظم محتجون وقفة في", "تظاهر آلاف في"],
    "Riots": ["اندلعت أعمال شغب في", "أحرق محتجون غاضبون إطارات في"],
    "Strategic developments": ["اعتقلت قوات الأمن عناصر في", "أعلن الطرفان اتفاقا لوقف إطلاق النار في"],
}
TAILS = ["ما أسفر عن مقتل {n} أشخاص", "وأفادت مصادر محلية بسقوط {n} قتلى", "دون أنباء عن ضحايا",
         "وأصيب عدد من المدنيين", "بحسب ما أفاد به مراسلون"]  # fmt: skip


def _places() -> dict[str, list[tuple[str, str, str, float, float, float]]]:
    """Per country: (name, name_ar, admin1, lat, lon, weight), weight growing with population."""
    con = sqlite3.connect(resource_path("geo/gazetteer.sqlite"))
    out: dict[str, list[tuple[str, str, str, float, float, float]]] = {}
    for c in COUNTRY_WEIGHTS:
        rows = con.execute(
            "SELECT name, name_ar, admin1, lat, lon, COALESCE(population, 0) FROM places WHERE country = ? "
            "AND lat IS NOT NULL AND admin1 IS NOT NULL ORDER BY population DESC LIMIT 60",
            (c,),
        ).fetchall()
        out[c] = [(n, ar or n, a1, lat, lon, max(1.0, pop) ** 0.5) for n, ar, a1, lat, lon, pop in rows]
    con.close()
    return {c: v for c, v in out.items() if v}


def _actors() -> dict[str, list[tuple[str, str]]]:
    """Per country (None = anywhere): (canonical name, an Arabic form) from the actor registry."""
    by_country: dict[str, list[tuple[str, str]]] = {}
    for f in sorted(resource_path("actors").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for a in data.get("actors", []) or []:
            if isinstance(a, dict) and a.get("name") and a.get("ar"):
                by_country.setdefault(a.get("country") or "*", []).append((a["name"], a["ar"][0]))
    return by_country


def generate(n: int, seed: int = SEED) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Articles with their events, in date order (inserts stay local to the end of the indexes)."""
    rnd = random.Random(seed)
    places = _places()
    actors = _actors()
    countries = list(places)
    ccum = list(accumulate(COUNTRY_WEIGHTS[c] for c in countries))
    types = list(TYPE_WEIGHTS)
    tcum = list(accumulate(TYPE_WEIGHTS[t] for t in types))
    pcum = {c: list(accumulate(x[5] for x in places[c])) for c in countries}
    pools = {c: actors.get(c, []) + actors.get("*", [])[:20] for c in countries}
    start = dt.date(2018, 1, 1)
    days = (dt.date(2024, 12, 31) - start).days + 1
    # a rising trend with spikes: weeks of intense fighting several times a year
    day_weights = [1.0 + d / days + (3.0 if rnd.random() < 0.03 else 0.0) for d in range(days)]
    per_day = [n * w / sum(day_weights) for w in day_weights]
    made, carry, art_no = 0, 0.0, 0
    for d in range(days):
        carry += per_day[d]
        count = int(carry)
        carry -= count
        if d == days - 1:
            count = n - made
        day = (start + dt.timedelta(days=d)).isoformat()
        evs: list[dict[str, Any]] = []
        for _ in range(count):
            c = rnd.choices(countries, cum_weights=ccum)[0]
            p = rnd.choices(places[c], cum_weights=pcum[c])[0]
            typ = rnd.choices(types, cum_weights=tcum)[0]
            sub = rnd.choice(EVENT_TYPES[typ])
            pool = pools[c]
            a1 = rnd.choice(pool) if pool else None
            a2 = rnd.choice(pool) if pool and rnd.random() < 0.6 else None
            if typ == "Protests":
                fat = 0 if rnd.random() < 0.97 else rnd.randint(1, 5)
            else:
                fat = 0 if rnd.random() < 0.45 else int(rnd.lognormvariate(1.0, 1.1)) + 1
            evidence = f"{rnd.choice(VERBS[typ])} {a1[1] if a1 else 'مسلحين'} في {p[1]} " + rnd.choice(TAILS).format(
                n=fat
            )
            evs.append(
                {
                    "event_type": typ,
                    "sub_event_type": sub,
                    "date": day,
                    "actor1": a1[0] if a1 else None,
                    "actor1_mention": a1[1] if a1 else None,
                    "actor2": a2[0] if a2 else None,
                    "actor2_mention": a2[1] if a2 else None,
                    "location": p[0],
                    "location_mention": p[1],
                    "country": c,
                    "admin1": p[2],
                    "lat": round(p[3] + rnd.uniform(-0.05, 0.05), 5),
                    "lon": round(p[4] + rnd.uniform(-0.05, 0.05), 5),
                    "geo_precision": "city",
                    "fatalities": fat,
                    "injuries": None,
                    "modality": "asserted",
                    "attribution": None,
                    "evidence": evidence,
                    "status": "new",
                }
            )
        made += count
        for i in range(0, len(evs), PER_ARTICLE):
            art_no += 1
            group = evs[i : i + PER_ARTICLE]
            text = "\n".join(e["evidence"] + "." for e in group)
            source = rnd.choice(SOURCES)
            pos = 0
            for e in group:
                e["evidence_start"], e["evidence_end"] = pos, pos + len(e["evidence"])
                e["source"] = source
                pos += len(e["evidence"]) + 2
            article = {
                "id": f"bench-{art_no}",
                "source": source,
                "url": f"https://example.org/a/{art_no}",
                "title": group[0]["evidence"][:60],
                "published": day,
                "text": text,
            }
            yield article, group


EVENT_COLS = [
    "id", "article_id", "event_type", "sub_event_type", "date", "actor1", "actor1_mention", "actor2",
    "actor2_mention", "location", "location_mention", "country", "admin1", "lat", "lon", "geo_precision",
    "fatalities", "injuries", "modality", "attribution", "evidence", "evidence_start", "evidence_end",
    "status", "source",
]  # fmt: skip
ARTICLE_COLS = ["id", "source", "url", "title", "published", "text"]
LINK_COLS = ["event_id", "article_id", "evidence", "evidence_start", "evidence_end"]


def _batches(n: int, size: int = 20000) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
    arts: list[tuple] = []
    evs: list[tuple] = []
    links: list[tuple] = []
    eid = 0
    for article, group in generate(n):
        arts.append(tuple(article[c] for c in ARTICLE_COLS))
        for e in group:
            eid += 1
            e["id"], e["article_id"] = eid, article["id"]
            evs.append(tuple(e[c] for c in EVENT_COLS))
            links.append((eid, article["id"], e["evidence"], e["evidence_start"], e["evidence_end"]))
        if len(evs) >= size:
            yield arts, evs, links
            arts, evs, links = [], [], []
    if evs:
        yield arts, evs, links


def build_sqlite(target: Path, n: int) -> float:
    """The SQLite database, through the store's schema and migrations; returns seconds taken."""
    from marsad.store.db import Store

    t0 = time.perf_counter()
    tmp = target.with_suffix(".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    Store(str(tmp)).close()
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA cache_size=-262144")
    ph = lambda cols: ",".join("?" * len(cols))  # noqa: E731
    for arts, evs, links in _batches(n):
        with con:
            con.executemany(f"INSERT INTO articles ({','.join(ARTICLE_COLS)}) VALUES ({ph(ARTICLE_COLS)})", arts)
            con.executemany(f"INSERT INTO events ({','.join(EVENT_COLS)}) VALUES ({ph(EVENT_COLS)})", evs)
            con.executemany(f"INSERT INTO event_articles ({','.join(LINK_COLS)}) VALUES ({ph(LINK_COLS)})", links)
    with con:
        con.execute("INSERT OR IGNORE INTO actors (name) SELECT DISTINCT actor1 FROM events WHERE actor1 IS NOT NULL")
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    tmp.rename(target)
    return time.perf_counter() - t0


# ---- PostgreSQL: a server of our own on a cached data directory --------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError("PostgreSQL not installed: make system-deps")


def _as_pg(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


class PgServer:
    def __init__(self, base: Path) -> None:
        self.base, self.data, self.bin = base, base / "data", _pg_bin()
        self.port = _free_port()

    def __enter__(self) -> PgServer:
        if not self.data.exists():
            self.base.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.base, "postgres", "postgres")
            subprocess.run(
                _as_pg(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"),
                check=True,
                capture_output=True,
            )
        opts = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c shared_buffers=256MB -c work_mem=32MB -c max_wal_size=4GB -c jit=off"
        )
        subprocess.run(
            _as_pg(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.base / "log"), "-w", "start"
            ),
            check=True,
            capture_output=True,
        )
        return self

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc: object) -> None:
        subprocess.run(
            _as_pg(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"),
            check=False,
            capture_output=True,
        )


def build_pg(url: str, n: int) -> float:
    import psycopg

    from marsad.store.db import Store

    t0 = time.perf_counter()
    Store(url).close()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=False) as con:
        with con.cursor() as cur:
            for arts, evs, links in _batches(n, size=50000):
                for table, cols, rows in (
                    ("articles", ARTICLE_COLS, arts),
                    ("events", EVENT_COLS, evs),
                    ("event_articles", LINK_COLS, links),
                ):
                    with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                con.commit()
            cur.execute("SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))")
            cur.execute(
                "INSERT INTO actors (name) SELECT DISTINCT actor1 FROM events WHERE actor1 IS NOT NULL "
                "ON CONFLICT DO NOTHING"
            )
            con.commit()
        con.autocommit = True
        con.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


# ---- measuring ----------------------------------------------------------------------------------


class Server:
    def __init__(self, db: str) -> None:
        import uvicorn

        from marsad.api.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(db)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        t0 = time.perf_counter()
        while not self.server.started:
            time.sleep(0.05)
        # the app loads its column copy in the background at start; measure the steady state
        while self.app.state.store.columns.snapshot is None:
            time.sleep(0.05)
        self.columns_load_s = time.perf_counter() - t0
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # do not wait for the browser's keep-alive connections
        self.thread.join(10)
        self.app.state.store.close()


def _queries(client: httpx.Client) -> list[dict[str, Any]]:
    """A dozen filter kinds an analyst uses, with values taken from the data."""
    st = client.get("/api/stats").json()
    countries = [c["country"] for c in st["by_country"]]
    admin1 = st["by_country"][0]["admin1"][0]["admin1"]
    actors = [a["name"] for a in client.get("/api/actors", params={"limit": 5}).json()]
    return [
        {},
        {"country": countries[0]},
        {"country": countries[5]},
        {"event_type": "Battles"},
        {"sub_event_type": "Air/drone strike", "date_from": "2023-01-01", "date_to": "2023-12-31"},
        {"country": countries[1], "date_from": "2024-06-01", "date_to": "2024-06-30"},
        {"admin1": admin1},
        {"actor": actors[0]},
        {"bbox": "35.5,32.0,38.5,37.0"},
        {"min_fatalities": 10},
        {"source": "رويترز"},
        {"q": "طائرات مسيرة"},
        {"q": "عبوة", "country": countries[2]},
        {"country": countries[0], "sort": "-fatalities"},
        {"date_from": "2020-03-01", "date_to": "2020-03-31", "offset": 200},
    ]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def measure(db: str, label: str, repeats: int = 5) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # "no-cache": every answer computed anew, not taken from the server's response cache (which
    # would answer the repeats below in a few ms: its own figure is sqlite_cached_p95_ms)
    headers = {"Cache-Control": "no-cache"}
    with Server(db) as srv, httpx.Client(base_url=srv.url, timeout=60, headers=headers) as client:
        out[f"{label}_startup_with_columns_s"] = round(srv.columns_load_s, 1)
        queries = _queries(client)
        floor: list[float] = []
        for _ in range(20):  # the HTTP round trip itself on this machine, for context
            t0 = time.perf_counter()
            client.get("/api/config").raise_for_status()
            floor.append((time.perf_counter() - t0) * 1000)
        out[f"{label}_http_floor_p50_ms"] = round(statistics.median(floor), 1)
        lat: list[float] = []
        worst: tuple[float, dict[str, Any]] = (0.0, {})
        cold_text: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            client.get("/api/events", params=q).raise_for_status()  # warm the caches once
            if "q" in q:  # a full-text search the first time (later ones reuse its cached hits)
                cold_text.append((time.perf_counter() - t0) * 1000)
            for _ in range(repeats):
                t0 = time.perf_counter()
                r = client.get("/api/events", params=q)
                ms = (time.perf_counter() - t0) * 1000
                r.raise_for_status()
                lat.append(ms)
                worst = max(worst, (ms, q), key=lambda x: x[0])
        out[f"{label}_events_p50_ms"] = round(statistics.median(lat), 1)
        out[f"{label}_events_p95_ms"] = round(_pct(lat, 0.95), 1)
        out[f"{label}_events_slowest_query"] = f"{worst[1]} {worst[0]:.0f} ms"
        out[f"{label}_events_text_first_time_max_ms"] = round(max(cold_text), 1)
        stat_lat: list[float] = []
        for q in (
            {},
            {"country": queries[1]["country"]},
            {"event_type": "Battles", "period": "month"},
            {"date_from": "2024-01-01", "date_to": "2024-12-31", "period": "day"},
            {"q": "عبوة"},
        ):
            client.get("/api/stats", params=q).raise_for_status()
            for _ in range(repeats):
                t0 = time.perf_counter()
                client.get("/api/stats", params=q).raise_for_status()
                stat_lat.append((time.perf_counter() - t0) * 1000)
        out[f"{label}_stats_p50_ms"] = round(statistics.median(stat_lat), 1)
        out[f"{label}_stats_p95_ms"] = round(_pct(stat_lat, 0.95), 1)
        map_lat: list[float] = []
        for q in ({"zoom": 4, "bbox": "-20,0,65,45"}, {"zoom": 7, "bbox": "35.5,32,38.5,37"}):
            client.get("/api/map", params=q).raise_for_status()
            for _ in range(repeats):
                t0 = time.perf_counter()
                client.get("/api/map", params=q).raise_for_status()
                map_lat.append((time.perf_counter() - t0) * 1000)
        out[f"{label}_map_p95_ms"] = round(_pct(map_lat, 0.95), 1)
        cached: list[float] = []  # the same questions again, as the dashboard asks them (from the cache)
        with httpx.Client(base_url=srv.url, timeout=60) as plain:
            for q in queries:
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    plain.get("/api/events", params=q).raise_for_status()
                    cached.append((time.perf_counter() - t0) * 1000)
        out[f"{label}_events_cached_p95_ms"] = round(_pct(cached, 0.95), 1)
    return out


def first_render(db: str) -> tuple[float, float]:
    """Seconds from navigation to the map and the first page of the list drawn: the first visit
    (every answer computed) and the median of 3 (later ones from the response cache)."""
    from playwright.sync_api import sync_playwright

    times = []
    with Server(db) as srv, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1366, "height": 800})
            t0 = time.perf_counter()
            page.goto(srv.url + "/")
            page.wait_for_selector("body[data-map-ready='1'][data-list-ready='1']", state="attached", timeout=60000)
            times.append(time.perf_counter() - t0)
            page.close()
        browser.close()
    return times[0], statistics.median(times)


def _cached_sqlite(n: int) -> tuple[Path, float | None]:
    TMP.mkdir(parents=True, exist_ok=True)
    db = TMP / f"api_{n}_v{BUILD_VERSION}.sqlite"
    if db.exists():
        return db, None
    return db, build_sqlite(db, n)


def run(shared: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"events": N_EVENTS, "load_average_at_start": round(os.getloadavg()[0], 1)}
    db, built = _cached_sqlite(N_EVENTS)
    if built is not None:
        figures["sqlite_build_s"] = round(built, 1)
    figures["sqlite_file_mb"] = round(db.stat().st_size / 1e6)
    figures.update(measure(str(db), "sqlite"))
    small, _ = _cached_sqlite(100_000)
    for label, path in (("100k", small), ("1m", db)):
        cold, median = first_render(str(path))
        figures[f"first_render_{label}_s"] = round(cold, 2)
        figures[f"first_render_{label}_median_of_3_s"] = round(median, 2)
    if os.environ.get("MARSAD_BENCH_PG", "1") != "0":
        base = TMP / f"pg_{N_EVENTS}_v{BUILD_VERSION}"
        ready = base / "READY"
        if base.exists() and not ready.exists():  # an interrupted build: start again
            shutil.rmtree(base)
        with PgServer(base) as pg:
            if not ready.exists():
                figures["pg_build_s"] = round(build_pg(pg.url, N_EVENTS), 1)
                ready.write_text("ok\n")
            figures.update(measure(pg.url, "pg"))
    return figures
