"""The marsad command line: `marsad --help` lists the commands, each with an example."""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from marsad import __version__
from marsad.scale import Engine

app = typer.Typer(
    name="marsad",
    help=(
        "marsad (مرصد): ACLED-style conflict events from Arabic news.\n\n"
        "Example: marsad extract articles.jsonl -o events.jsonl"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
err = Console(stderr=True, soft_wrap=True)  # never wrap FILE:LINE messages

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database: a SQLite path or a postgresql:// URL [env MARSAD_DB; default ./marsad.db]."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"marsad {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """marsad (مرصد): ACLED-style conflict events from Arabic news."""


def _progress(total: int | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal and total is not None and total < 50,
    )


def _count_lines(path: str) -> int | None:
    if path == "-":
        return None
    with Path(path).open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _resume(partial: Path, input: str) -> set[str]:
    """The ids already in OUTPUT.partial of an interrupted run (its half-written last line cut off)."""
    from marsad.jsonl import input_ids, resume_partial

    kept = resume_partial(partial)
    if input != "-" and not set(kept) <= input_ids(input):
        err.print(f"{partial}: written from another input, not resumed; starting again")
        return set()
    err.print(f"{partial}: resuming an interrupted run; {len(kept)} article(s) already done are kept")
    return set(kept)


@app.command()
def extract(
    input: Annotated[str, typer.Argument(help="JSONL input (SCHEMA.md): one article per line; - for stdin.")],
    output: Annotated[str, typer.Option("-o", "--output", help="JSONL output file; - for stdout.")] = "-",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Pipeline processes, each loading the resources once (default: 1, in this process; "
            "with --engine ray, one per cluster CPU).",
        ),
    ] = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="local: a process pool here; ray: Ray Data on a cluster.")
    ] = Engine.local,
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            help="With --engine ray: the cluster (auto, ray://HOST:10001); default: start one here.",
        ),
    ] = None,
    no_resume: Annotated[
        bool,
        typer.Option("--no-resume", help="Start again, ignoring OUTPUT.partial left by an interrupted run."),
    ] = False,
) -> None:
    """Extract events and statements from articles, one output line per input line.

    Each input line is a JSON object with an "id" and a "text" or "html" (optionally "title",
    "published" as YYYY-MM-DD, "source", "url"). A bad line is reported on stderr as FILE:LINE:
    reason; the other lines are still processed, and the exit status is 1. With --workers or
    --engine ray the output is the same, in the same order (docs/scale.md).

    With -o, lines go to OUTPUT.partial, renamed to OUTPUT when the run ends: OUTPUT is never
    half-written. If a run is interrupted (killed, out of power), run the same command again: it
    keeps the complete lines of OUTPUT.partial (a half-written last line is dropped), skips those
    articles and writes the rest, so each article is in OUTPUT once. --no-resume starts again.

    Example: marsad extract articles.jsonl -o events.jsonl

    Example: marsad extract articles.jsonl -o events.jsonl --workers 2

    Example: marsad extract articles.jsonl -o events.jsonl --engine ray --address auto
    """
    from marsad.jsonl import Rejected
    from marsad.scale import extract_lines

    if input != "-" and not Path(input).is_file():
        err.print(f"[red]{input}: no such file[/red] (give a JSONL file, or - to read stdin)")
        raise typer.Exit(2)
    if engine is Engine.ray and input == "-":
        err.print("[red]--engine ray reads files, not stdin[/red]: save the input to a file and name it")
        raise typer.Exit(2)
    total = _count_lines(input)
    partial = None if output == "-" else Path(output + ".partial")
    done = _resume(partial, input) if partial is not None and partial.exists() and not no_resume else set()
    if done and engine is Engine.local:  # skip the done articles before the pipeline sees them
        from marsad.jsonl import read_articles
        from marsad.scale.local import extract_lines as local_lines

        todo = (a for a in read_articles(input) if isinstance(a, Rejected) or a.id not in done)
        lines = local_lines(todo, workers or 1)
    else:
        lines = extract_lines(input, workers, engine, address)
    rejected = 0
    with ExitStack() as stack:
        out = sys.stdout
        if partial is not None:
            out = stack.enter_context(partial.open("a" if done else "w", encoding="utf-8"))
        progress = stack.enter_context(_progress(total))
        task = progress.add_task("extracting", total=total, completed=len(done))
        for item in lines:
            if isinstance(item, Rejected):
                rejected += 1
                err.print(f"[red]{item}[/red]", highlight=False)
            elif not done or json.loads(item)["id"] not in done:  # (Ray reads the whole input again)
                out.write(item)
                out.flush()  # a kill loses at most the line being written
            progress.advance(task)
        if partial is not None:
            os.fsync(out.fileno())
    if partial is not None:
        os.replace(partial, output)
    if rejected:
        err.print(f"{rejected} line(s) rejected; every other line was written.")
        raise typer.Exit(1)


