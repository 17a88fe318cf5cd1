"""The server's malloc arena cap: set for this process and its children, never over the user's."""

from __future__ import annotations

import os

import pytest

from marsad.api.malloc import ARENAS, limit_arenas


def test_cap_set_for_children_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_arenas() is True  # glibc (Debian): mallopt accepted the cap
    assert os.environ["MALLOC_ARENA_MAX"] == str(ARENAS)


def test_users_value_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_arenas() is False
    assert os.environ["MALLOC_ARENA_MAX"] == "4"
