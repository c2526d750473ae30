"""Deleting an account: what is remembered of it while (and after) its data goes.

A deletion writes a tombstone first. From then on nothing new may be written for the
account (its access tokens stay valid at the authorizer for up to their lifetime), and
the work (schedules, push tokens, items, objects, the Cognito user) proceeds in
bounded steps until nothing is left; then the tombstone says `deleted` and expires
once every token issued before it has expired too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

DeletionState = Literal["deleting", "deleted"]

# Cognito access tokens live at most one day (this pool: one hour); the tombstone
# outlives every token issued before the deletion.
TOMBSTONE_LIFETIME = timedelta(days=2)
# Items one invocation deletes before it hands the rest to the next one: an API request
# (15 s timeout) or a reminders-function run. Each item costs a share of a 25-item
# BatchWriteItem; open reminders one DeleteSchedule each.
ITEMS_PER_RUN = 5000
# How soon the next run starts when one could not finish.
CONTINUE_AFTER = timedelta(seconds=5)


class AccountDeletion(msgspec.Struct, frozen=True, kw_only=True):
    sub: str
    username: str
    state: DeletionState
    requested_at: datetime


class DeletionProgress(msgspec.Struct, frozen=True, kw_only=True):
    """What one run did; `finished` when nothing of the account is left."""

    finished: bool
    items: int = 0
    schedules: int = 0
    devices: int = 0
    objects: int = 0
