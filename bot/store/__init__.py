"""Durable state behind one protocol; SQLite by default."""

from __future__ import annotations

from bot.store.base import AlertOutcome, Store
from bot.store.sqlite import SqliteStore


def open_store(url: str) -> Store:
    """Open the store a settings URL names: `sqlite:///path` (or `sqlite:///:memory:`)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    raise ValueError(f"unsupported store URL scheme: {url.split(':', 1)[0]!r}")


__all__ = ["AlertOutcome", "SqliteStore", "Store", "open_store"]
