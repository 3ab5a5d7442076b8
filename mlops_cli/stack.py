"""Finding a deployed stack's resources from its Outputs, on AWS or on the local endpoint alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import boto3
from botocore.exceptions import ClientError
from mlops_core.aws.cloudwatch_alarms import AlarmStore
from mlops_core.aws.executions import PipelineStarter
from mlops_core.aws.function_logs import FunctionLogs
from mlops_core.aws.monitor_store import MonitorStore
from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.registry import Registry
from mlops_core.aws.run_store import RunStore
from mlops_core.aws.trial_store import TrialStore
from mlops_core.config import METRICS_NAMESPACE
from mlops_core.monitoring.alarms import AlarmSettings

from .inference_client import InferenceClient

DEFAULT_STACK = "serverless-mlops"


# A stack in one of these states has the Outputs of its last successful deploy.
USABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_IN_PROGRESS",
          "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS",
          "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE")


class StackError(RuntimeError):
    """The stack cannot be used; the message says what to do."""


class StackNotFoundError(StackError):
    """The stack is not deployed where the AWS SDK is pointed."""


class StackNotReadyError(StackError):
    """The stack exists but has no usable Outputs (a failed or unfinished deploy, or an older template)."""


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
        except ClientError as error:  # any other error (credentials, network, throttling) is not "not found"
            if "does not exist" not in error.response.get("Error", {}).get("Message", ""):
                raise
            where = os.environ.get("AWS_ENDPOINT_URL") or f"the AWS account of your credentials ({_region()})"
            raise StackNotFoundError(f"stack {name!r} not found at {where}: start it with `make up`, deploy it "
                                     "with `sam deploy --guided`, or name yours with --stack or MLOPS_STACK") from error
        if stack["StackStatus"] not in USABLE:
            raise StackNotReadyError(f"stack {name!r} is {stack['StackStatus']}: wait for the deploy to finish, or "
                                     "fix it (its CloudFormation events say why) and run `sam deploy` again")
        return cls(name, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})

    def output(self, key: str) -> str:
        """One of the stack's Outputs; a stack deployed from an older template may lack it."""
        if key not in self.outputs:
            raise StackNotReadyError(f"stack {self.name!r} has no output {key}: deploy this version of the template "
                                     "(`sam deploy`, or restart `make up`)")
        return self.outputs[key]

    @property
    def data_bucket(self) -> str:
        return self.output("DataBucketName")

    @property
    def state_machine_arn(self) -> str:
        return self.output("PipelineStateMachineArn")

    @property
    def inference(self) -> InferenceClient:
        return InferenceClient(self.output("InferenceUrl"), signed=self.outputs.get("InferenceAuthType") == "AWS_IAM")

    @cached_property
    def store(self) -> ObjectStore:
        return ObjectStore(boto3.client("s3"))

    @cached_property
    def registry(self) -> Registry:
        return Registry(boto3.client("dynamodb"), self.output("RegistryTableName"))

    @cached_property
    def runs(self) -> RunStore:
        return RunStore(boto3.client("dynamodb"), self.output("RunsTableName"))

    @cached_property
    def trials(self) -> TrialStore:
        return TrialStore(boto3.client("dynamodb"), self.output("TrialsTableName"))

    @cached_property
    def stepfunctions(self):
        return boto3.client("stepfunctions")

    @cached_property
    def monitor_passes(self) -> MonitorStore:
        return MonitorStore(boto3.client("dynamodb"), self.output("MonitorTableName"))

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

    @cached_property
    def function_logs(self) -> FunctionLogs:
        return FunctionLogs(boto3.client("logs"), self.output("FunctionLogGroupName"))

    @property
    def alarm_settings(self) -> AlarmSettings:
        """As the template gives the functions: the stack is the metrics' service dimension."""
        return AlarmSettings(self.output("AlarmPrefix"), METRICS_NAMESPACE, self.name,
                             60 * int(self.output("MonitorIntervalMinutes")))


def _region() -> str:
    return boto3.session.Session().region_name or "no region set"
