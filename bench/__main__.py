"""Run the benchmarks and write their figures to bench/results/latest.json.

Each module bench/bench_NAME.py defines `run(shared: Path) -> dict[str, object]`, a flat dict of
named figures. `python -m bench --only NAME` runs one.

Each benchmark runs in a fresh Python process. In one process, what an earlier benchmark left
behind (a gazetteer's million objects, caches, a fragmented heap) slowed the next one's timings:
the HTML ingest rate read 49, 55 and 60 pages per CPU second after the geocoding benchmark
against 65, 65 and 68 alone, on the same code within a minute.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def _run_one(name: str, shared: Path, out: Path) -> None:
    """The child's side: one benchmark, its figures written as JSON to `out`."""
    figures = importlib.import_module(f"bench.{name}").run(shared)
    out.write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")


def _in_child(name: str, shared: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench_") as d:
        out = Path(d) / "figures.json"
        cmd = [sys.executable, "-m", "bench", "--shared", str(shared), "--child", name, "--child-out", str(out)]
        code = subprocess.run(cmd, cwd=HERE.parent, check=False).returncode
        if code != 0 or not out.exists():
            raise RuntimeError(f"the benchmark process exited with status {code}; its error is printed above")
        return json.loads(out.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--shared", default=str(HERE.parent.parent / "shared"), help="path to ../shared")
    parser.add_argument("--only", action="append", help="run only these benchmarks (repeatable)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shared = Path(args.shared).resolve()
    if args.child:
        _run_one(args.child, shared, Path(args.child_out))
        return 0
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only or n in args.only]
    results: dict[str, dict[str, object]] = {}
    failed = 0
    for name in names:
        t0 = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            figures = _in_child(name, shared)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed += 1
            print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        figures["seconds"] = round(time.perf_counter() - t0, 1)
        results[name] = figures
        for key, value in figures.items():
            print(f"   {key:40s} {value}", flush=True)
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.only and out.exists():  # a partial run updates its own entries, keeps the others'
        results = json.loads(out.read_text(encoding="utf-8")) | results
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
