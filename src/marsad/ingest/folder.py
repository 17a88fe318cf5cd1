"""Folders: every file below, recursively, in a stable (sorted) order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def folder_files(root: Path) -> Iterator[Path]:
    """The files under `root`, sorted by path; hidden files and folders are left out."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file():
            yield path
