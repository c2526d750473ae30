"""Devices that receive push notifications: an Expo push token and its platform."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal

import msgspec

Platform = Literal["ios", "android", "web"]

# Devices one account may register: phones, tablets and reinstalls, with room to
# spare; each one is a push per reminder, so the cap bounds what one account can send.
MAX_DEVICES = 20

# What Expo's SDKs accept as a push token (`Expo.isExpoPushToken`): the bracketed forms
# the app gets from `getExpoPushTokenAsync`, or a bare UUID (legacy).
PUSH_TOKEN_PATTERN = (
    r"^(?:Expo(?:nent)?PushToken\[[A-Za-z0-9_-]{8,128}\]"  # noqa: S105 (a pattern)
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
_TOKEN = re.compile(PUSH_TOKEN_PATTERN)

_DEVICE_ID = re.compile(r"^[0-9a-f]{64}$")
# How long a challenge pushed to a token held by another account stays answerable; also
# the least time between two challenges for the same token and claimant.
CLAIM_SECONDS = 600


class Device(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    platform: Platform
    created_at: datetime
    updated_at: datetime


def is_push_token(value: str) -> bool:
    return _TOKEN.match(value) is not None


def token_hash(token: str) -> str:
    """Keys carry a hash, not the token: a key is visible in logs and cursors. The hash
    is also the device's id in the API (`DELETE /devices/{id}`): a token in a URL would
    land in access and WAF logs."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_device_id(value: str) -> bool:
    return _DEVICE_ID.match(value) is not None


def proof_hash(proof: str) -> str:
    """A claim stores the hash of its proof: the table never holds a usable one."""
    return hashlib.sha256(proof.encode()).hexdigest()
