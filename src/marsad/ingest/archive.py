"""Zip and tar(.gz) archives: each member file, read as what it is."""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterator
from typing import IO


def zip_members(stream: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each file in a zip archive, in archive order."""
    with zipfile.ZipFile(stream) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                yield info.filename, zf.read(info)


def tar_members(stream: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each regular file in a tar, tar.gz, tar.bz2 or tar.xz archive."""
    with tarfile.open(fileobj=stream, mode="r:*") as tf:
        for info in tf:
            if info.isfile():
                fh = tf.extractfile(info)
                if fh is not None:
                    yield info.name, fh.read()
