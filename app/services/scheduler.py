"""EventBridge Scheduler: one one-time `at()` schedule per reminder.

A schedule is named after its reminder, so creating one twice finds the first
(ConflictException) instead of making a second, and the name alone finds it to move or
delete it. Schedules delete themselves after firing (`ActionAfterCompletion=DELETE`),
fire on the second (flexible window off), retry a failed invocation and then hand
the event to a dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from botocore.exceptions import BotoCoreError, ClientError

from app.aws_errors import error_code
from app.domain.errors import ServiceUnavailable
from app.domain.ids import new_ulid
from app.logs import get_logger

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

log = get_logger(__name__)

# Scheduler retries a failed Lambda invocation this often, for at most this long,
# before the event goes to the dead-letter queue.
RETRY_ATTEMPTS = 3
MAX_EVENT_AGE_SECONDS = 3600
NAME_PREFIX = "reminder-"
DELETION_PREFIX = "account-deletion-"


class ReminderTarget(msgspec.Struct, frozen=True, rename="camel", omit_defaults=True):
    """What the reminders function receives: enough to load the reminder and the batch
    (or, for a care reminder, the culture) it belongs to."""

    user_id: str
    reminder_id: str
    batch_id: str | None = None
    culture_id: str | None = None

    @property
    def owner_id(self) -> str:
        owner = self.batch_id or self.culture_id
        assert owner is not None, "a reminder's target names its batch or culture"
        return owner


class AccountDeletionTarget(msgspec.Struct, frozen=True):
    """What a continuation of an account deletion names: whose, and the Cognito user
    name that is deleted last. The function checks the account's tombstone before
    touching anything, so this event alone can delete nothing that was not asked for."""

    sub: str
    username: str


class ContinueAccountDeletion(msgspec.Struct, frozen=True, rename="camel"):
    """The reminders function's second kind of event: `{"accountDeletion": {...}}`."""

    account_deletion: AccountDeletionTarget


_target_encoder = msgspec.json.Encoder()


def schedule_name(reminder_id: str) -> str:
    """Unique in the group: reminder ids are unique across users (their random part)."""
    return f"{NAME_PREFIX}{reminder_id}"


def at_expression(moment: datetime) -> str:
    """`at(yyyy-mm-ddThh:mm:ss)` in UTC; the schedule's zone is always UTC."""
    return f"at({moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


class ReminderScheduler:
    def __init__(
        self,
        client: Callable[[], EventBridgeSchedulerClient],
        *,
        group: str,
        function_arn: str,
        role_arn: str,
        dead_letter_arn: str,
    ) -> None:
        self._client = client
        self.group = group
        self.function_arn = function_arn
        self.role_arn = role_arn
        self.dead_letter_arn = dead_letter_arn

    @property
    def client(self) -> EventBridgeSchedulerClient:
        """Built on first use: API calls that never schedule never load its model."""
        return self._client()

    def create(self, target: ReminderTarget, due_at: datetime) -> bool:
        """Create the reminder's schedule; False when it existed already (a retry), in
        which case it is set to `due_at` so both attempts end in the same state."""
        try:
            self.client.create_schedule(**self._definition(target, due_at))
        except ClientError as exc:
            if error_code(exc) != "ConflictException":
                raise _unavailable("create", target.reminder_id, exc) from None
            self.put(target, due_at)
            return False
        except BotoCoreError as exc:
            raise _unavailable("create", target.reminder_id, exc) from None
        return True

    def put(self, target: ReminderTarget, due_at: datetime) -> None:
        """Move the schedule to `due_at`, or create it again if it already fired and
        deleted itself (snoozing a reminder that was sent)."""
        try:
            self.client.update_schedule(**self._definition(target, due_at))
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise _unavailable("update", target.reminder_id, exc) from None
        except BotoCoreError as exc:
            raise _unavailable("update", target.reminder_id, exc) from None
        else:
            return
        try:
            self.client.create_schedule(**self._definition(target, due_at))
        except ClientError as exc:
            if error_code(exc) != "ConflictException":  # created by a concurrent call: fine
                raise _unavailable("create", target.reminder_id, exc) from None
        except BotoCoreError as exc:
            raise _unavailable("create", target.reminder_id, exc) from None

    def delete(self, reminder_id: str) -> bool:
        """Delete it; False when there was none (it fired, or a retry deleted it)."""
        try:
            self.client.delete_schedule(Name=schedule_name(reminder_id), GroupName=self.group)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return False
            raise _unavailable("delete", reminder_id, exc) from None
        except BotoCoreError as exc:
            raise _unavailable("delete", reminder_id, exc) from None
        return True

    def forget(self, reminder_id: str) -> None:
        """Delete a schedule that is no longer wanted, best effort: if the scheduler fails
        now, the schedule fires into a reminder (or batch) the delivery skips."""
        try:
            self.delete(reminder_id)
        except ServiceUnavailable:
            log.warning("schedule_left_to_fire", reminder=reminder_id)

    def continue_account_deletion(self, target: AccountDeletionTarget, at: datetime) -> str:
        """A one-time schedule that runs the next step of an account deletion in the
        reminders function (same group, role, retries and dead-letter queue). Each step
        gets a new name: the schedule that invoked a step deletes itself after it."""
        name = f"{DELETION_PREFIX}{new_ulid(at)}"
        definition = {
            **self._common(at),
            "Name": name,
            "Description": "Continue deleting an account",
        }
        definition["Target"]["Input"] = _target_encoder.encode(
            ContinueAccountDeletion(account_deletion=target)
        ).decode()
        try:
            self.client.create_schedule(**definition)
        except (ClientError, BotoCoreError) as exc:
            log.error("scheduler_failed", action="continue-deletion", error=str(exc))
            raise ServiceUnavailable(
                "The account deletion could not be continued right now; try again."
            ) from None
        return name

    def _definition(self, target: ReminderTarget, due_at: datetime) -> dict[str, Any]:
        definition = {
            **self._common(due_at),
            "Name": schedule_name(target.reminder_id),
            "Description": (
                f"Reminder {target.reminder_id} of culture {target.culture_id}"
                if target.culture_id
                else f"Reminder {target.reminder_id} of batch {target.batch_id}"
            ),
        }
        definition["Target"]["Input"] = _target_encoder.encode(target).decode()
        return definition

    def _common(self, at: datetime) -> dict[str, Any]:
        return {
            "GroupName": self.group,
            "ScheduleExpression": at_expression(at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Target": {
                "Arn": self.function_arn,
                "RoleArn": self.role_arn,
                "RetryPolicy": {
                    "MaximumRetryAttempts": RETRY_ATTEMPTS,
                    "MaximumEventAgeInSeconds": MAX_EVENT_AGE_SECONDS,
                },
                "DeadLetterConfig": {"Arn": self.dead_letter_arn},
            },
        }


def _unavailable(action: str, reminder_id: str, exc: Exception) -> ServiceUnavailable:
    log.error("scheduler_failed", action=action, reminder=reminder_id, error=str(exc))
    return ServiceUnavailable("The reminder could not be scheduled right now; try again.")
