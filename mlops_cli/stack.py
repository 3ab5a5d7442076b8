"""Finding a deployed stack's resources from its Outputs, on AWS or on the local endpoint alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import boto3
from mlops_core.aws.cloudwatch_alarms import AlarmStore
from mlops_core.aws.executions import PipelineStarter
from mlops_core.aws.monitor_store import MonitorStore
from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.registry import Registry
from mlops_core.aws.run_store import RunStore
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.monitoring.alarms import AlarmSettings

from .inference_client import InferenceClient

DEFAULT_STACK = "serverless-mlops"


class StackNotFoundError(RuntimeError):
    """The stack is not deployed where the AWS SDK is pointed."""


@dataclass(frozen=True)
class Stack:
    """The resources the operator CLI works with, named by the stack's Outputs."""

    name: str
    outputs: dict[str, str]

    @classmethod
    def find(cls, name: str | None = None) -> Stack:
        """boto3 follows AWS_ENDPOINT_URL, so the local runtime and AWS are reached the same way."""
        name = name or os.environ.get("MLOPS_STACK", DEFAULT_STACK)
        try:
            stack = boto3.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
        except Exception as error:
            where = os.environ.get("AWS_ENDPOINT_URL", "the AWS account of your credentials")
            raise StackNotFoundError(f"stack {name!r} not found at {where} ({error}); start it with `make up` "
                                     "or deploy it with `sam deploy --guided`") from error
        return cls(name, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})

    @property
    def data_bucket(self) -> str:
        return self.outputs["DataBucketName"]

    @property
    def state_machine_arn(self) -> str:
        return self.outputs["PipelineStateMachineArn"]

    @property
    def inference(self) -> InferenceClient:
        return InferenceClient(self.outputs["InferenceUrl"], signed=self.outputs.get("InferenceAuthType") == "AWS_IAM")

    @cached_property
    def store(self) -> ObjectStore:
        return ObjectStore(boto3.client("s3"))

    @cached_property
    def registry(self) -> Registry:
        return Registry(boto3.client("dynamodb"), self.outputs["RegistryTableName"])

    @cached_property
    def runs(self) -> RunStore:
        return RunStore(boto3.client("dynamodb"), self.outputs["RunsTableName"])

    @cached_property
    def stepfunctions(self):
        return boto3.client("stepfunctions")

    @cached_property
    def monitor_passes(self) -> MonitorStore:
        return MonitorStore(boto3.client("dynamodb"), self.outputs["MonitorTableName"])

    @cached_property
    def cloudwatch(self):
        return boto3.client("cloudwatch")

    @cached_property
    def alarms(self) -> AlarmStore:
        return AlarmStore(self.cloudwatch)

    @cached_property
    def pipeline(self) -> PipelineStarter:
        return PipelineStarter(self.stepfunctions, self.state_machine_arn)

    @cached_property
    def events_client(self):
        return boto3.client("events")

    @cached_property
    def lambda_client(self):
        return boto3.client("lambda")

    @property
    def alarm_settings(self) -> AlarmSettings:
        """As the template gives the functions: the stack is the metrics' service dimension."""
        return AlarmSettings(self.outputs["AlarmPrefix"], METRICS_NAMESPACE, self.name,
                             60 * int(self.outputs["MonitorIntervalMinutes"]))
