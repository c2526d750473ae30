"""Routes for a batch's alert rules."""

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.api.openapi import BEARER, contract
from app.api.params import Caller, PathId
from app.api.schemas.alerts import AlertRulesIn, AlertRulesOut
from app.usecases.alert_rules import AlertSettings


class AlertRulesController(Controller):
    path = "/batches/{batch_id:str}/alerts/rules"
    tags = ["readings"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @get(operation_id="getAlertRules", sync_to_thread=False, **contract(401, 404))
    def get_rules(
        self, batch_id: PathId, principal: Caller, alerts: NamedDependency[AlertSettings]
    ) -> AlertRulesOut:
        return AlertRulesOut.of(alerts.rules(principal.sub, batch_id))

    @put(operation_id="setAlertRules", sync_to_thread=False, **contract(400, 401, 404, 413))
    def set_rules(
        self,
        batch_id: PathId,
        data: JSONBody[AlertRulesIn],
        principal: Caller,
        alerts: NamedDependency[AlertSettings],
    ) -> AlertRulesOut:
        return AlertRulesOut.of(alerts.set_rules(principal.sub, batch_id, data.rules()))
