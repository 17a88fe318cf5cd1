"""Sustained load on the API: concurrent clients for a fixed time against `marsad serve` on 127.0.0.1.

The server runs as its own process (so its memory can be sampled from /proc) over the synthetic
database bench_api builds and caches (1,000,000 events unless MARSAD_BENCH_EVENTS says otherwise).
Each client loops over a mix of /api/events filters, /api/stats and /api/map requests.
Figures: requests, errors (any non-200 or transport error), throughput, p50/p95/p99 latency, and
the server's RSS at the start of the load (after warm-up) and at its end.

MARSAD_LOAD_SECONDS (default 60) and MARSAD_LOAD_CLIENTS (default 50) shorten a quick run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_api import N_EVENTS, _cached_sqlite, _free_port, _pct, _queries

SECONDS = float(os.environ.get("MARSAD_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("MARSAD_LOAD_CLIENTS", "50"))
WARMUP_LIMIT_S = 300.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _requests(client: httpx.Client) -> list[tuple[str, dict[str, Any]]]:
    mix: list[tuple[str, dict[str, Any]]] = [("/api/events", q) for q in _queries(client)]
    mix += [
        ("/api/stats", {}),
        ("/api/stats", {"event_type": "Battles", "period": "month"}),
        ("/api/map", {"zoom": 4, "bbox": "-20,0,65,45"}),
        ("/api/map", {"zoom": 7, "bbox": "35.5,32,38.5,37"}),
    ]
    return mix


async def _load(url: str, mix: list[tuple[str, dict[str, Any]]], seconds: float, clients: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    async def client_loop(n: int, client: httpx.AsyncClient) -> None:
        i = n
        while time.perf_counter() < stop:
            path, params = mix[i % len(mix)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = await client.get(path, params=params)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {path} {params}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {path} {params}")
            latencies.append((time.perf_counter() - t0) * 1000)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(client_loop(n, client) for n in range(clients)))
        elapsed = time.perf_counter() - t0
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def run(shared: Path) -> dict[str, Any]:
    db, built = _cached_sqlite(N_EVENTS)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    figures: dict[str, Any] = {
        "events": N_EVENTS,
        "clients": CLIENTS,
        "seconds": SECONDS,
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }
    if built is not None:
        figures["sqlite_build_s"] = round(built, 1)
    env = {**os.environ, "MARSAD_CORS_ORIGINS": "", "MARSAD_READ_TOKEN": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "marsad", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
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
            # Warm up until the column copy is loaded: a country filter answers fast from it.
            while time.perf_counter() - t0 < WARMUP_LIMIT_S:
                t1 = time.perf_counter()
                try:
                    client.get("/api/events", params={"country": "SY", "event_type": "Battles"}).raise_for_status()
                except httpx.TimeoutException:
                    continue
                if time.perf_counter() - t1 < 0.5:
                    break
                time.sleep(1.0)
            mix = _requests(client)  # after the warm-up: before it, /api/stats is a full SQL scan
            for path, params in mix:
                client.get(path, params=params).raise_for_status()
        figures["warmup_s"] = round(time.perf_counter() - t0, 1)
        rss_start = _rss_mb(proc.pid)
        result = asyncio.run(_load(url, mix, SECONDS, CLIENTS))
        rss_end = _rss_mb(proc.pid)
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
            "rss_start_mb": round(rss_start, 1),
            "rss_end_mb": round(rss_end, 1),
            "rss_growth_mb": round(rss_end - rss_start, 1),
            "load_average_at_end": round(os.getloadavg()[0], 1),
        }
    )
    return figures
