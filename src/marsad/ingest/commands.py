"""`marsad ingest` and `marsad watch`: the loop with a progress bar and a summary on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from marsad.ingest.runner import Ingester, Outcome, Summary, parse_every, watch
from marsad.store.db import Store


def print_summary(summary: Summary, err: Console) -> None:
    err.print(
        f"ingested in {summary.seconds:.1f} s: {summary.line()}; {summary.events} events",
        highlight=False,
    )
    for s in summary.skipped[:20]:
        err.print(f"[yellow]skipped {s}[/yellow]", highlight=False, soft_wrap=True)
    if len(summary.skipped) > 20:
        err.print(f"[yellow]... and {len(summary.skipped) - 20} more skipped[/yellow]")
    for r in summary.rejected:
        err.print(f"[red]{r}[/red]", highlight=False, soft_wrap=True)


def ingest_command(
    inputs: list[str], db: str | None, fmt: str | None, extract: bool, fetch: bool, err: Console, workers: int = 1
) -> int:
    """Run an ingest (`workers` processes for the CPU work); the exit status is 1 when something was rejected."""
    from marsad.ingest.feeds import Fetcher

    store = Store(db)
    fetcher = Fetcher() if fetch else None
    ingester = Ingester(store, extract=extract, fetcher=fetcher, workers=workers)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]ingesting[/bold] {task.completed} items: {task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )

    def tick(_out: Outcome) -> None:
        progress.update(task, advance=1, description=ingester.summary.line())

    try:
        with progress:
            task = progress.add_task("", total=None)
            summary = ingester.run(inputs, fmt, on_item=tick)
        if extract:  # one event from many sources: merge the new events into their clusters
            from marsad.merge import merge_new

            merged = merge_new(store).merged
            err.print(f"{merged} events merged into events reported by other articles", highlight=False)
    finally:
        if fetcher is not None:
            fetcher.close()
        store.close()
    print_summary(summary, err)
    return 1 if summary.counts["rejected"] else 0


def watch_command(
    urls: list[str],
    db: str | None,
    every: str,
    extract: bool,
    max_rounds: int | None,
    delay: float,
    err: Console,
) -> int:
    from marsad.ingest.feeds import Fetcher

    seconds = parse_every(every)
    store = Store(db)
    fetcher = Fetcher(delay=delay)
    ingester = Ingester(store, extract=extract, fetcher=fetcher)

    def report(url: str, status: str, outcomes: list[Outcome]) -> None:
        new = sum(1 for o in outcomes if o.status == "new")
        err.print(f"{url}: {status}; {new} new", highlight=False, soft_wrap=True)
        if extract and new:
            from marsad.merge import merge_new

            merge_new(store)

    try:
        watch(ingester, urls, seconds, max_rounds=max_rounds, report=report)
    except KeyboardInterrupt:
        err.print("stopped")
    finally:
        fetcher.close()
        store.close()
    print_summary(ingester.summary, err)
    return 1 if ingester.summary.counts["rejected"] else 0