@app.command()
def explain(
    input: Annotated[str, typer.Argument(help="JSONL input (SCHEMA.md).")],
    doc_id: Annotated[str, typer.Option("--id", help="The id of the document to explain.")],
) -> None:
    """Show, sentence by sentence, what marsad found in one document and the events it built.

    Example: marsad explain articles.jsonl --id doc-17
    """
    from marsad.explain import explain_doc
    from marsad.jsonl import Rejected, read_articles
    from marsad.pipeline import Pipeline

    for item in read_articles(input):
        if not isinstance(item, Rejected) and item.id == doc_id:
            explain_doc(Pipeline.default()(item), Console())
            return
    err.print(f"[red]{input}: no document with id {doc_id!r}[/red]")
    raise typer.Exit(2)


def _load_samples(db: str | None) -> int:
    from marsad.jsonl import Rejected, read_articles
    from marsad.pipeline import Pipeline
    from marsad.resources import path
    from marsad.store.db import Store

    store = Store(db)
    pipeline = Pipeline.default()
    sample = path("samples/articles.jsonl")
    items = [a for a in read_articles(str(sample)) if not isinstance(a, Rejected)]
    with _progress(len(items)) as progress:
        task = progress.add_task("sample articles", total=len(items))
        for article in items:
            store.save(pipeline(article))
            progress.advance(task)
    from marsad.merge import merge_new

    merge_new(store)  # one event from many sources
    n = store.count(__import__("marsad.store.schema", fromlist=["events"]).events)
    store.close()
    return n


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it private.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    read_token: Annotated[
        bool,
        typer.Option("--read-token", help="Reads need a reviewer token too [env MARSAD_READ_TOKEN=1]."),
    ] = False,
    tile_url: Annotated[
        str | None,
        typer.Option(
            "--tile-url",
            help="Online map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
            "[env MARSAD_TILE_URL]; "
            "without it the built-in offline base map is used.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes answering requests (one per core under load). Each holds its own "
            "copy of the filter columns (about 40 bytes an event) and its own response cache.",
        ),
    ] = 1,
) -> None:
    """Serve the API (documented at /docs) and the dashboard.

    Reviews need a token: `marsad users add NAME`. CORS origins: env MARSAD_CORS_ORIGINS.

    Example: marsad serve --db marsad.db --port 8000 --workers 2
    """
    import uvicorn

    from marsad.api.app import create_app
    from marsad.api.malloc import limit_arenas

    limit_arenas()  # before any thread allocates: memory stays flat under load
    err.print(f"marsad on http://{host}:{port}  (API docs: /docs; Ctrl-C to stop)")
    if workers == 1:
        app_ = create_app(db, read_token=read_token or None, tile_url=tile_url)
        uvicorn.run(app_, host=host, port=port, log_level="warning")
        return
    # Several processes need the app as an import path: its settings travel in the environment.
    os.environ["MARSAD_SERVE_DB"] = db or ""
    if read_token:
        os.environ["MARSAD_READ_TOKEN"] = "1"
    if tile_url:
        os.environ["MARSAD_TILE_URL"] = tile_url
    from marsad.store.db import Store

    Store(db).close()  # create or migrate the database once, not in every worker at the same time
    uvicorn.run("marsad.api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning")


