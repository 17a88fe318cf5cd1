"""Data files shipped with marsad, loaded once per process."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def path(name: str) -> Path:
    """Filesystem path of a resource file (resources are installed as plain files)."""
    return Path(str(resources.files("marsad.resources").joinpath(name)))


@cache
def load_yaml(name: str) -> Any:
    """Parse a YAML resource once; callers must not mutate the result."""
    with path(name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
