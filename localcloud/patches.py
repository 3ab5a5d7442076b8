"""The few places where pinned moto (5.2.5) lacks what the stack needs, mended at one method each.

- Lambda: every invoke path ends in `LambdaFunction._invoke_lambda`, which runs Docker; it runs the real handler
  in-process instead.
- EventBridge: `Rule.send_to_targets` raises NotImplementedError for Step Functions and Lambda targets
  (getmoto/moto#8452); those targets are delivered here, the others still by moto. A schedule rule (no pattern)
  matched every event; it matches none.
- Step Functions: CloudFormation creates state machines in the classic backend, which cannot execute them; both
  paths use the executing (parser) backend.
- CloudWatch: `put_metric_alarm` on an existing alarm resets its state to OK; CloudWatch keeps the state.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.cloudwatch.models import CloudWatchBackend
from moto.core.config import default_user_config
from moto.events.models import Rule
from moto.stepfunctions import models as classic_stepfunctions
from moto.stepfunctions.parser.models import stepfunctions_parser_backends
from moto.utilities.arns import parse_arn

from .functions import FunctionHost

_original_send_to_targets = Rule.send_to_targets
_original_put_metric_alarm = CloudWatchBackend.put_metric_alarm


def apply(host: FunctionHost) -> None:
    """Install the patches; idempotent, process-wide (moto's backends are process-wide too)."""
    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
    classic_stepfunctions.stepfunctions_backends = stepfunctions_parser_backends

    def invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        if isinstance(event, str | bytes):
            event = json.loads(event or "{}")
        invocation = host.invoke(self.function_name, event, dict(self.environment_vars or {}))
        return invocation.payload, invocation.errored, invocation.logs

    LambdaFunction._invoke_lambda = invoke_in_process
    Rule.send_to_targets = _send_to_targets
    CloudWatchBackend.put_metric_alarm = _put_metric_alarm_keeping_state


def _put_metric_alarm_keeping_state(self: CloudWatchBackend, name: str, *args: Any, **kwargs: Any) -> Any:
    previous = self.alarms.get(name)
    alarm = _original_put_metric_alarm(self, name, *args, **kwargs)
    if previous is not None:
        for kept in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history"):
            setattr(alarm, kept, getattr(previous, kept))
    return alarm


def deliver(target: dict, event: dict) -> None:
    """Deliver an event to one rule target (a state machine or a function), as EventBridge would."""
    _deliver(target, _target_input(target, event))


def _send_to_targets(self: Rule, original_event: dict, transform_input: bool = True) -> None:
    # A schedule rule has no pattern, which moto's matcher takes as "match everything"; it matches no event.
    if self.scheduled_expression or not self.event_pattern.matches_event(original_event):
        return
    ours = [t for t in self.targets if parse_arn(t["Arn"]).service in ("states", "lambda")]
    for target in ours:
        _deliver(target, _target_input(target, original_event))
    others = [t for t in self.targets if t not in ours]
    if others:
        saved, self.targets = self.targets, others
        try:
            _original_send_to_targets(self, original_event, transform_input)
        finally:
            self.targets = saved


def _target_input(target: dict, event: dict) -> dict:
    if "Input" in target:
        return json.loads(target["Input"])
    return event


def _deliver(target: dict, payload: dict) -> None:
    arn = parse_arn(target["Arn"])
    if arn.service == "states":
        backend = stepfunctions_parser_backends[arn.account][arn.region]
        # Step Functions names an EventBridge-started execution with a fresh id, as here.
        backend.start_execution(target["Arn"], name=str(uuid.uuid4()), execution_input=json.dumps(payload))
    else:
        from moto.awslambda.models import lambda_backends

        function = lambda_backends[arn.account][arn.region].get_function(target["Arn"])
        threading.Thread(target=function._invoke_lambda, args=(payload,), daemon=True).start()
