"""The caller's push devices (Expo push tokens): register, list, unregister.

A token another account holds never moves on the caller's word alone: anyone who learnt
a victim's token could otherwise redirect or silence their reminders, and push their own
text to the victim's phone with our Expo access token. Registering such a token pushes
a secret (`data.proof`, with a fixed text) to the token through Expo and answers
`proof-required`; only the phone that holds the token receives it, and the app sends the
same registration again with `proof` to complete the move. One challenge per token and
claimant per CLAIM_SECONDS, so nobody can make us push to a phone over and over.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import msgspec

from app.domain.devices import (
    CLAIM_SECONDS,
    MAX_DEVICES,
    Device,
    Platform,
    is_device_id,
    is_push_token,
    proof_hash,
    token_hash,
)
from app.domain.errors import DeviceHeldElsewhere, InvalidInput, LimitReached, NotFound
from app.logs import get_logger
from app.store.devices import DeviceStore

if TYPE_CHECKING:
    from app.services.push import PushSender

log = get_logger(__name__)

CLAIM_TITLE = "Confirm this device"
CLAIM_BODY = "Open Kefir to receive reminders for the account now signing in on this device."
CLAIM_TYPE = "device-claim"


class Registration(msgspec.Struct, frozen=True, kw_only=True):
    """The device as registered, or, for a token held elsewhere, when the challenge
    pushed to it stops being answerable (`device` is then not yet the caller's)."""

    device: Device
    proof_required_until: datetime | None = None


class Devices:
    def __init__(self, store: DeviceStore, push: Callable[[], PushSender]) -> None:
        """`push` builds the sender on first use: only a claim needs it, and the api
        function's cold start should not import an HTTP client for it."""
        self.store = store
        self._push_factory = push

    @cached_property
    def push(self) -> PushSender:
        return self._push_factory()

    def register(
        self, sub: str, token: str, platform: Platform, now: datetime, proof: str | None = None
    ) -> Registration:
        """Registering again is harmless; a token another account holds moves to the
        caller only with the proof pushed to it. A new device past MAX_DEVICES is refused
        (two registrations racing at the cap may both pass: the cap bounds abuse, it is
        not an invariant)."""
        if not is_push_token(token):
            raise InvalidInput("token", "token is not an Expo push token (ExponentPushToken[...]).")
        if self.store.count(sub) >= MAX_DEVICES and self.store.owner(token_hash(token)) != sub:
            raise LimitReached(
                f"An account can register at most {MAX_DEVICES} devices; "
                "remove one (DELETE /devices/{id}) first."
            )
        device = Device(token=token, platform=platform, created_at=now, updated_at=now)
        hashed = proof_hash(proof) if proof is not None else None
        try:
            previous = self.store.register(sub, device, proof=hashed, now=now)
        except DeviceHeldElsewhere:
            return Registration(
                device=device, proof_required_until=self._challenge(sub, token, now)
            )
        if previous is not None:
            log.info("push_token_moved", previous_user=previous, device=token_hash(token))
        return Registration(device=device)

    def _challenge(self, sub: str, token: str, now: datetime) -> datetime:
        expires = now + timedelta(seconds=CLAIM_SECONDS)
        proof = secrets.token_urlsafe(24)
        if not self.store.offer_claim(
            sub, token_hash(token), proof_hash(proof), now=now, expires=expires
        ):
            return expires  # an earlier challenge is still live: no second push
        from app.services.push import PushMessage  # on use: see __init__

        message = PushMessage(
            to=token,
            title=CLAIM_TITLE,
            body=CLAIM_BODY,
            data={"type": CLAIM_TYPE, "proof": proof},
            priority="high",
        )
        [ticket] = self.push.send([message])
        log.info(
            "device_claim_pushed",
            device=token_hash(token),
            status=ticket.status,
            error=ticket.error,
        )
        return expires

    def list_devices(self, sub: str) -> list[Device]:
        return self.store.list_devices(sub)

    def unregister(self, sub: str, device_id: str) -> None:
        """By the device's id (its token's hash), never the token: see token_hash."""
        if not is_device_id(device_id):
            raise NotFound("No such device.")
        self.store.remove(sub, device_id)
