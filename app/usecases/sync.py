"""Offline sync: what changed since a device last pulled (the change feed), and the
writes a device queued while offline (push)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.store.sync import ChangePage, SyncStore

__all__ = ["ChangePage", "Sync"]


class Sync:
    def __init__(self, store: SyncStore, *, horizon_seconds: int, overlap_seconds: int) -> None:
        self.store = store
        self.horizon = timedelta(seconds=horizon_seconds)
        self.overlap = timedelta(seconds=overlap_seconds)

    def pull(self, sub: str, *, cursor: str | None, limit: int, now: datetime) -> ChangePage:
        """One page of changes after `cursor`; without one, the whole current state."""
        return self.store.changes(
            sub, cursor=cursor, limit=limit, now=now, horizon=self.horizon, overlap=self.overlap
        )
