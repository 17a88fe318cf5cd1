"""Sustained load on the API: concurrent clients for a fixed time against `marsad serve` on 127.0.0.1.

The server runs as its own process (so its memory can be sampled from /proc) over the synthetic
database bench_api builds and caches (1,000,000 events unless MARSAD_BENCH_EVENTS says otherwise).
The clients are wrk's (Debian's `wrk`, C and an event loop: `make bench` installs it): a Python
load generator took a whole core of this 2-core machine away from the server it was measuring.
Each connection is a client that sends its next request as soon as the last answer came back (no
think time: the hardest case). The requests are a list written here: the views every dashboard
opens on (the same requests again and again, which the server's response cache answers between
two writes), and, with probability MARSAD_LOAD_UNIQUE (default 0.3), a request never asked
before (a random country, type, day range and page), which must be computed.

A warm-up of MARSAD_LOAD_WARMUP_S seconds (default 15; its own never-repeated requests) runs
before the measured minute: the response caches fill to their bound there, as in any server that
has been up for a while; memory is reported for both phases and sampled every 5 s in the measured
one. Figures: requests, errors (connect/read/write errors, timeouts, non-2xx/3xx answers),
throughput, p50/p95/p99 latency, the server's RSS and private memory, the CPU of server and clients.

MARSAD_LOAD_SECONDS (default 60), MARSAD_LOAD_CLIENTS (default 50) and MARSAD_LOAD_SERVER_WORKERS
(default 2) change the run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.bench_api import N_EVENTS, _cached_sqlite, _free_port, _queries
from bench.bench_scale import _cpu_seconds, _descendants

SECONDS = float(os.environ.get("MARSAD_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("MARSAD_LOAD_CLIENTS", "50"))
UNIQUE = float(os.environ.get("MARSAD_LOAD_UNIQUE", "0.3"))
SERVER_WORKERS = os.environ.get("MARSAD_LOAD_SERVER_WORKERS", "2")
WARMUP_S = float(os.environ.get("MARSAD_LOAD_WARMUP_S", "15"))
WRK_THREADS = 2
LUA = Path(__file__).parent / "lua" / "paths.lua"
# Request paths written per second of load: more than the server answers, so that no wrk thread
# comes back to the start of its list (which would repeat the never-repeated requests).
PATHS_PER_S = 2500
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


def _paths(mix: list[tuple[str, dict[str, Any]]], countries: list[str], n: int, seed: int) -> list[str]:
    """`n` request paths: the mix in turn, a never-repeated request with probability UNIQUE."""
    rnd = random.Random(seed)
    fresh = _unique_requests(countries, seed=seed + 1)
    out = []
    for i in range(n):
        path, params = next(fresh) if rnd.random() < UNIQUE else mix[i % len(mix)]
        out.append(f"{path}?{urlencode(params)}" if params else path)
    return out


def _wrk(url: str, paths: list[str], seconds: float, clients: int, folder: Path) -> dict[str, Any]:
    """One wrk run over `paths`; its JSON summary with the clients' CPU seconds."""
    listing = folder / "paths.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = ["wrk", "-t", str(WRK_THREADS), "-c", str(clients), "-d", f"{seconds:.0f}s", "--timeout", "30s"]
    done = subprocess.run(
        [*cmd, "-s", str(LUA), url, "--", str(listing), str(WRK_THREADS)],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
    summary = next((line for line in done.stdout.splitlines() if line.startswith("{")), None)
    if summary is None:
        raise RuntimeError(f"wrk printed no summary: {done.stdout[-500:]}")
    out: dict[str, Any] = json.loads(summary)
    out["client_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return out


class _Memory(threading.Thread):
    """Samples the server's private memory every `every` seconds until stopped."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[float] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.samples.append(round(_rss_mb(self.pid, "RssAnon:"), 1))
            if self._stop_event.wait(self.every):
                return

    def stop(self) -> list[float]:
        self._stop_event.set()
        self.join()
        self.samples.append(round(_rss_mb(self.pid, "RssAnon:"), 1))
        return self.samples


def _health_of_each(url: str, pids: int, ok: Callable[[dict], bool], limit_s: float) -> dict[int, dict]:
    """`/api/health` of every server process once `ok` holds for it.

    A new connection each time, so that each worker process gets asked in turn."""
    seen: dict[int, dict] = {}
    t0 = time.perf_counter()
    while len(seen) < pids:
        if time.perf_counter() - t0 > limit_s:
            raise RuntimeError(f"the server's {pids} processes did not all answer as expected in {limit_s:.0f} s")
        health = httpx.get(url + "/api/health", headers={"Connection": "close"}, timeout=60).json()
        if ok(health):
            seen[health["pid"]] = health
        else:
            time.sleep(0.5)
    return seen


def _cache_bytes(url: str, pids: int) -> int:
    """The response caches' bodies in bytes, summed over the server's processes."""
    return sum(h["response_cache"]["bytes"] for h in _health_of_each(url, pids, lambda h: True, 60.0).values())


def run(shared: Path) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: `make bench-deps` (or apt-get install wrk)")
    db, built = _cached_sqlite(N_EVENTS)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    figures: dict[str, Any] = {
        "events": N_EVENTS,
        "clients": CLIENTS,
        "server_workers": SERVER_WORKERS,
        "load_seconds": SECONDS,
        "warmup_seconds": WARMUP_S,
        "unique_share": UNIQUE,
        "load_generator": "wrk",
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }
    if built is not None:
        figures["sqlite_build_s"] = round(built, 1)
    env = {**os.environ, "MARSAD_CORS_ORIGINS": "", "MARSAD_READ_TOKEN": ""}
    cmd = [sys.executable, "-m", "marsad", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", SERVER_WORKERS], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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
            # Wait until every server process has its column copy loaded (before, SQL answers).
            _health_of_each(url, int(SERVER_WORKERS), lambda h: h["ready"], WARMUP_LIMIT_S)
            mix = _requests(client)
            countries = [c["country"] for c in client.get("/api/stats").json()["by_country"]][:12]
        figures["server_start_s"] = round(time.perf_counter() - t0, 1)
        server = [proc.pid, *_descendants(proc.pid)]
        with TemporaryDirectory(prefix="marsad-load-") as tmp:
            folder = Path(tmp)
            mem0 = _rss_mb(proc.pid, "RssAnon:")
            if WARMUP_S > 0:
                warm = _paths(mix, countries, int(PATHS_PER_S * WARMUP_S), seed=1)
                _wrk(url, warm, WARMUP_S, CLIENTS, folder)
            rss_start, mem1 = _rss_mb(proc.pid), _rss_mb(proc.pid, "RssAnon:")
            mapped_start = _rss_mb(proc.pid, "RssFile:")
            cache_start = _cache_bytes(url, int(SERVER_WORKERS))
            paths = _paths(mix, countries, int(PATHS_PER_S * SECONDS), seed=2)
            sampler = _Memory(proc.pid)
            sampler.start()
            cpu0 = sum(_cpu_seconds(p) for p in server)
            result = _wrk(url, paths, SECONDS, CLIENTS, folder)
            server_cpu = sum(_cpu_seconds(p) for p in server) - cpu0
            memory = sampler.stop()
            rss_end, mapped_end = _rss_mb(proc.pid), _rss_mb(proc.pid, "RssFile:")
            cache_end = _cache_bytes(url, int(SERVER_WORKERS))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    elapsed = result["duration_us"] / 1e6
    errors = {k: result[k] for k in ("connect", "read", "write", "status", "timeout")}
    figures.update(
        {
            "requests": result["requests"],
            "errors": sum(errors.values()),
            "error_kinds": errors,
            "requests_per_s": round(result["requests"] / elapsed, 1),
            "p50_ms": round(result["p50_us"] / 1000, 1),
            "p95_ms": round(result["p95_us"] / 1000, 1),
            "p99_ms": round(result["p99_us"] / 1000, 1),
            "max_ms": round(result["max_us"] / 1000, 1),
            "request_list_wrapped": result["wrapped"],
            "rss_start_mb": round(rss_start, 1),
            "rss_end_mb": round(rss_end, 1),
            # pages of the database file read through SQLite's mapping, counted in each process
            # that touched them: the kernel's shared page cache, not memory the server holds
            "mapped_file_start_mb": round(mapped_start, 1),
            "mapped_file_end_mb": round(mapped_end, 1),
            "private_before_warmup_mb": round(mem0, 1),
            "private_start_mb": memory[0],
            "private_end_mb": memory[-1],
            "private_growth_warmup_mb": round(mem1 - mem0, 1),
            "private_growth_mb": round(memory[-1] - memory[0], 1),
            "private_samples_mb": memory,
            "response_cache_start_mb": round(cache_start / 1e6, 1),
            "response_cache_end_mb": round(cache_end / 1e6, 1),
            "load_average_at_end": round(os.getloadavg()[0], 1),
            "server_cpu_cores": round(server_cpu / elapsed, 2),
            "client_cpu_share_of_one_core": round(result["client_cpu_s"] / elapsed, 2),
        }
    )
    return figures
