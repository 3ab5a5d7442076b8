"""CloudWatch alarm evaluation, which moto does not do: metric alarms judged from the metric data moto holds.

Each evaluation looks at the alarm's last EvaluationPeriods periods, as windows ending now (CloudWatch aligns them
to the clock), computes the alarm's statistic in each, and on a change of state sets it and sends the
"CloudWatch Alarm State Change" event to EventBridge, as CloudWatch does.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge, "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt, "LessThanOrEqualToThreshold": operator.le,
}
OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"


def next_state(current: str, values: list[float | None], breaches: Callable[[float], bool],
               datapoints_to_alarm: int, treat_missing: str) -> str:
    """The state for these period values (None: no data in that period), by CloudWatch's rules for missing data."""
    present = [value for value in values if value is not None]
    missing = len(values) - len(present)
    if not present:
        return {"breaching": ALARM, "notBreaching": OK, "ignore": current}.get(treat_missing, INSUFFICIENT_DATA)
    breaching = sum(map(breaches, present)) + (missing if treat_missing == "breaching" else 0)
    if breaching >= datapoints_to_alarm:
        return ALARM
    if treat_missing in ("ignore", "missing") and len(present) < datapoints_to_alarm:
        return current
    return OK


def _breaches(compare: Callable[[float, float], bool], value: float, threshold: float) -> bool:
    return compare(value, threshold)


@dataclass
class AlarmEngine:
    """Evaluates every metric alarm in the account (of the statistics and operators above) through the API."""

    cloudwatch: Any
    events: Any
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def evaluate(self) -> list[tuple[str, str, str]]:
        """One evaluation of every alarm; returns the transitions made as (alarm, from, to)."""
        now = self.clock()
        transitions = []
        pages = self.cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
        for alarm in (alarm for page in pages for alarm in page["MetricAlarms"]):
            if alarm.get("Statistic") is None or alarm.get("ComparisonOperator") not in COMPARISONS:
                continue  # percentiles, metric math and anomaly bands are not evaluated here
            values = self._period_values(alarm, now)
            breaches = partial(_breaches, COMPARISONS[alarm["ComparisonOperator"]], threshold=alarm["Threshold"])
            state = next_state(alarm["StateValue"], values, breaches,
                               alarm.get("DatapointsToAlarm") or alarm["EvaluationPeriods"],
                               alarm.get("TreatMissingData") or "missing")
            if state != alarm["StateValue"]:
                self._transition(alarm, state, values, now)
                transitions.append((alarm["AlarmName"], alarm["StateValue"], state))
        return transitions

    def _period_values(self, alarm: dict[str, Any], now: datetime) -> list[float | None]:
        """The statistic of each of the last EvaluationPeriods periods, oldest first."""
        period = timedelta(seconds=alarm["Period"])
        values = []
        for k in range(alarm["EvaluationPeriods"], 0, -1):
            start = now - k * period
            points = self.cloudwatch.get_metric_statistics(
                Namespace=alarm["Namespace"], MetricName=alarm["MetricName"], Dimensions=alarm.get("Dimensions", []),
                StartTime=start, EndTime=start + period, Period=alarm["Period"],
                Statistics=[alarm["Statistic"]])["Datapoints"]
            values.append(float(points[0][alarm["Statistic"]]) if points else None)
        return values

    def _transition(self, alarm: dict[str, Any], state: str, values: list[float | None], now: datetime) -> None:
        recent = [v for v in values if v is not None]
        reason = (f"Threshold Crossed: {len(recent)} datapoint(s) {recent} in the last {len(values)} period(s) "
                  f"of {alarm['Period']} s; {alarm['ComparisonOperator']} {alarm['Threshold']}")
        reason_data = json.dumps({"version": "1.0", "queryDate": now.isoformat(), "recentDatapoints": recent,
                                  "threshold": alarm["Threshold"], "evaluatedDatapoints": len(values)})
        self.cloudwatch.set_alarm_state(AlarmName=alarm["AlarmName"], StateValue=state, StateReason=reason,
                                        StateReasonData=reason_data)
        detail = {
            "alarmName": alarm["AlarmName"],
            "state": {"value": state, "reason": reason, "reasonData": reason_data, "timestamp": now.isoformat()},
            "previousState": {"value": alarm["StateValue"], "reason": alarm.get("StateReason", ""),
                              "timestamp": str(alarm.get("StateUpdatedTimestamp", ""))},
            "configuration": {"description": alarm.get("AlarmDescription", ""), "metrics": [{
                "id": "m1", "returnData": True, "metricStat": {
                    "metric": {"namespace": alarm["Namespace"], "name": alarm["MetricName"],
                               "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}},
                    "period": alarm["Period"], "stat": alarm["Statistic"]}}]},
        }
        self.events.put_events(Entries=[{"Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
                                         "Resources": [alarm["AlarmArn"]], "Detail": json.dumps(detail)}])
