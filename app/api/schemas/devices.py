"""Bodies of the device routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from app.api.schemas.base import Body, Out
from app.domain.devices import Device, Platform

PushToken = Annotated[
    str, Meta(min_length=8, max_length=160, description="ExponentPushToken[...] from Expo")
]


class RegisterDevice(Body):
    token: PushToken
    platform: Platform


class DeviceOut(Out):
    token: str
    platform: Platform
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        return cls(**msgspec.structs.asdict(device))
