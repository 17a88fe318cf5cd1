"""Sustained load on the API: concurrent clients for a fixed time against `marsad serve` on 127.0.0.1.

The server runs as its own process (so its memory can be sampled from /proc) over the synthetic
database bench_api builds and caches (1,000,000 events unless MARSAD_BENCH_EVENTS says otherwise).
Each client loops over a mix of /api/events filters, /api/stats and /api/map requests: the views
every dashboard opens on (the same requests again and again, which the server's response cache
answers between two writes), and, with probability MARSAD_LOAD_UNIQUE (default 0.3), a request
never asked before (a random country, type, day range and page), which must be computed.
Figures: requests, errors (any non-200 or transport error), throughput, p50/p95/p99 latency, and
the server's RSS at the start of the load (after warm-up) and at its end; p99 is also given
apart for the never-repeated requests.

MARSAD_LOAD_SECONDS (default 60) and MARSAD_LOAD_CLIENTS (default 50) shorten a quick run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.bench_api import N_EVENTS, _cached_sqlite, _free_port, _pct, _queries
from bench.bench_scale import _descendants

SECONDS = float(os.environ.get("MARSAD_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("MARSAD_LOAD_CLIENTS", "50"))
UNIQUE = float(os.environ.get("MARSAD_LOAD_UNIQUE", "0.3"))
SERVER_WORKERS = os.environ.get("MARSAD_LOAD_SERVER_WORKERS", "1")
TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots"]
WARMUP_LIMIT_S = 300.0


def _rss_mb(pid: int, field: str = "VmRSS:") -> float:
    """Resident memory of the server: its process and, with --workers, the worker processes.

    `RssAnon:` is the private part; the rest is mostly the database file mapped by SQLite (mmap),
    shared between the processes and given back by the kernel when memory is short."""
    total = 0.0
    for p in [pid, *_descendants(pid)]:
        try:
            lines = Path(f"/proc/{p}/status").read_text().splitlines()
        except FileNotFoundError:
            continue
        total += next((int(line.split()[1]) / 1024 for line in lines if line.startswith(field)), 0.0)
    if not total:
        raise RuntimeError(f"no VmRSS for process {pid}")
    return total


def _requests(client: httpx.Client) -> list[tuple[str, dict[str, Any]]]:
    mix: list[tuple[str, dict[str, Any]]] = [("/api/events", q) for q in _queries(client)]
    mix += [
        ("/api/stats", {}),
        ("/api/stats", {"event_type": "Battles", "period": "month"}),
        ("/api/map", {"zoom": 4, "bbox": "-20,0,65,45"}),
        ("/api/map", {"zoom": 7, "bbox": "35.5,32,38.5,37"}),
    ]
    return mix


def _unique_requests(countries: list[str], seed: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Requests never asked before: random filters over a random span of days."""
    rnd = random.Random(seed)
    first = dt.date(2018, 1, 1)
    while True:
        start = first + dt.timedelta(days=rnd.randrange(0, 2500))
        end = start + dt.timedelta(days=rnd.randrange(1, 120))
        params: dict[str, Any] = {"date_from": start.isoformat(), "date_to": end.isoformat()}
        if rnd.random() < 0.7:
            params["country"] = rnd.choice(countries)
        if rnd.random() < 0.5:
            params["event_type"] = rnd.choice(TYPES)
        kind = rnd.random()
        if kind < 0.6:
            params["offset"] = rnd.choice([0, 0, 50, 100])
            yield "/api/events", params
        elif kind < 0.85:
            yield "/api/stats", params | {"period": rnd.choice(["day", "week", "month"])}
        else:
            yield "/api/map", params | {"zoom": rnd.choice([4, 5, 6])}


