"""Run the benchmarks and write their figures to bench/results/latest.json.

Each module bench/bench_NAME.py defines `run(shared: Path) -> dict[str, object]`, a flat dict of
named figures. `python -m bench --only NAME` runs one.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--shared", default=str(HERE.parent.parent / "shared"), help="path to ../shared")
    parser.add_argument("--only", action="append", help="run only these benchmarks (repeatable)")
    args = parser.parse_args(argv)
    shared = Path(args.shared).resolve()
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only or n in args.only]
    results: dict[str, dict[str, object]] = {}
    failed = 0
    for name in names:
        t0 = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            figures = importlib.import_module(f"bench.{name}").run(shared)
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
