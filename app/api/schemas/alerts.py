"""Bodies of the alert-rules routes."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from app.api.schemas.base import Body, Out
from app.domain.alerts import AlertRules

Hours = Annotated[float, Meta(ge=1, le=24 * 14, description="hours")]
Delta = Annotated[float, Meta(ge=0.0001, le=0.02, description="SG")]
Ph = Annotated[float, Meta(ge=0, le=14, extra_json_schema={"extra": {"minimum": 0}})]
Celsius = Annotated[float, Meta(ge=-20, le=110, description="°C")]


class AlertRulesIn(Body):
    """The whole rule set (omitted fields take the defaults below, not the kind's);
    `null` turns a pH or temperature rule off."""

    stable_hours: Hours = 48.0
    stable_delta: Delta = 0.001
    ph_target: Ph | None = None
    ph_safety_max: Ph | None = None
    ph_safety_days: Annotated[float, Meta(ge=1, le=60)] = 7.0
    temperature_min: Celsius | None = None
    temperature_max: Celsius | None = None
    temperature_grace_minutes: Annotated[float, Meta(ge=1, le=24 * 60)] = 30.0
    offline_intervals: Annotated[int, Meta(ge=1, le=100)] = 3

    def rules(self) -> AlertRules:
        return AlertRules(
            stable_hours=self.stable_hours,
            stable_delta=self.stable_delta,
            ph_target=self.ph_target,
            ph_safety_max=self.ph_safety_max,
            ph_safety_days=self.ph_safety_days,
            temperature_min=self.temperature_min,
            temperature_max=self.temperature_max,
            temperature_grace_minutes=self.temperature_grace_minutes,
            offline_intervals=self.offline_intervals,
        )


class AlertRulesOut(Out):
    stable_hours: float
    stable_delta: float
    ph_target: float | None
    ph_safety_max: float | None
    ph_safety_days: float
    temperature_min: float | None
    temperature_max: float | None
    temperature_grace_minutes: float
    offline_intervals: int

    @classmethod
    def of(cls, rules: AlertRules) -> AlertRulesOut:
        return cls(
            stable_hours=rules.stable_hours,
            stable_delta=rules.stable_delta,
            ph_target=rules.ph_target,
            ph_safety_max=rules.ph_safety_max,
            ph_safety_days=rules.ph_safety_days,
            temperature_min=rules.temperature_min,
            temperature_max=rules.temperature_max,
            temperature_grace_minutes=rules.temperature_grace_minutes,
            offline_intervals=rules.offline_intervals,
        )
