"""Starting the training pipeline: a Step Functions execution with the trigger as its input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


class PipelineStarter:
    """Starts executions of the pipeline state machine, over a client handed in."""

    def __init__(self, client, state_machine_arn: str) -> None:
        self.client, self.state_machine_arn = client, state_machine_arn

    def start(self, name: str, trigger: dict[str, Any]) -> str:
        """Start an execution (its name is unique per state machine, so a repeat is refused); returns its ARN."""
        response = self.client.start_execution(stateMachineArn=self.state_machine_arn, name=name[:80],
                                               input=json.dumps(trigger))
        return response["executionArn"]

    def running(self) -> int:
        """How many executions are running now."""
        pages = self.client.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn,
                                                                      statusFilter="RUNNING")
        return sum(len(page["executions"]) for page in pages)

    def newest(self) -> dict[str, Any] | None:
        """The newest execution as listed (its ARN, status, start), or None before the first."""
        executions = self.client.list_executions(stateMachineArn=self.state_machine_arn, maxResults=1)["executions"]
        return executions[0] if executions else None

    def inputs(self) -> Iterator[dict[str, Any]]:
        """Each execution's input, newest execution first, read as the caller goes on."""
        for page in self.client.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn):
            for execution in page["executions"]:
                yield json.loads(self.client.describe_execution(executionArn=execution["executionArn"])["input"])
