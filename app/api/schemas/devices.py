"""Bodies of the device routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from app.api.schemas.base import Body, Line, Out
from app.domain.devices import PUSH_TOKEN_PATTERN, Device, Platform, token_hash

PushToken = Annotated[
    str,
    Meta(
        min_length=8,
        max_length=160,
        pattern=PUSH_TOKEN_PATTERN,
        description="ExponentPushToken[...] from Expo",
    ),
]
Proof = Annotated[
    Line,
    Meta(
        min_length=1,
        max_length=128,
        description="`data.proof` of the push a registration answered `proof-required` for",
    ),
]


class RegisterDevice(Body):
    token: PushToken
    platform: Platform
    proof: Proof | None = None


class DeviceOut(Out):
    """`id` addresses the device in `DELETE /devices/{id}` (the token's SHA-256)."""

    id: str
    token: str
    platform: Platform
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        return cls(
            id=token_hash(device.token),
            token=device.token,
            platform=device.platform,
            created_at=device.created_at,
            updated_at=device.updated_at,
        )


class ProofRequiredOut(Out):
    """The token is registered to another account: a push carrying `data.proof` went to
    the device; send the registration again with `proof` before `expiresAt`."""

    id: str
    status: Literal["proof-required"]
    expires_at: datetime
