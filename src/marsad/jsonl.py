"""Reading SCHEMA.md input lines, one bad line at a time, and writing output lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from marsad.model import Article

# Limits on one article, the same for `marsad extract` and `marsad ingest` (docs/security.md).
# The pipeline's time grows faster than the text: 150,000 characters take ~5 s, 500,000 over two
# minutes; the longest of 30,352 news articles in the test corpus has ~33,000 characters.
MAX_TEXT_CHARS = 200_000
# A page's HTML is mostly markup and scripts: 10 million characters parse in seconds.
MAX_HTML_CHARS = 10_000_000


def too_long(what: str, size: int, limit: int) -> str | None:
    """The reason to reject an article's `what` of `size` characters over `limit`, or None."""
    if size <= limit:
        return None
    return f"{what} of {size:,} characters is over the limit of {limit:,} for one article: split it into articles"


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input line that could not be read, with the reason to show the user."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"field '{loc}': {msg}" if loc else msg)
    return "; ".join(parts)


@contextmanager
def open_input(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
        return
    with Path(path).open("rb") as fh:
        yield fh


def read_articles(path: str) -> Iterator[Article | Rejected]:
    """Each non-blank line of a JSONL file as an Article, or a Rejected naming line and fault.

    Bytes are decoded per line, so one bad byte costs one line, not the file. Ids must be unique:
    a repeated id is rejected (the output has one line per id).
    """
    name = "<stdin>" if path == "-" else path
    seen: set[str] = set()
    with open_input(path) as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield Rejected(name, n, f"not UTF-8 (byte {exc.start}): save the file as UTF-8")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Rejected(name, n, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(obj, dict):
                yield Rejected(name, n, f"expected a JSON object, got {type(obj).__name__}")
                continue
            if "id" not in obj:
                yield Rejected(name, n, "missing 'id': every line needs a unique document id")
                continue
            for key in ("text", "html", "title", "source", "url"):
                if obj.get(key) is not None and not isinstance(obj[key], str):
                    yield Rejected(name, n, f"field '{key}' must be a string, got {type(obj[key]).__name__}")
                    break
                limit = {"text": MAX_TEXT_CHARS, "html": MAX_HTML_CHARS}.get(key)
                reason = too_long(f"field '{key}'", len(obj.get(key) or ""), limit) if limit else None
                if reason:
                    yield Rejected(name, n, reason)
                    break
            else:
                try:
                    article = Article.model_validate(obj)
                except ValidationError as exc:
                    yield Rejected(name, n, _reason(exc))
                    continue
                if article.id in seen:
                    yield Rejected(name, n, f"duplicate id {article.id!r}: ids must be unique in a file")
                    continue
                seen.add(article.id)
                yield article


def dump_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def resume_partial(path: Path) -> list[str]:
    """The ids of the complete lines of an output file left by a killed run, in order.

    A last line without its newline (the process died mid-write) is cut off the file, and so is
    anything from the first line that is not a JSON object with an "id": the run resumes after the
    last good line and writes those articles again.
    """
    good = 0
    ids: list[str] = []
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                obj = json.loads(raw)
            except ValueError:
                break
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                break
            ids.append(obj["id"])
            good += len(raw)
    with path.open("r+b") as fh:
        fh.truncate(good)
    return ids


def input_ids(path: str) -> set[str]:
    """The "id" of every line of a JSONL input that has one (a quick pass: no validation)."""
    ids: set[str] = set()
    with Path(path).open("rb") as fh:
        for raw in fh:
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                ids.add(obj["id"])
    return ids
