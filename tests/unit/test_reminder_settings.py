"""Reminder settings: all four scheduling values or none, and a usable push URL."""

from __future__ import annotations

import pytest

from app.config import SettingsError, load_settings

BASE = {
    "TABLE_NAME": "kefir",
    "COGNITO_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
    "COGNITO_CLIENT_ID": "client",
}
REMINDERS = {
    "REMINDERS_SCHEDULE_GROUP": "kefir-dev-reminders",
    "REMINDERS_FUNCTION_ARN": "arn:aws:lambda:eu-west-1:123456789012:function:kefir-dev-reminders",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/kefir-dev-scheduler",
    "REMINDERS_DLQ_ARN": "arn:aws:sqs:eu-west-1:123456789012:kefir-dev-reminders-dlq",
}


def test_reminders_are_off_without_their_settings_and_pushes_go_to_expo() -> None:
    settings = load_settings(BASE)
    assert settings.reminders_schedule_group is None
    assert settings.expo_push_url == "https://exp.host/--/api/v2/push/send"
    assert settings.expo_access_token is None


def test_all_four_reminder_settings_are_read() -> None:
    settings = load_settings(
        {**BASE, **REMINDERS, "EXPO_PUSH_URL": "log", "EXPO_ACCESS_TOKEN": "secret"}
    )
    assert settings.reminders_schedule_group == "kefir-dev-reminders"
    assert settings.reminders_dlq_arn == REMINDERS["REMINDERS_DLQ_ARN"]
    assert (settings.expo_push_url, settings.expo_access_token) == ("log", "secret")


@pytest.mark.parametrize("missing", sorted(REMINDERS))
def test_a_missing_reminder_setting_names_its_variable(missing: str) -> None:
    given = {k: v for k, v in REMINDERS.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings({**BASE, **given})


def test_a_wrong_arn_or_push_url_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="SCHEDULER_ROLE_ARN"):
        load_settings({**BASE, **REMINDERS, "SCHEDULER_ROLE_ARN": "kefir-dev-scheduler"})
    with pytest.raises(SettingsError, match="EXPO_PUSH_URL"):
        load_settings({**BASE, "EXPO_PUSH_URL": "exp.host"})