users_app = typer.Typer(help="Reviewers: who may confirm, correct, reject and merge events.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The reviewer's name (shown in the audit log).")],
    db: DbOption = None,
) -> None:
    """Add a reviewer and print their token (shown once; only its hash is stored).

    Running it again for the same name replaces the token.

    Example: marsad users add huda --db marsad.db
    """
    from marsad.store.db import Store

    store = Store(db)
    token = store.add_user(name)
    store.close()
    err.print(f"reviewer {name!r}: keep this token, it is not shown again. In the dashboard: Sign in.")
    typer.echo(token)


@app.command()
def demo(
    db: DbOption = None,
    port: Annotated[int, typer.Option(help="TCP port for the dashboard.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the sample, do not start the server.")] = False,
) -> None:
    """Load the bundled sample articles into the database and open the dashboard.

    Example: marsad demo --db /tmp/demo.db --port 8000
    """
    n = _load_samples(db)
    err.print(f"{n} events in the database.")
    if not no_serve:
        serve(db=db, host="127.0.0.1", port=port, read_token=False, tile_url=None)


@app.command("eval-ner")
def eval_ner_cmd(
    path: Annotated[str, typer.Argument(help="CoNLL file: token<TAB>tag per line, blank line between sentences.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as one JSON object.")] = False,
) -> None:
    """Score the shipped NER model on a BIO-tagged file (span-level, exact match, as conlleval).

    Example: marsad eval-ner ../shared/data/ner/anercorp/test.txt.gz --json
    """
    import json

    from marsad.nlp.ner.evaluate import eval_ner

    if not Path(path).is_file():
        err.print(f"[red]{path}: no such file[/red]")
        raise typer.Exit(2)
    res = eval_ner(path)
    if as_json:
        typer.echo(json.dumps(res, ensure_ascii=False))
        return
    speed = f"{res['tokens_per_s']:.0f} tokens/s"
    typer.echo(f"F1 {res['f1']:.4f}  P {res['precision']:.4f}  R {res['recall']:.4f}  ({speed})")
    for typ, r in res["per_type"].items():
        typer.echo(f"  {typ:<5} F1 {r['f1']:.4f}  P {r['precision']:.4f}  R {r['recall']:.4f}  n={r['support']}")


@app.command()
def ingest(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files (text in any encoding, HTML, RSS/Atom, WARC[.gz], JSONL, .zip/.tar.gz), "
            "folders (recursive) or URLs (a feed or a page)."
        ),
    ],
    db: DbOption = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Read every input as: text, html, feed, warc, jsonl, zip or tar."),
    ] = None,
    no_extract: Annotated[
        bool, typer.Option("--no-extract", help="Store the articles without extracting events.")
    ] = False,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Never fetch: URLs and teaser-only feed entries are not fetched."),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Processes for parsing, cleaning, identity and extraction (one writer keeps input order).",
        ),
    ] = 1,
) -> None:
    """Store articles (cleaned, de-duplicated) and their events; run it again and nothing is added twice.

    Non-Arabic articles are skipped, exact repeats are duplicates, and near-repeats (the same
    story from another outlet) are linked to the stored article. A summary follows on stderr,
    with FILE: reason for each rejection (exit status 1 when something was rejected).

    Example: marsad ingest pages/ feed.xml crawl.warc.gz --db marsad.db

    Example: marsad ingest archive.jsonl --db marsad.db --workers 2
    """
    from marsad.ingest.commands import ingest_command
    from marsad.ingest.detect import FORMATS

    if fmt is not None and fmt not in FORMATS:
        err.print(f"[red]--format {fmt}: unknown[/red] (use one of {', '.join(FORMATS)})")
        raise typer.Exit(2)
    import time

    import sqlalchemy as sa

    for attempt in range(1, INGEST_ATTEMPTS + 1):
        try:
            code = ingest_command(inputs, db, fmt, not no_extract, not offline, err, workers=workers)
            break
        except sa.exc.DBAPIError as exc:
            if isinstance(exc, sa.exc.OperationalError) and "locked" in str(exc.orig):
                # SQLite already retried for its busy timeout (10 s a statement): say so instead of a traceback.
                err.print(
                    f"[red]{db or 'the database'}: locked by another process[/red] (waited 10 s for it); the "
                    "articles stored before are kept: stop the other writer and run the same command again"
                )
                raise typer.Exit(3) from None
            if not _connection_lost(exc):
                raise
            reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
            if attempt == INGEST_ATTEMPTS:
                err.print(
                    f"[red]{db or 'the database'}: the connection to the database server was lost[/red] ({reason}), "
                    f"{INGEST_ATTEMPTS} tries in {2**INGEST_ATTEMPTS - 1} s; the articles stored before are kept: "
                    "when the server is back, run the same command again"
                )
                raise typer.Exit(3) from None
            wait = 2 ** (attempt - 1)
            # Ingest is idempotent (each batch is one transaction; stored articles are recognized), so
            # running it again from the start loses nothing and adds nothing twice.
            err.print(
                f"{db or 'the database'}: the connection to the database server was lost ({reason}); "
                f"trying again in {wait} s (try {attempt + 1} of {INGEST_ATTEMPTS}); what is stored is kept"
            )
            time.sleep(wait)
    raise typer.Exit(code)


