"""`marsad explain`: what the pipeline saw in each sentence, and the events it built."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from marsad.model import Doc


def _describe(doc: Doc, kind: str, value: object) -> str:
    for attr in ("name", "canonical", "sub_event_type", "iso", "date"):
        v = getattr(value, attr, None)
        if isinstance(v, str):
            return v
    if kind == "number":
        return str(getattr(value, "value", None) or f"~{getattr(value, 'low', '?')}")
    return "" if value is None else str(value)[:40]


def explain_doc(doc: Doc, console: Console) -> None:
    console.rule(f"[bold]{doc.article.id}[/bold]  reference date: {doc.reference_date or '—'}")
    for i, (s, e) in enumerate(doc.sentences):
        found = doc.in_span(s, e)
        if not found:
            continue
        console.print(f"[bold cyan]§{i}[/bold cyan] {doc.surface(s, e)}", highlight=False)
        table = Table(show_header=True, header_style="dim", box=None, pad_edge=False)
        table.add_column("kind")
        table.add_column("text")
        table.add_column("value")
        for m in found:
            table.add_row(m.kind, doc.surface(m.start, m.end), _describe(doc, m.kind, m.value))
        console.print(table)
    console.rule("events")
    for ev in doc.events:
        console.print_json(ev.model_dump_json(exclude_none=True))
    console.rule("statements")
    for st in doc.statements:
        console.print_json(st.model_dump_json(exclude_none=True))
