"""LocalCloud: an AWS endpoint on this machine with a SAM stack deployed into it and its handlers running here."""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import function_urls, patches
from .clock import Clock
from .emf import MetricExtractor
from .functions import FunctionHost, LocalFunction, exempt_from_collection
from .logs import LogWriter
from .ports import port_is_free, require_free
from .template import CODE_BUCKET, PreparedTemplate, prepare, samconfig_parameters

REGION = "us-east-1"
ACCOUNT = "123456789012"
DEFAULT_PORT = 4566

NOT_EMULATED = """\
What the local runtime does not emulate:
- IAM: policies are deployed but never enforced; a missing permission shows up only on AWS. Bucket policies and
  table resource policies (moto's CloudFormation skips them) are not applied.
- CloudWatch Logs: each function's output reaches its log group; metric and subscription filters and Logs
  Insights queries are not run.
- Concurrency: handlers run one at a time in this process; a Map state's iterations run one after another.
- Limits: Lambda timeouts, memory sizes, payload limits and account quotas are not enforced.
- Delivery: EventBridge delivers once, immediately, with no retry policy or dead-letter queue; asynchronous
  Lambda invocations have no retries or on-failure destinations.
- Lambda versions and aliases: a reference to an alias is one to the function; SnapStart does not apply.
- Function URLs: served on 127.0.0.1; AuthType AWS_IAM requires a SigV4 Authorization header but the signature is
  not verified.
- CloudWatch: metrics come only from the functions' embedded-metric-format output (no AWS/Lambda or AWS/States
  metrics). Alarms (the template's and those created at run time) are evaluated within a second of new metric
  data, and every 15 s regardless, over periods ending now, not aligned to the clock; percentile, metric-math and
  anomaly alarms are not evaluated; alarm actions are not run (EventBridge rules on alarm state changes are).
  Dashboards are stored, not drawn.
- Schedules: rate() rules fire only under `make up` (counted from the start); cron() rules never. Elsewhere, run a
  scheduled function on demand (`mlops monitor run`).
- Layers: dependency layers come from this virtual environment, not from the layer build.
- X-Ray: handlers run without Lambda's task root, so Powertools' Tracer disables itself; no trace is recorded.
- Anything moto does not implement (see https://docs.getmoto.org)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalCloud:
    """Serve moto on `port`, deploy `template` as `stack_name`, and run its functions in-process.

    Parameters come from the `config_env` environment of the samconfig.toml beside the template, then `parameters`.
    """

    template: Path
    port: int = DEFAULT_PORT
    stack_name: str = "serverless-mlops"
    parameters: dict[str, str] = field(default_factory=dict)
    config_env: str = "local"
    url_port: int | None = None
    schedules: bool = False
    clock_tick: float = 1.0
    host: FunctionHost = field(default_factory=FunctionHost)
    outputs: dict[str, str] = field(default_factory=dict)
    _server: Any = None
    _url_servers: list[function_urls.FunctionUrlServer] = field(default_factory=list)
    _clock: Clock | None = None
    _metrics: MetricExtractor | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalCloud:
        """Start the endpoint and deploy the stack; returns when the stack is ready, or stops all it started and
        raises (PortInUseError when a port it must serve on is held)."""
        require_free(self.port, "the AWS endpoint")
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> LocalCloud:
        _configure_environment(self.endpoint, self.port)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # The interpreter logs every caught task failure; the execution history already records them.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        # samtranslator keeps usage metrics for a publisher it does not have, and warns when it drops them.
        logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
        from moto.server import ThreadedMotoServer

        patches.apply(self.host)
        self.host.route_output()
        self._metrics = MetricExtractor(self.client)
        self.host.log_listeners.append(self._metrics)
        self.host.log_sinks.append(LogWriter(self.client))
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self._wait_until_listening()
        self.deploy()
        exempt_from_collection()
        self._clock = Clock(self.client, patches.deliver, self.clock_tick, self.schedules).start()
        self._metrics.on_put = self._clock.metrics_arrived.set
        return self

    def stop(self) -> None:
        if self._clock is not None:
            self._clock.stop()
            self._clock = None
        for url_server in self._url_servers:
            url_server.stop()
        self._url_servers.clear()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def client(self, service: str):
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION)

    def deploy(self) -> dict[str, str]:
        """Translate the SAM template, create the stack, and patch in what moto's CloudFormation skips."""
        parameters = samconfig_parameters(self.template.parent / "samconfig.toml", self.config_env) | self.parameters
        prepared = prepare(self.template, parameters, REGION, ACCOUNT)
        urls = function_urls.detach(prepared.body, parameters, self._url_ports())
        cloudformation = self.client("cloudformation")
        # moto warns about each resource type it skips; NOT_EMULATED lists the ones this template has.
        logging.getLogger("moto").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message="Tried to parse AWS::", category=UserWarning)
        cloudformation.create_stack(
            StackName=self.stack_name, TemplateBody=json.dumps(prepared.body),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
        stack = cloudformation.describe_stacks(StackName=self.stack_name)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise RuntimeError(f"stack {self.stack_name} ended in {stack['StackStatus']}: "
                               f"{stack.get('StackStatusReason')}")
        # moto lists the resource types it skips (bucket policies, for one) without a logical id.
        resources = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in
                     cloudformation.describe_stack_resources(StackName=self.stack_name)["StackResources"]
                     if "LogicalResourceId" in r}
        self._register_functions(prepared, resources)
        self._apply_bucket_settings(prepared, resources)
        self._create_alarms(prepared, stack["StackId"])
        for url in urls:
            self._url_servers.append(function_urls.FunctionUrlServer(
                url, resources[url.function_logical_id], self._invoke, ACCOUNT).start())
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        return self.outputs

    def _url_ports(self) -> Callable[[str], int]:
        """Function URLs take url_port, url_port + 1, ... in template order, or free ports."""
        following = itertools.count(self.url_port or 0)

        def next_port(logical_id: str) -> int:
            if self.url_port is None:
                return free_port()
            port = next(following)
            require_free(port, f"the function URL {logical_id}")
            return port

        return next_port

    def _invoke(self, function_name: str, event: dict[str, Any]) -> tuple[str, bool]:
        """Through moto's Lambda backend, as any other invoke, so the function's environment applies."""
        from moto.awslambda.models import lambda_backends

        function = lambda_backends[ACCOUNT][REGION].get_function(function_name)
        payload, errored, _ = function._invoke_lambda(event)
        return payload, errored

    def _register_functions(self, prepared: PreparedTemplate, resources: dict[str, str]) -> None:
        body = prepared.body["Resources"]
        for logical_id, resource in body.items():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            props = resource["Properties"]
            layers = [body[ref["Ref"]]["Properties"]["Content"]["S3Key"] for ref in props.get("Layers", [])
                      if isinstance(ref, dict) and "Ref" in ref]
            logging_config = props.get("LoggingConfig", {})
            log_group = logging_config.get("LogGroup", "")
            self.host.add(LocalFunction(
                name=resources[logical_id], handler=props["Handler"],
                code_dir=prepared.code_paths[props["Code"]["S3Key"]],
                layer_dirs=[prepared.code_paths[key].resolve() for key in layers],
                timeout=int(props.get("Timeout", 3)), memory=int(props.get("MemorySize", 128)),
                log_group=resources[log_group["Ref"]] if isinstance(log_group, dict) else log_group,
                log_format=logging_config.get("LogFormat", "Text")))

    def _apply_bucket_settings(self, prepared: PreparedTemplate, resources: dict[str, str]) -> None:
        """moto's CloudFormation ignores a bucket's versioning and its EventBridge notifications."""
        s3 = self.client("s3")
        for logical_id, resource in prepared.body["Resources"].items():
            if resource["Type"] != "AWS::S3::Bucket":
                continue
            props = resource.get("Properties", {})
            if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
                s3.put_bucket_versioning(Bucket=resources[logical_id], VersioningConfiguration={"Status": "Enabled"})
            notification = props.get("NotificationConfiguration", {})
            if notification.get("EventBridgeConfiguration", {}).get("EventBridgeEnabled"):
                s3.put_bucket_notification_configuration(
                    Bucket=resources[logical_id], NotificationConfiguration={"EventBridgeConfiguration": {}})

    def _create_alarms(self, prepared: PreparedTemplate, stack_id: str) -> None:
        """moto's CloudFormation skips AWS::CloudWatch::Alarm; its own resolver fills in their properties here."""
        from moto.cloudformation.models import cloudformation_backends
        from moto.cloudformation.parsing import clean_json

        resource_map = cloudformation_backends[ACCOUNT][REGION].stacks[stack_id].resource_map
        cloudwatch = self.client("cloudwatch")
        for logical_id, resource in prepared.body["Resources"].items():
            if resource["Type"] != "AWS::CloudWatch::Alarm":
                continue
            props = clean_json(resource["Properties"], resource_map)
            props.setdefault("AlarmName", f"{self.stack_name}-{logical_id}")
            cloudwatch.put_metric_alarm(**props)

    def _wait_until_listening(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the local endpoint did not start on port {self.port}")


def _configure_environment(endpoint: str, port: int) -> None:
    """Point every AWS SDK in this process (and its children) at the local endpoint, with dummy credentials."""
    os.environ.update({
        "AWS_ENDPOINT_URL": endpoint, "MOTO_PORT": str(port), "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": "localcloud", "AWS_SECRET_ACCESS_KEY": "localcloud",
        "VALIDATE_LAMBDA_S3": "false",
    })
    os.environ.pop("AWS_PROFILE", None)


__all__ = ["CODE_BUCKET", "LocalCloud", "NOT_EMULATED", "free_port", "port_is_free"]