INGEST_ATTEMPTS = 4  # the first run and 3 retries, 1, 2 and 4 s apart: a server restart takes a few seconds


def _connection_lost(exc: Exception) -> bool:
    """Whether a database error is the server going away (restart, crash, network), not a bad statement."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None)
    if not type(orig).__module__.startswith("psycopg"):
        return False  # SQLite: its errors are about the file, not a connection
    import psycopg

    state = getattr(orig, "sqlstate", None)
    # No SQLSTATE: the socket closed or the connection was refused; 08: connection exceptions;
    # 57P01-57P03: the server is shutting down, crashed or still starting.
    return isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError) and (
        state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")
    )


@app.command()
def watch(
    feeds: Annotated[list[str], typer.Argument(help="RSS/Atom feed URLs to poll.")],
    db: DbOption = None,
    every: Annotated[str, typer.Option("--every", help="Poll interval: 90s, 15m, 2h...")] = "15m",
    no_extract: Annotated[
        bool, typer.Option("--no-extract", help="Store the articles without extracting events.")
    ] = False,
    rounds: Annotated[
        int | None, typer.Option("--rounds", min=1, help="Stop after this many polls of each feed.")
    ] = None,
    delay: Annotated[float, typer.Option("--delay", min=0.0, help="Seconds between two requests to one host.")] = 1.0,
) -> None:
    """Poll feeds politely (ETag/Last-Modified, back-off on errors) and ingest what is new, until stopped.

    Example: marsad watch https://example.org/rss.xml --every 15m --db marsad.db
    """
    from marsad.ingest.commands import watch_command

    try:
        code = watch_command(feeds, db, every, not no_extract, rounds, delay, err)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


@app.command()
def alerts(
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Events dated from this day (YYYY-MM-DD) [default: 28 days before the newest]."),
    ] = None,
    config: Annotated[
        str | None, typer.Option("--config", help="Alert rules YAML [default: the shipped resources/alerts.yaml].")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per alert on stdout.")] = False,
) -> None:
    """Check the alert rules (spikes, new areas, mass casualties, watch lists), store new alerts, list them.

    An alert fires once per cause, however often this runs; new alerts are POSTed to the webhook
    of the rules file, if it names one.

    Example: marsad alerts --since 2015-07-01 --db marsad.db --config my-alerts.yaml
    """
    import datetime as dt
    import json

    import sqlalchemy as sa

    from marsad.alerts import AlertConfigError, list_alerts, load_config, run_alerts
    from marsad.store.db import Store
    from marsad.store.schema import events

    try:
        cfg = load_config(config)
    except AlertConfigError as exc:
        err.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(2) from None
    store = Store(db)
    try:
        if since:
            try:
                start = dt.date.fromisoformat(since)
            except ValueError:
                err.print(f"[red]--since {since!r}: give a day as YYYY-MM-DD[/red]")
                raise typer.Exit(2) from None
        else:
            with store.engine.connect() as conn:
                newest = conn.execute(sa.select(sa.func.max(events.c.date))).scalar()
            end = dt.date.fromisoformat(newest[:10]) if newest and len(newest) >= 10 else dt.date.today()
            start = end - dt.timedelta(days=28)
        new, delivered, errors = run_alerts(store, cfg, start)
        rows = list_alerts(store, start.isoformat(), limit=1000)
    finally:
        store.close()
    for e in errors:
        err.print(f"[yellow]{e}[/yellow]", highlight=False, soft_wrap=True)
    err.print(f"{len(new)} new alert(s), {delivered} posted to the webhook; {len(rows)} since {start}", highlight=False)
    for r in rows:
        if as_json:
            typer.echo(json.dumps(r, ensure_ascii=False, default=str))
        else:
            typer.echo(f"{r['date'] or '':10}  {r['kind']:16}  {r['title']}")


@app.command()
def export(
    output: Annotated[str, typer.Option("-o", "--output", help="Output file; - for stdout (not for parquet).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="acled-csv, geojson, jsonl (SCHEMA.md lines) or parquet.")
    ] = "acled-csv",
    db: DbOption = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="ISO alpha-2 code (repeatable).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day, YYYY[-MM[-DD]].")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY[-MM[-DD]].")] = None,
    event_type: Annotated[list[str] | None, typer.Option("--event-type", help="ACLED event type (repeatable).")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Canonical actor name (actor1 or actor2).")] = None,
) -> None:
    """Export events as ACLED CSV (ACLED's columns and codes), GeoJSON, JSONL or Parquet.

    Merged reports are exported once, with every outlet in `source`; disputed fatality figures
    are noted in `tags`.

    Example: marsad export --format acled-csv --country IQ --since 2015-07-01 -o iraq.csv
    """
    import re

    from marsad.export import EXPORT_FORMATS, ExportError, export_events
    from marsad.store.db import EventFilter, Store

    if fmt not in EXPORT_FORMATS:
        err.print(f"[red]--format {fmt}: unknown[/red] (use one of {', '.join(EXPORT_FORMATS)})")
        raise typer.Exit(2)
    for name, value in (("--since", since), ("--until", until)):
        if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            err.print(f"[red]{name} {value!r}: give YYYY, YYYY-MM or YYYY-MM-DD[/red]")
            raise typer.Exit(2)
    if fmt == "parquet" and output == "-":
        err.print("[red]parquet is binary: give a file with -o[/red]")
        raise typer.Exit(2)
    f = EventFilter(
        country=[c.upper() for c in country or []],
        event_type=list(event_type or []),
        actor=actor,
        date_from=since,
        date_to=until,
    )
    store = Store(db)
    try:
        if output == "-":
            n = export_events(store, f, fmt, sys.stdout.buffer)
        else:
            with Path(output).open("wb") as out:
                n = export_events(store, f, fmt, out)
    except ExportError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    finally:
        store.close()
    err.print(f"{n} events written to {output} ({fmt})", highlight=False)


@app.command()
def actor(
    name: Annotated[str, typer.Argument(help="Registry id, canonical name or any alias: داعش, ISIS, boko_haram.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The profile as JSON (as GET /api/actors/NAME).")] = False,
) -> None:
    """An actor's profile: events by type, month and area, movement, strength estimates, relations.

    A group's profile includes its branches' events (the Islamic State's includes its provinces).

    Example: marsad actor "تنظيم الدولة" --db marsad.db
    """
    import json

    from marsad.profiles import ProfileError, actor_profile
    from marsad.profiles.render import print_profile
    from marsad.store.db import Store

    store = Store(db, columns=False)
    try:
        profile = actor_profile(store, name)
    except ProfileError as exc:
        err.print(str(exc), highlight=False, markup=False)
        raise typer.Exit(1) from None
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps(profile, ensure_ascii=False, default=str) + "\n")
    else:
        print_profile(profile, Console())


def run() -> None:  # pragma: no cover - console entry point for `python -m marsad`
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
