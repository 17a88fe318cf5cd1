"""An actor profile as rich tables in the terminal (`marsad actor NAME`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

_KIND_AR = {
    "pledge": "بيعة",
    "split": "انشقاق",
    "alliance": "تحالف",
    "joint_operations": "غرفة عمليات مشتركة",
    "merger": "اندماج",
    "renamed": "تغيير الاسم",
    "agreement": "اتفاق",
    "rivalry": "صراع",
    "branch_of": "فرع من",
    "joined_as": "انضم فصار",
}


def _clip(text: str | None, n: int = 110) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def print_profile(p: dict[str, Any], console: Console, months: int = 24) -> None:
    """Print the profile's sections; `months` limits the monthly table to the newest months."""
    a, s = p["actor"], p["summary"]
    head = Text(a["name"], style="bold")
    if a.get("name_ar"):
        head.append(f"  {a['name_ar']}")
    console.print(head)
    if a.get("parent"):
        console.print(f"branch of: {a['parent']['name']}")
    if a.get("branches"):
        console.print("branches: " + ", ".join(b["name"] for b in a["branches"]))
    console.print(
        f"events: {s['events']}  fatalities: {s['fatalities']}  "
        f"from {s['first_month'] or '?'} to {s['last_month'] or '?'}  "
        f"admin-1 areas: {s['admin1_areas']}  countries: {', '.join(s['countries']) or '-'}"
    )

    if p["by_actor"] and len(p["names"]) > 1:
        t = Table(title="events by actor and branch")
        for col in ("actor", "events", "fatalities"):
            t.add_column(col, justify="right" if col != "actor" else "left")
        for r in p["by_actor"]:
            t.add_row(r["name"], str(r["events"]), str(r["fatalities"]))
        console.print(t)

    if p["by_type"]:
        t = Table(title="events by type")
        for col in ("type", "events", "fatalities"):
            t.add_column(col, justify="right" if col != "type" else "left")
        for r in p["by_type"]:
            t.add_row(r["event_type"], str(r["events"]), str(r["fatalities"]))
        console.print(t)

    rows = [r for r in p["by_month"] if r["events"]][-months:]
    if rows:
        t = Table(title=f"events per month (newest {len(rows)} with events)")
        for col in ("month", "events", "fatalities"):
            t.add_column(col, justify="right" if col != "month" else "left")
        for r in rows:
            t.add_row(r["month"], str(r["events"]), str(r["fatalities"]))
        console.print(t)

    if p["by_admin1"]:
        t = Table(title="admin-1 areas")
        for col in ("country", "admin-1", "events", "fatalities", "first", "last"):
            t.add_column(col)
        for r in p["by_admin1"][:20]:
            t.add_row(
                r["country"] or "", r["admin1"] or "", str(r["events"]), str(r["fatalities"]),
                r["first_month"] or "", r["last_month"] or "",
            )  # fmt: skip
        console.print(t)

    moves = p["movement"]["quarters"]
    if moves:
        t = Table(title=f"movement per quarter (quiet = no event for {p['movement']['quiet_months']} months)")
        for col in ("quarter", "new areas", "quiet", "back"):
            t.add_column(col)
        for q in moves[-12:]:
            t.add_row(q["quarter"], *(", ".join(x["admin1"] for x in q[k]) for k in ("new", "quiet", "back")))
        console.print(t)

    if p["estimates"]:
        t = Table(title="strength estimates")
        for col in ("date", "fighters", "reading", "said by", "source", "evidence"):
            t.add_column(col)
        for e in p["estimates"]:
            figure = f"{e['low']}–{e['high']}" if e["low"] != e["high"] else str(e["value"])
            t.add_row(
                e["date"] or "", figure, f"{e['qualifier']} «{e['text']}»", e["speaker_mention"] or "",
                e["source"] or "", _clip(e["evidence"]),
            )  # fmt: skip
        console.print(t)

    rels = [r for r in p["relations"] if not (r["source"] == "registry" and r["object"] == a["name"])]
    if rels:  # the actor's own branches are listed above
        t = Table(title="relations")
        for col in ("relation", "subject", "object", "reports", "first", "evidence"):
            t.add_column(col)
        for r in rels:
            kind = f"{r['kind']} ({_KIND_AR.get(r['kind'], '')})"
            ev = _clip(r["evidence"][0]["evidence"], 80) if r["evidence"] else r["source"]
            t.add_row(kind, r["subject"], r["object"], str(r["reports"]), r["first_date"] or "", ev)
        console.print(t)

    if p["spokespeople"]:
        t = Table(title="spokespeople and voices")
        for col in ("name", "statements", "kinds", "evidence"):
            t.add_column(col)
        for r in p["spokespeople"][:15]:
            kinds = ", ".join(f"{k} {n}" for k, n in r["kinds"].items())
            t.add_row(r["name"], str(r["statements"]), kinds, _clip(r["evidence"][0]["evidence"], 80))
        console.print(t)

    if p["claims"]:
        t = Table(title="claims")
        for col in ("date", "by", "source", "evidence"):
            t.add_column(col)
        for c in p["claims"][:20]:
            t.add_row(
                c["date"] or "", c["speaker_mention"] or c["speaker"] or "", c["source"] or "", _clip(c["evidence"])
            )
        console.print(t)
