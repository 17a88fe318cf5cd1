"""Throughput of the engines on real Arabic news: 1 worker, a pool of 2, Ray at 2 CPUs.

Input: the SaudiNewsNet corpus (30,352 articles) as SCHEMA.md lines; past 30,352 articles the
corpus is repeated with new ids. Each engine reads the same JSONL file and writes its output
lines to a file, as `marsad extract` does; the clock runs from the engine's start (workers
loading the pipeline included) to the last line written. Ray's cluster start, and the helper
actors Ray Data starts at a cluster's first job, are timed apart: on a real cluster they are up.

Sizes: MARSAD_BENCH_SCALE_SIZES (comma-separated article counts, default "300,1000"). The
engines are compared at MARSAD_BENCH_SCALE_COMPARE articles (default: the largest size),
MARSAD_BENCH_SCALE_ROUNDS times each (default 2),
taking turns so that load from other jobs weighs on each alike; the 2-worker pool also runs at
the smaller sizes, for the throughput-against-corpus-size line. CPU seconds per article are
measured beside wall time: on a shared machine they are the steadier figure. The run of the
targets (the engines race on 10,000 articles; the pool alone goes on to 100,000):

    MARSAD_BENCH_SCALE_SIZES=1000,10000,100000 MARSAD_BENCH_SCALE_COMPARE=10000 \
        MARSAD_BENCH_SCALE_ROUNDS=1 .venv/bin/python -m bench --only scale

Writes bench/results/scale.png (chart) and bench/results/scale.md (the numbers, machine load).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from pathlib import Path

from bench.corpus import as_input, iter_corpus
from marsad.jsonl import Rejected, read_articles
from marsad.scale.local import LocalEngine, extract_line, peak_rss_mb

RESULTS = Path(__file__).parent / "results"
DEFAULT_SIZES = "300,1000"
DEFAULT_ROUNDS = 2
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
            if not (doc.get("text") or "").strip():
                continue  # a few corpus entries are a title alone: not an article to extract
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
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        with self._lock:
            for pid in self.worker_pids():
                mb, cpu = peak_rss_mb(pid), _cpu_seconds(pid)
                if mb:  # 0 once the process is gone: keep the last reading
                    self.peak[pid] = max(self.peak.get(pid, 0.0), mb)
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu)

    def __enter__(self) -> _Watch:
        # A clock of its own as well: Ray's actors exit as soon as their last batch is done,
        # which can be before the driver has read the last rows.
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                self.sample()
            except RuntimeError:  # the pool's process table changed under us: next time
                continue


def _consume(
    lines: Generator[str | Rejected, None, None], out: Path, watch: _Watch, every: int
) -> tuple[int, float, float]:
    """Write the lines, sampling the workers every `every` lines.

    Returns the count, and the clock and CPU time (this process and the workers) at the first
    line: what comes after it is the steady state, with every worker's pipeline loaded.
    """
    n = 0
    t_first = cpu_first = 0.0
    with closing(lines), out.open("w", encoding="utf-8") as fh:
        for item in lines:
            if isinstance(item, Rejected):
                raise RuntimeError(f"bench input rejected: {item}")
            fh.write(item)
            n += 1
            if n == 1:
                t_first = time.perf_counter()
                watch.sample()
                cpu_first = time.process_time() + sum(watch.cpu.values())
            elif n % every == 0:
                watch.sample()
        watch.sample()
    return n, t_first, cpu_first


def _row(
    label: str, n: int, t0: float, t_first: float, cpu: float, cpu_first: float, peak: float, load: float
) -> dict[str, float]:
    end = time.perf_counter()
    r = {
        "n": n,
        "seconds": end - t0,
        "first_s": t_first - t0,
        "steady_s": end - t_first,
        "steady_cpu_s": cpu - cpu_first,
        "peak_mb": peak,
        "load": load,
    }
    print(
        f"   {label}: {n} articles in {r['seconds']:.1f} s (first line after {r['first_s']:.1f} s), "
        f"{r['steady_cpu_s']:.1f} CPU s after the first line, peak {peak:.0f} MB/worker (load {load:.1f})",
        flush=True,
    )
    return r


def _local_run(path: Path, workers: int, out: Path) -> dict[str, float]:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with LocalEngine(workers) as engine, _Watch(engine.worker_pids) as watch:
        n, t_first, cpu_first = _consume(engine.map(extract_line, read_articles(str(path))), out, watch, SAMPLE_EVERY)
        watch.sample()
        cpu = time.process_time() + sum(watch.cpu.values())
    # With one worker the pipeline ran in this process, so this process is the worker.
    peak = peak_rss_mb(os.getpid()) if workers == 1 else max(watch.peak.values())
    return _row(f"local, {workers} worker(s)", n, t0, t_first, cpu, cpu_first, peak, load)


def run_local(path: Path, workers: int, out: Path) -> dict[str, float]:
    """The local engine, always in fresh processes.

    One worker runs in a child process of its own: like the pool's workers it loads the pipeline
    from the code on disk (this process may hold older code when the tree changes under a long
    run) and its peak memory is its own, not this benchmark's.
    """
    if workers > 1:
        return _local_run(path, workers, out)
    with mp.get_context("forkserver").Pool(1) as pool:
        return pool.apply(_local_run, (path, 1, out))


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
    t0 = time.perf_counter()
    with _Watch(_RayActors()) as watch:
        n, t_first, cpu_first = _consume(iter_rows(build_dataset([str(path)], RAY_CPUS)), out, watch, 10)
    cpu = time.process_time() + sum(watch.cpu.values())
    peak = max(watch.peak.values(), default=0.0)
    return _row(f"ray, {RAY_CPUS} CPUs", n, t0, t_first, cpu, cpu_first, peak, load)


class _Echo:
    def __call__(self, batch: dict) -> dict:
        return batch


def _first_ray_data_job() -> None:
    """A tiny Ray Data job with an actor pool, run once on the new cluster before the clock starts.

    Ray Data's first job on a cluster starts three detached helper actors (statistics, actor
    locations, autoscaling requests: a Python process each, ~1.5 s of CPU apiece) that live as
    long as the cluster and serve every later job. Timed apart, like the cluster's own start: on
    a running cluster they are already up.
    """
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    ray.data.range(4, override_num_blocks=2).map_batches(_Echo, compute=ray.data.ActorPoolStrategy(size=1)).take_all()


def _chart(rows: dict[str, dict[str, float]], sweep: list[dict[str, float]], mb: float, rounds: int, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.4))
    one, proj_one = rows["local_1"]["steady_aps"], rows["local_1"]["proj_aps"]
    ax1.plot([1, 2], [proj_one, 2 * proj_one], ":", color="grey", label="linear (2× one worker)")
    ax1.plot([1, 2], [one, rows["local_2"]["steady_aps"]], "o-", color="C0", label="process pool, measured")
    ax1.plot(
        [1, 2],
        [proj_one, rows["local_2"]["proj_aps"]],
        "o--",
        color="C0",
        mfc="none",
        label="process pool, idle cores*",
    )
    ax1.plot([2], [rows["ray_2"]["steady_aps"]], "s", color="C1", markersize=9, label=f"Ray {RAY_CPUS} CPUs, measured")
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
    ax1.set_ylabel("articles / s (after the first line)")
    n = int(rows["local_1"]["n"]) // rounds
    ax1.set_title(f"throughput, {n:,} articles ({mb:.1f} MB) × {rounds} rounds")
    ax1.set_ylim(bottom=0)
    ax1.legend(loc="upper left", fontsize=8)
    ns = [s["size"] for s in sweep]
    ax2.plot(ns, [s["steady_aps"] for s in sweep], "o-", color="C0", label="measured")
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
        f"(1/5/15 min) {extra['load_before']} before, {extra['load_after']} after. On this machine wall-clock "
        "figures say more about the others' jobs than about marsad, so the table gives three views:",
        "",
        "- *end to end*: input to last line, workers loading the pipeline included;",
        "- *steady*: from the first output line to the last (every pipeline loaded);",
        "- *idle-core rate*: workers / CPU seconds per article in the steady state (all the engine's "
        "processes: reader, writer, workers; not Ray's own daemons), the rate with a whole core per worker.",
        "",
        f"Each engine ran {extra['rounds']} times over the same {extra['big']:,} articles "
        f"({extra['mb']:.1f} MB), the engines taking turns in a rotating order; the table sums the rounds.",
        "",
        "![throughput](scale.png)",
        "",
        "| engine | articles | end to end s | first line s | articles/s | MB/s | speed-up | steady articles/s "
        "| steady speed-up | CPU ms / article | idle-core articles/s | idle-core speed-up | peak MB per worker "
        "| load at start |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in names.items():
        r = rows[key]
        out.append(
            f"| {label} | {r['n']:,} | {r['seconds']:.1f} | {r['first_s']:.1f} | {r['aps']:.2f} | "
            f"{r['mbps']:.3f} | {r['aps'] / base['aps']:.2f}× | {r['steady_aps']:.2f} | "
            f"{r['steady_aps'] / base['steady_aps']:.2f}× | {r['cpu_ms']:.0f} | {r['proj_aps']:.2f} | "
            f"{r['proj_aps'] / base['proj_aps']:.2f}× | {r['peak_mb']:.0f} | {r['load']:.1f} |"
        )
    out += [
        "",
        f"Ray / process pool: {extra['ray_vs_pool']:.2f} end to end, {extra['ray_vs_pool_steady']:.2f} steady, "
        f"{extra['ray_vs_pool_idle']:.2f} at the idle-core rate. Ray's cluster start ({extra['ray_start_s']} s) "
        f"and the helper actors Ray Data starts for the cluster at its first job ({extra['ray_setup_s']} s) "
        "are in none of these: on a cluster they are already up. The outputs of the three engines are "
        f"identical: {'yes' if extra['same'] else 'NO'}"
        f"{'' if extra['same'] else ' (the code on disk changed between runs, or a bug: see the log)'}. "
        "One worker runs in a child process of its own; a Ray actor's memory includes Ray's own runtime.",
        "",
        "Throughput against corpus size (2-worker pool):",
        "",
        "| articles | MB | end to end s | articles/s | steady articles/s | CPU ms / article | idle-core articles/s "
        "| peak MB per worker | load at start |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sweep:
        out.append(
            f"| {r['size']:,} | {r['mb']:.1f} | {r['seconds']:.1f} | {r['aps']:.2f} | {r['steady_aps']:.2f} | "
            f"{r['cpu_ms']:.0f} | {r['proj_aps']:.2f} | {r['peak_mb']:.0f} | {r['load']:.1f} |"
        )
    out += [
        "",
        f"Rerun: `MARSAD_BENCH_SCALE_SIZES={','.join(str(r['size']) for r in sweep)} "
        f"MARSAD_BENCH_SCALE_ROUNDS={extra['rounds']} .venv/bin/python -m bench --only scale` "
        "(`make bench` runs every benchmark).",
    ]
    return "\n".join(out) + "\n"


def _derive(r: dict[str, float], mb: float, workers: int) -> dict[str, float]:
    rounds = r.get("rounds", 1)
    steady_n = r["n"] - rounds  # the first line of each round is before the steady state
    r["mb"] = mb
    r["aps"] = r["n"] / r["seconds"]
    r["mbps"] = mb / r["seconds"]
    r["steady_aps"] = steady_n / r["steady_s"]
    r["cpu_ms"] = 1000 * r["steady_cpu_s"] / steady_n
    r["proj_aps"] = workers * steady_n / r["steady_cpu_s"]
    r["first_s"] = r["first_s"] / rounds
    return r


def _compare_size(sizes: list[int]) -> int:
    """The size at which the three engines race (the others run the 2-worker pool only)."""
    raw = os.environ.get("MARSAD_BENCH_SCALE_COMPARE", str(sizes[-1]))
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"MARSAD_BENCH_SCALE_COMPARE={raw!r}: give an article count, e.g. 10000")
    return int(raw)


def _rounds() -> int:
    raw = os.environ.get("MARSAD_BENCH_SCALE_ROUNDS", str(DEFAULT_ROUNDS))
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"MARSAD_BENCH_SCALE_ROUNDS={raw!r}: give a whole number of rounds, e.g. 2")
    return int(raw)


def _combine(runs: list[dict[str, float]]) -> dict[str, float]:
    """Several rounds of one engine as one run: totals, the highest peak, the mean load."""
    out = {key: sum(r[key] for r in runs) for key in ("n", "seconds", "first_s", "steady_s", "steady_cpu_s")}
    out["peak_mb"] = max(r["peak_mb"] for r in runs)
    out["load"] = sum(r["load"] for r in runs) / len(runs)
    out["rounds"] = len(runs)
    return out


def run(shared: Path) -> dict[str, object]:
    import ray

    sizes = _sizes()
    rounds = _rounds()
    big = _compare_size(sizes)
    sizes = sorted(set(sizes) | {big})
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="marsad-bench-scale-") as tmp:
        folder = Path(tmp)
        inputs = {n: write_input(shared, n, folder) for n in sizes}
        path, mb = inputs[big]
        t0 = time.perf_counter()
        ray.init(num_cpus=RAY_CPUS, include_dashboard=False, log_to_driver=False)
        ray_start = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        _first_ray_data_job()
        ray_setup = round(time.perf_counter() - t0, 1)
        engines: dict[str, Callable[[Path], dict[str, float]]] = {
            "local_1": lambda out: run_local(path, 1, out),
            "local_2": lambda out: run_local(path, 2, out),
            "ray_2": lambda out: run_ray(path, out),
        }
        runs: dict[str, list[dict[str, float]]] = {key: [] for key in engines}
        try:
            # The engines take turns, in a rotating order, so that the other jobs on the machine
            # weigh on each about equally.
            for k in range(rounds):
                order = list(engines)[k % 3 :] + list(engines)[: k % 3]
                for key in order:
                    runs[key].append(engines[key](folder / f"out-{key}.jsonl"))
        finally:
            ray.shutdown()
        rows = {key: _derive(_combine(r), mb * rounds, int(key[-1])) for key, r in runs.items()}
        texts = [(folder / f"out-{key}.jsonl").read_text(encoding="utf-8").splitlines() for key in engines]
        differing = [i for i, lines in enumerate(zip(*texts, strict=True)) if len(set(lines)) > 1]
        same = not differing
        for i in differing[:3]:  # name them: a difference is a bug (or the code changed between runs)
            groups: dict[str, list[str]] = {}
            for key, lines in zip(engines, texts, strict=True):
                groups.setdefault(lines[i], []).append(key)
            agree = " | ".join(" = ".join(g) for g in groups.values())
            print(f"   engines differ on line {i + 1} ({texts[0][i][:30]}…): {agree}", flush=True)
        sweep = [
            _derive(_combine(runs["local_2"]), mb * rounds, 2) | {"size": big, "mb": mb}
            if n == big
            else _derive(run_local(inputs[n][0], 2, folder / f"out-2-{n}.jsonl"), inputs[n][1], 2) | {"size": n}
            for n in sizes
        ]
    extra: dict[str, object] = {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "ray_start_s": ray_start,
        "ray_setup_s": ray_setup,
        "ray_vs_pool": rows["ray_2"]["aps"] / rows["local_2"]["aps"],
        "ray_vs_pool_idle": rows["ray_2"]["proj_aps"] / rows["local_2"]["proj_aps"],
        "ray_vs_pool_steady": rows["ray_2"]["steady_aps"] / rows["local_2"]["steady_aps"],
        "mb": mb,
        "rounds": rounds,
        "big": big,
        "same": same,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    _chart(rows, sweep, mb, rounds, RESULTS / "scale.png")
    (RESULTS / "scale.md").write_text(_table(rows, sweep, extra), encoding="utf-8")
    figures: dict[str, object] = {"articles": big, "rounds": rounds, "input_mb": round(mb, 2)}
    for key, r in rows.items():
        figures[f"{key}_articles_per_s"] = round(r["aps"], 2)
        figures[f"{key}_mb_per_s"] = round(r["mbps"], 3)
        figures[f"{key}_steady_articles_per_s"] = round(r["steady_aps"], 2)
        figures[f"{key}_first_line_s"] = round(r["first_s"], 1)
        figures[f"{key}_cpu_ms_per_article"] = round(r["cpu_ms"])
        figures[f"{key}_idle_core_articles_per_s"] = round(r["proj_aps"], 2)
        figures[f"{key}_peak_mb_per_worker"] = round(r["peak_mb"])
    figures["speedup_2_workers"] = round(rows["local_2"]["aps"] / rows["local_1"]["aps"], 2)
    figures["speedup_2_workers_steady"] = round(rows["local_2"]["steady_aps"] / rows["local_1"]["steady_aps"], 2)
    figures["speedup_2_workers_idle_cores"] = round(rows["local_2"]["proj_aps"] / rows["local_1"]["proj_aps"], 2)
    figures["ray_vs_pool"] = round(float(extra["ray_vs_pool"]), 2)  # type: ignore[arg-type]
    figures["ray_vs_pool_steady"] = round(float(extra["ray_vs_pool_steady"]), 2)  # type: ignore[arg-type]
    figures["ray_vs_pool_idle_cores"] = round(float(extra["ray_vs_pool_idle"]), 2)  # type: ignore[arg-type]
    figures["ray_cluster_start_s"] = ray_start
    figures["ray_data_first_job_setup_s"] = ray_setup
    for r in sweep:
        figures[f"pool_2_steady_articles_per_s_at_{r['size']}"] = round(r["steady_aps"], 2)
        figures[f"pool_2_cpu_ms_per_article_at_{r['size']}"] = round(r["cpu_ms"])
    figures["outputs_identical"] = same
    figures["output_lines_differing"] = len(differing)
    figures["load_avg_before"] = load_before
    figures["load_avg_after"] = extra["load_after"]
    return figures
