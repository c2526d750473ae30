"""The rules a batch's readings are checked against, as its owner reads and sets them.

Apart from app.usecases.alerts so the api function, which serves these routes but never
pushes, does not load the push code with them.
"""

from __future__ import annotations

from app.domain.alerts import DEFAULT_RULES, AlertRules, AlertState, check_rules
from app.domain.clock import utc_now
from app.domain.ids import known_id
from app.store.readings import ReadingStore, StateChanged

_STATE_ATTEMPTS = 3


class AlertSettings:
    """The rules a batch's readings are checked against: the kind's defaults until the
    owner changes them. Stored on the batch's alert state, so ingest reads them with it."""

    def __init__(self, readings: ReadingStore) -> None:
        self.readings = readings

    def rules(self, sub: str, batch_id: str) -> AlertRules:
        batch = self.readings.batch(sub, known_id(batch_id, "batch"))
        state = self.readings.alert_state(sub, batch.id)
        return state.effective_rules() if state else DEFAULT_RULES[batch.kind]

    def set_rules(self, sub: str, batch_id: str, rules: AlertRules) -> AlertRules:
        check_rules(rules)
        batch = self.readings.batch(sub, known_id(batch_id, "batch"))
        for _ in range(_STATE_ATTEMPTS):
            state = self.readings.alert_state(sub, batch.id) or AlertState(
                kind=batch.kind, started_at=batch.started_at
            )
            state.rules = rules
            try:
                self.readings.save_state(sub, batch.id, state, [], utc_now())
            except StateChanged:
                # A reading moved it first; or the batch went meanwhile (its state is a
                # tombstone now, which no write replaces): then this answers 404.
                self.readings.batch(sub, batch.id)
                continue
            return rules
        raise RuntimeError("the batch's alert state kept changing; giving up")
