"""Throughput of the engines on real Arabic news: 1 worker, a pool of 2, Ray at 2 CPUs.

Input: the SaudiNewsNet corpus (30,352 articles) as SCHEMA.md lines; past 30,352 articles the
corpus is repeated with new ids. Each engine reads the same JSONL file and writes its output
lines to a file, as `marsad extract` does; the clock runs from the engine's start (workers
loading the pipeline included) to the last line written. Ray's cluster start is timed apart:
on a real cluster it is already up.

Sizes: MARSAD_BENCH_SCALE_SIZES (comma-separated article counts, default "300,1000"). The
engines are compared at the largest size; the 2-worker pool runs at every size, for the
throughput-against-corpus-size line. The full run of the targets (long: hours at ~10 articles/s a core):

    MARSAD_BENCH_SCALE_SIZES=1000,10000,100000 .venv/bin/python -m bench --only scale

Writes bench/results/scale.png (chart) and bench/results/scale.md (the numbers, machine load).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from pathlib import Path

from bench.corpus import as_input, iter_corpus
from marsad.jsonl import Rejected, read_articles
from marsad.scale.local import LocalEngine, extract_line, peak_rss_mb

RESULTS = Path(__file__).parent / "results"
DEFAULT_SIZES = "300,1000"
RAY_CPUS = 2
SAMPLE_EVERY = 200  # rows between two reads of the workers' peak memory


def _sizes() -> list[int]:
    raw = os.environ.get("MARSAD_BENCH_SCALE_SIZES", DEFAULT_SIZES)
    try:
        sizes = sorted({int(x) for x in raw.split(",") if x.strip()})
    except ValueError as exc:
        raise SystemExit(f"MARSAD_BENCH_SCALE_SIZES={raw!r}: give article counts, e.g. 1000,3000") from exc
    if not sizes or sizes[0] < 1:
        raise SystemExit(f"MARSAD_BENCH_SCALE_SIZES={raw!r}: give positive article counts")
    return sizes


def _articles(shared: Path, n: int) -> Iterator[dict]:
    """n corpus articles in the input format; past the corpus, copies with new ids."""
    made = 0
    copy = 0
    while made < n:
        for doc in iter_corpus(shared):
            item = as_input(doc)
            if copy:
                item["id"] = f"{item['id']}~copy{copy}"
            yield item
            made += 1
            if made >= n:
                return
        copy += 1


def write_input(shared: Path, n: int, folder: Path) -> tuple[Path, float]:
    """The JSONL input of n articles, and its size in MB."""
    path = folder / f"articles-{n}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for item in _articles(shared, n):
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path, path.stat().st_size / 1e6


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Watch:
    """Peak memory and CPU time of the worker processes, sampled while the output streams in.

    CPU time makes the runs comparable on a loaded machine: wall time depends on what others
    run, CPU seconds per article much less.
    """

    def __init__(self, worker_pids: Callable[[], list[int]]) -> None:
        self.worker_pids = worker_pids
        self.peak: dict[int, float] = {}
        self.cpu: dict[int, float] = {}

    def sample(self) -> None:
        for pid in self.worker_pids():
            mb, cpu = peak_rss_mb(pid), _cpu_seconds(pid)
            if mb:  # 0 once the process is gone: keep the last reading
                self.peak[pid] = max(self.peak.get(pid, 0.0), mb)
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)


def _consume(lines: Generator[str | Rejected, None, None], out: Path, watch: _Watch, every: int) -> int:
    """Write the lines, sampling the workers every `every` lines; return the count."""
    n = 0
    with closing(lines), out.open("w", encoding="utf-8") as fh:
        for item in lines:
            if isinstance(item, Rejected):
                raise RuntimeError(f"bench input rejected: {item}")
            fh.write(item)
            n += 1
            if n % every == 0:
                watch.sample()
        watch.sample()
    return n


def _row(n: int, secs: float, cpu: float, peak: float, load: float, label: str) -> dict[str, float]:
    print(
        f"   {label}: {n} articles in {secs:.1f} s, {cpu:.1f} CPU s, peak {peak:.0f} MB/worker (load {load:.1f})",
        flush=True,
    )
    return {"n": n, "seconds": secs, "cpu_s": cpu, "peak_mb": peak, "load": load}


def run_local(path: Path, workers: int, out: Path) -> dict[str, float]:
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    with LocalEngine(workers) as engine:
        watch = _Watch(engine.worker_pids)
        n = _consume(engine.map(extract_line, read_articles(str(path))), out, watch, SAMPLE_EVERY)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    if workers == 1:  # the pipeline ran here: this process is the worker
        peak = peak_rss_mb(os.getpid())
    else:
        peak = max(watch.peak.values())
        cpu += sum(watch.cpu.values())
    return _row(n, secs, cpu, peak, load, f"local, {workers} worker(s)")


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    out: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            try:
                kids = {int(x) for x in task.read_text().split()}
            except OSError:
                continue
            todo += kids - out
            out |= kids
    return out


class _RayActors:
    """The pids of the pipeline actors (processes below this one named after PipelineWorker)."""

    def __init__(self) -> None:
        self.found: list[int] = []

    def __call__(self) -> list[int]:
        if len(self.found) < RAY_CPUS:  # the pool is fixed: stop scanning once all are up
            self.found = []
            for pid in _descendants(os.getpid()):
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"PipelineWorker" in cmd:
                    self.found.append(pid)
        return self.found


def run_ray(path: Path, out: Path) -> dict[str, float]:
    from marsad.scale.ray_engine import build_dataset, iter_rows

    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    watch = _Watch(_RayActors())
    # Sampled often: the actors exit with the job, and their CPU time with them.
    n = _consume(iter_rows(build_dataset([str(path)], RAY_CPUS)), out, watch, 10)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    cpu += sum(watch.cpu.values())
    return _row(n, secs, cpu, max(watch.peak.values(), default=0.0), load, f"ray, {RAY_CPUS} CPUs")


def _chart(rows: dict[str, dict[str, float]], sweep: list[dict[str, float]], mb: float, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.4))
    one, proj_one = rows["local_1"]["aps"], rows["local_1"]["proj_aps"]
    ax1.plot([1, 2], [proj_one, 2 * proj_one], ":", color="grey", label="linear (2× one worker)")
    ax1.plot([1, 2], [one, rows["local_2"]["aps"]], "o-", color="C0", label="process pool, measured")
    ax1.plot(
        [1, 2],
        [proj_one, rows["local_2"]["proj_aps"]],
        "o--",
        color="C0",
        mfc="none",
        label="process pool, idle cores*",
    )
    ax1.plot([2], [rows["ray_2"]["aps"]], "s", color="C1", markersize=9, label=f"Ray {RAY_CPUS} CPUs, measured")
    ax1.plot(
        [2],
        [rows["ray_2"]["proj_aps"]],
        "s",
        color="C1",
        mfc="none",
        markersize=9,
        label=f"Ray {RAY_CPUS} CPUs, idle cores*",
    )
    ax1.set_xticks([1, 2])
    ax1.set_xlim(0.7, 2.3)
    ax1.set_xlabel("workers")
    ax1.set_ylabel("articles / s")
    ax1.set_title(f"throughput, {rows['local_1']['n']:,} articles ({mb:.1f} MB)")
    ax1.set_ylim(bottom=0)
    ax1.legend(loc="upper left", fontsize=8)
    ns = [s["n"] for s in sweep]
    ax2.plot(ns, [s["aps"] for s in sweep], "o-", color="C0", label="measured")
    ax2.plot(ns, [s["proj_aps"] for s in sweep], "o--", color="C0", mfc="none", label="idle cores*")
    ax2.set_xscale("log")
    ax2.set_ylim(bottom=0)
    ax2.set_xlabel("articles in the input")
    ax2.set_ylabel("articles / s (2-worker pool)")
    ax2.set_title("throughput against corpus size")
    ax2.legend(loc="lower right", fontsize=8)
    fig.text(0.01, 0.01, "* workers / CPU seconds per article: the rate with a whole core per worker", fontsize=8)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(png, dpi=110)
    plt.close(fig)


def _table(rows: dict[str, dict[str, float]], sweep: list[dict[str, float]], extra: dict[str, object]) -> str:
    names = {
        "local_1": "1 worker (in process)",
        "local_2": "2 workers (process pool)",
        "ray_2": f"Ray Data, {RAY_CPUS} CPUs",
    }
    base = rows["local_1"]
    out = [
        "# Scale benchmark (`bench/bench_scale.py`)",
        "",
        f"Run {extra['when']} on {os.cpu_count()} cores shared with other engineers' jobs; load average "
        f"(1/5/15 min) {extra['load_before']} before, {extra['load_after']} after. Wall-clock figures "
        "depend on that load; CPU seconds per article much less, so the table gives both: "
        "*idle-core rate* = workers / CPU seconds per article (all the engine's processes: reader, "
        "writer, workers; not Ray's own daemons), the rate each engine would reach with a whole core "
        "per worker.",
        "",
        "![throughput](scale.png)",
        "",
        "| engine | articles | wall s | articles/s | MB/s | speed-up | CPU ms / article | idle-core rate "
        "(articles/s) | idle-core speed-up | peak MB per worker | load at start |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in names.items():
        r = rows[key]
        out.append(
            f"| {label} | {r['n']:,} | {r['seconds']:.1f} | {r['aps']:.2f} | {r['mbps']:.3f} | "
            f"{r['aps'] / base['aps']:.2f}× | {r['cpu_ms']:.0f} | {r['proj_aps']:.2f} | "
            f"{r['proj_aps'] / base['proj_aps']:.2f}× | {r['peak_mb']:.0f} | {r['load']:.1f} |"
        )
    out += [
        "",
        f"Ray / process pool: {extra['ray_vs_pool']:.2f} measured, {extra['ray_vs_pool_idle']:.2f} at the "
        f"idle-core rate. Ray's cluster start ({extra['ray_start_s']} s) is not in its time: on a cluster "
        "it is already up. Outputs of the three engines identical: "
        f"{'yes' if extra['same'] else 'NO'}.",
        "",
        "Throughput against corpus size (2-worker pool):",
        "",
        "| articles | MB | wall s | articles/s | MB/s | CPU ms / article | idle-core rate | peak MB per worker "
        "| load at start |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sweep:
        out.append(
            f"| {r['n']:,} | {r['mb']:.1f} | {r['seconds']:.1f} | {r['aps']:.2f} | {r['mbps']:.3f} | "
            f"{r['cpu_ms']:.0f} | {r['proj_aps']:.2f} | {r['peak_mb']:.0f} | {r['load']:.1f} |"
        )
    out += [
        "",
        f"Rerun: `MARSAD_BENCH_SCALE_SIZES={','.join(str(r['n']) for r in sweep)} "
        ".venv/bin/python -m bench --only scale` (or `make bench` for every benchmark).",
    ]
    return "\n".join(out) + "\n"


def _derive(r: dict[str, float], mb: float, workers: int) -> dict[str, float]:
    r["mb"] = mb
    r["aps"] = r["n"] / r["seconds"]
    r["mbps"] = mb / r["seconds"]
    r["cpu_ms"] = 1000 * r["cpu_s"] / r["n"]
    r["proj_aps"] = workers * r["n"] / r["cpu_s"]
    return r


def run(shared: Path) -> dict[str, object]:
    import ray

    sizes = _sizes()
    big = sizes[-1]
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="marsad-bench-scale-") as tmp:
        folder = Path(tmp)
        inputs = {n: write_input(shared, n, folder) for n in sizes}
        path, mb = inputs[big]
        rows: dict[str, dict[str, float]] = {}
        rows["local_1"] = _derive(run_local(path, 1, folder / "out-1.jsonl"), mb, 1)
        sweep = [_derive(run_local(inputs[n][0], 2, folder / f"out-2-{n}.jsonl"), inputs[n][1], 2) for n in sizes]
        rows["local_2"] = sweep[-1]
        t0 = time.perf_counter()
        ray.init(num_cpus=RAY_CPUS, include_dashboard=False, log_to_driver=False)
        ray_start = round(time.perf_counter() - t0, 1)
        try:
            rows["ray_2"] = _derive(run_ray(path, folder / "out-ray.jsonl"), mb, RAY_CPUS)
        finally:
            ray.shutdown()
        outputs = [folder / "out-1.jsonl", folder / f"out-2-{big}.jsonl", folder / "out-ray.jsonl"]
        same = len({p.read_bytes() for p in outputs}) == 1
    extra: dict[str, object] = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "ray_start_s": ray_start,
        "ray_vs_pool": rows["ray_2"]["aps"] / rows["local_2"]["aps"],
        "ray_vs_pool_idle": rows["ray_2"]["proj_aps"] / rows["local_2"]["proj_aps"],
        "same": same,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    _chart(rows, sweep, mb, RESULTS / "scale.png")
    (RESULTS / "scale.md").write_text(_table(rows, sweep, extra), encoding="utf-8")
    figures: dict[str, object] = {"articles": big, "input_mb": round(mb, 2)}
    for key, r in rows.items():
        figures[f"{key}_articles_per_s"] = round(r["aps"], 2)
        figures[f"{key}_mb_per_s"] = round(r["mbps"], 3)
        figures[f"{key}_cpu_ms_per_article"] = round(r["cpu_ms"])
        figures[f"{key}_idle_core_articles_per_s"] = round(r["proj_aps"], 2)
        figures[f"{key}_peak_mb_per_worker"] = round(r["peak_mb"])
    figures["speedup_2_workers"] = round(rows["local_2"]["aps"] / rows["local_1"]["aps"], 2)
    figures["speedup_2_workers_idle_cores"] = round(rows["local_2"]["proj_aps"] / rows["local_1"]["proj_aps"], 2)
    figures["ray_vs_pool"] = round(float(extra["ray_vs_pool"]), 2)  # type: ignore[arg-type]
    figures["ray_vs_pool_idle_cores"] = round(float(extra["ray_vs_pool_idle"]), 2)  # type: ignore[arg-type]
    figures["ray_cluster_start_s"] = ray_start
    for r in sweep:
        figures[f"pool_2_articles_per_s_at_{r['n']}"] = round(r["aps"], 2)
        figures[f"pool_2_cpu_ms_per_article_at_{r['n']}"] = round(r["cpu_ms"])
    figures["outputs_identical"] = same
    figures["load_avg_before"] = load_before
    figures["load_avg_after"] = extra["load_after"]
    return figures
