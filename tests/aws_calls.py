"""What each function calls on S3 and DynamoDB, recorded in this process, and what its deployed role allows.

The local runtime runs every handler in this process and enforces no IAM, so a missing permission would only show on
AWS. `CallRecorder` attributes each SDK call to the function being invoked (the thread that runs its handler, and
the worker threads it hands work to, as boto3's S3 transfers do), and names the IAM action and resource the call
needs; `RolePolicies` reads each function's role from the deployed stack, as IAM would evaluate it.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.client import BaseClient

TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem"}
S3_ACTIONS = {"GetObject": "GetObject", "HeadObject": "GetObject", "PutObject": "PutObject",
              "ListObjectsV2": "ListBucket", "ListObjects": "ListBucket", "ListObjectVersions": "ListBucketVersions"}


@dataclass(frozen=True)
class Call:
    """One permission a call needed: the function that made it, the IAM action and the resource's ARN."""

    function: str
    action: str
    resource: str


def permissions(service: str, operation: str, params: dict[str, Any], region: str, account: str) -> list[tuple]:
    """The (action, resource) pairs IAM checks for one S3 or DynamoDB API call."""
    if service == "s3":
        action = S3_ACTIONS.get(operation, operation)
        if action == "GetObject" and params.get("VersionId"):
            action = "GetObjectVersion"
        resource = f"arn:aws:s3:::{params['Bucket']}" + (f"/{params['Key']}" if "Key" in params else "")
        return [(f"s3:{action}", resource)]

    def table(name: str, index: str | None = None) -> str:
        return f"arn:aws:dynamodb:{region}:{account}:table/{name}" + (f"/index/{index}" if index else "")

    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in params["TransactItems"]:
            [(kind, request)] = item.items()
            found.append((f"dynamodb:{TRANSACT_ACTIONS.get(kind, 'GetItem')}", table(request["TableName"])))
        return found
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", table(name)) for name in params["RequestItems"]]
    return [(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")))]


class CallRecorder:
    """Records the S3 and DynamoDB permissions each function's calls needed, while installed."""

    def __init__(self, region: str, account: str) -> None:
        self.region, self.account = region, account
        self.calls: list[Call] = []
        self._current = threading.local()
        self._lock = threading.Lock()

    def install(self, monkeypatch, host) -> CallRecorder:
        """Wrap the runtime's invocations, the SDK's API calls and thread-pool submissions (test-scoped patches)."""
        invoke = host.invoke

        def attributed_invoke(name: str, event: Any, environment: dict[str, str]):
            with self._acting_as(name):
                return invoke(name, event, environment)

        make_api_call = BaseClient._make_api_call
        recorder = self

        def recorded_call(client: BaseClient, operation: str, params: dict[str, Any]):
            function = getattr(recorder._current, "function", None)
            service = client.meta.service_model.service_name
            if function and service in ("s3", "dynamodb"):
                found = permissions(service, operation, params, recorder.region, recorder.account)
                with recorder._lock:
                    recorder.calls += [Call(function, action, resource) for action, resource in found]
            return make_api_call(client, operation, params)

        submit = ThreadPoolExecutor.submit

        def attributed_submit(executor: ThreadPoolExecutor, fn: Callable, /, *args: Any, **kwargs: Any):
            function = getattr(recorder._current, "function", None)

            def run(*inner_args: Any, **inner_kwargs: Any) -> Any:
                with recorder._acting_as(function):
                    return fn(*inner_args, **inner_kwargs)

            return submit(executor, run, *args, **kwargs)

        monkeypatch.setattr(host, "invoke", attributed_invoke)
        monkeypatch.setattr(BaseClient, "_make_api_call", recorded_call)
        monkeypatch.setattr(ThreadPoolExecutor, "submit", attributed_submit)
        return self

    @contextmanager
    def _acting_as(self, function: str | None) -> Iterator[None]:
        previous = getattr(self._current, "function", None)
        self._current.function = function
        try:
            yield
        finally:
            self._current.function = previous


def _matches(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    pattern = pattern.replace("[", "[[]")
    return fnmatch.fnmatchcase(value, pattern) if case_sensitive else fnmatch.fnmatchcase(value.lower(),
                                                                                       pattern.lower())


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _document(raw: Any) -> dict[str, Any]:
    """A policy document as IAM returns it (JSON), or as moto stores one from CloudFormation (a Python repr)."""
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return ast.literal_eval(raw)


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def covers(self, action: str, resource: str) -> bool:
        return (any(_matches(pattern, action, case_sensitive=False) for pattern in self.actions)
                and any(_matches(pattern, resource) for pattern in self.resources))


def statements(document: dict[str, Any], resource_default: str | None = None) -> list[Statement]:
    """A policy's statements; `resource_default` stands for "*" in a resource policy (the resource it is on)."""
    found = []
    for statement in _listed_statements(document):
        resources = _listed(statement.get("Resource", "*"))
        if resource_default is not None:
            resources = [resource_default if r == "*" else r for r in resources]
        found.append(Statement(statement["Effect"], tuple(_listed(statement["Action"])), tuple(resources)))
    return found


def _listed_statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    raw = document["Statement"]
    yield from ([raw] if isinstance(raw, dict) else raw)


@dataclass
class RolePolicies:
    """Each deployed function's role statements, plus the Deny statements of resource policies on the tables."""

    roles: dict[str, list[Statement]]
    resource_denies: list[Statement]

    @classmethod
    def of_stack(cls, lambda_client, iam_client, functions: list[str],
                 table_policies: dict[str, dict[str, Any]]) -> RolePolicies:
        """`table_policies`: each table's ARN and the resource policy the template gives it."""
        roles = {}
        for function in functions:
            role = lambda_client.get_function(FunctionName=function)["Configuration"]["Role"].rsplit("/", 1)[1]
            roles[function] = [found for name in iam_client.list_role_policies(RoleName=role)["PolicyNames"]
                               for found in statements(_document(iam_client.get_role_policy(
                                   RoleName=role, PolicyName=name)["PolicyDocument"]))]
        denies = [statement for arn, policy in table_policies.items()
                  for statement in statements(policy, resource_default=arn) if statement.effect == "Deny"]
        return cls(roles, denies)

    def allows(self, call: Call) -> bool:
        own = self.roles[call.function]
        if any(s.effect == "Deny" and s.covers(call.action, call.resource) for s in own + self.resource_denies):
            return False
        return any(s.effect == "Allow" and s.covers(call.action, call.resource) for s in own)

    def never_called(self, function: str, calls: set[Call], prefix: str) -> list[str]:
        """Each `prefix` action the function's role allows on a resource the function never called it on."""
        used = [(c.action, c.resource) for c in calls if c.function == function]
        return sorted(f"{action} on {resource}" for s in self.roles[function] if s.effect == "Allow"
                      for action in s.actions if action.startswith(prefix) for resource in s.resources
                      if not any(_matches(action, a, case_sensitive=False) and _matches(resource, r)
                                 for a, r in used))