async def _load(
    url: str, mix: list[tuple[str, dict[str, Any]]], countries: list[str], seconds: float, clients: int
) -> dict[str, Any]:
    latencies: list[float] = []
    unique_latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    async def client_loop(n: int, client: httpx.AsyncClient) -> None:
        rnd = random.Random(n)
        fresh = _unique_requests(countries, seed=1000 + n)
        i = n
        while time.perf_counter() < stop:
            unique = rnd.random() < UNIQUE
            if unique:
                path, params = next(fresh)
            else:
                path, params = mix[i % len(mix)]
                i += 1
            t0 = time.perf_counter()
            try:
                r = await client.get(path, params=params)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {path} {params}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {path} {params}")
            ms = (time.perf_counter() - t0) * 1000
            latencies.append(ms)
            if unique:
                unique_latencies.append(ms)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(client_loop(n, client) for n in range(clients)))
        elapsed = time.perf_counter() - t0
    return {"latencies": latencies, "unique": unique_latencies, "errors": errors, "elapsed": elapsed}


def run(shared: Path) -> dict[str, Any]:
    db, built = _cached_sqlite(N_EVENTS)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    figures: dict[str, Any] = {
        "events": N_EVENTS,
        "clients": CLIENTS,
        "server_workers": SERVER_WORKERS,
        "seconds": SECONDS,
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }
    if built is not None:
        figures["sqlite_build_s"] = round(built, 1)
    env = {**os.environ, "MARSAD_CORS_ORIGINS": "", "MARSAD_READ_TOKEN": ""}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "marsad",
            "serve",
            "--db",
            str(db),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            SERVER_WORKERS,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        t0 = time.perf_counter()
        with httpx.Client(base_url=url, timeout=120) as client:
            while True:
                try:
                    client.get("/api/config").raise_for_status()
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.perf_counter() - t0 > WARMUP_LIMIT_S:
                        raise RuntimeError("marsad serve did not start") from None
                    time.sleep(0.2)
            # Warm up until every server process has its column copy loaded (before, SQL answers).
            ready_pids: set[int] = set()
            while len(ready_pids) < int(SERVER_WORKERS):
                if time.perf_counter() - t0 > WARMUP_LIMIT_S:
                    raise RuntimeError(f"the server was not ready after {WARMUP_LIMIT_S:.0f} s")
                # a new connection each time, so that each worker process gets asked
                health = httpx.get(url + "/api/health", headers={"Connection": "close"}, timeout=60).json()
                if health["ready"]:
                    ready_pids.add(health["pid"])
                else:
                    time.sleep(0.5)
            mix = _requests(client)  # after the warm-up: before it, /api/stats is a full SQL scan
            for path, params in mix:
                client.get(path, params=params).raise_for_status()
            countries = [c["country"] for c in client.get("/api/stats").json()["by_country"]][:12]
        figures["warmup_s"] = round(time.perf_counter() - t0, 1)
        rss_start, anon_start = _rss_mb(proc.pid), _rss_mb(proc.pid, "RssAnon:")
        cpu0 = time.process_time()
        result = asyncio.run(_load(url, mix, countries, SECONDS, CLIENTS))
        client_cpu = time.process_time() - cpu0  # the clients share the 2 cores with the server
        rss_end, anon_end = _rss_mb(proc.pid), _rss_mb(proc.pid, "RssAnon:")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    lat = result["latencies"]
    figures.update(
        {
            "requests": len(lat),
            "errors": len(result["errors"]),
            "first_error": result["errors"][0] if result["errors"] else "",
            "requests_per_s": round(len(lat) / result["elapsed"], 1),
            "p50_ms": round(_pct(lat, 0.50), 1),
            "p95_ms": round(_pct(lat, 0.95), 1),
            "p99_ms": round(_pct(lat, 0.99), 1),
            "max_ms": round(max(lat), 1),
            "unique_share": round(len(result["unique"]) / max(1, len(lat)), 2),
            "unique_p50_ms": round(_pct(result["unique"], 0.50), 1) if result["unique"] else None,
            "unique_p99_ms": round(_pct(result["unique"], 0.99), 1) if result["unique"] else None,
            "rss_start_mb": round(rss_start, 1),
            "rss_end_mb": round(rss_end, 1),
            "rss_growth_mb": round(rss_end - rss_start, 1),
            "private_start_mb": round(anon_start, 1),
            "private_end_mb": round(anon_end, 1),
            "private_growth_mb": round(anon_end - anon_start, 1),
            "load_average_at_end": round(os.getloadavg()[0], 1),
            "client_cpu_share_of_one_core": round(client_cpu / result["elapsed"], 2),
        }
    )
    return figures
