"""Property 11: no credentials in code or logs; the inference URL needs IAM by default; least privilege, read off the
template after the SAM transform (every role's actions, listed and bounded; no deletes; the registry immutable) and
checked against the S3 and DynamoDB calls each function makes in a run of the whole loop."""

import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from mlops_core.contract import Contract
from mlops_core.pipeline.triggers import run_key

from localcloud.template import load_template, prepare
from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, CHURN_RECORD, churn
from tests.aws_calls import CallRecorder, RolePolicies
from tests.e2e.conftest import automatic_runs, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def roles(monkeypatch_module):
    body = prepare(ROOT / "template.yaml", {}, "us-east-1", "123456789012").body
    resources = body["Resources"]
    found = {}
    for name, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        statements = [statement for policy in resource["Properties"].get("Policies", [])
                      for statement in policy["PolicyDocument"]["Statement"]]
        found[name.removesuffix("Role")] = (statements, resource["Properties"].get("ManagedPolicyArns", []))
    return found


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield patch


def actions(statements) -> set[str]:
    return {action for statement in statements if statement["Effect"] == "Allow"
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}


# Every action that deletes data or reads a whole table: S3 deletes, DynamoDB deletes (BatchWriteItem and PartiQL
# can delete too), and scans.
DELETE_OR_SCAN = re.compile(r"s3:Delete.*|dynamodb:(Delete.*|BatchWriteItem|PartiQLDelete|Scan)", re.IGNORECASE)
# The one scan a function needs: the monitor's pass lists every registered model.
SCANS = {("MonitorFunction", "dynamodb:Scan", "RegistryTable")}


def test_no_role_allows_a_wildcard_action_a_delete_or_a_scan_it_does_not_need(roles, figure):
    scans = set()
    for role, (statements, _) in roles.items():
        granted = actions(statements)
        assert not [a for a in granted if "*" in a], role
        for statement in statements:
            for action in actions([statement]):
                if DELETE_OR_SCAN.fullmatch(action):
                    tables = re.findall(r"(\w+Table)\b", json.dumps(statement["Resource"]))
                    scans |= {(role, action, table) for table in tables} or {(role, action, "*")}
    assert scans == SCANS
    listed = {role: len(actions(statements)) for role, (statements, _) in roles.items()}
    figure(11, f"{len(listed)} roles, {sum(listed.values())} actions listed: 0 wildcard actions, 0 S3 or DynamoDB "
               f"deletes (s3:Delete*, dynamodb:Delete*, BatchWriteItem, PartiQLDelete); {len(scans)} Scan (the "
               "monitor's, on the registry, to list the models)")


REGISTRY_REWRITES = {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem",
                     "dynamodb:PartiQLDelete", "dynamodb:PartiQLUpdate"}


def test_no_principal_may_delete_or_rewrite_a_registry_item(figure):
    body = prepare(ROOT / "template.yaml", {}, "us-east-1", "123456789012").body
    policy = body["Resources"]["RegistryTable"]["Properties"]["ResourcePolicy"]["PolicyDocument"]

    denied = {action for statement in policy["Statement"] if statement["Effect"] == "Deny"
              and statement["Principal"] == "*" and statement["Resource"] == "*" for action in statement["Action"]}

    assert REGISTRY_REWRITES <= denied
    figure(11, f"the registry table's resource policy denies {len(denied)} actions to every principal "
               f"({', '.join(sorted(a.removeprefix('dynamodb:') for a in denied))}): versions are never deleted or "
               "rewritten, whatever a role or user is granted")


def test_the_inference_function_only_reads_models_and_registry_and_writes_capture(roles, figure):
    statements, _ = roles["InferenceFunction"]

    s3 = {a for a in actions(statements) if a.startswith("s3:")}
    dynamodb = {a for a in actions(statements) if a.startswith("dynamodb:")}

    assert s3 == {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}
    assert not [a for a in dynamodb if a.split(":")[1].startswith(("Put", "Update", "Delete", "BatchWrite"))]
    figure(11, f"the inference function: S3 {sorted(s3)} (models, contracts; capture, feedback), DynamoDB reads only")


def test_only_the_register_step_writes_the_registry(roles, figure):
    for role, (statements, _) in roles.items():
        writes = [s for s in statements if s["Effect"] == "Allow" and "dynamodb:PutItem" in actions([s])
                  and "RegistryTable" in str(s["Resource"])]
        assert bool(writes) == (role == "RegisterFunction"), role
    figure(11, f"of {len(roles)} roles, only the Register step's can write the registry")


def test_the_monitor_only_reads_traffic_and_only_the_register_step_writes_alarms(roles, figure):
    monitor = actions(roles["MonitorFunction"][0])

    assert not [a for a in monitor if a.startswith("s3:") and a not in ("s3:GetObject", "s3:GetObjectVersion",
                                                                         "s3:ListBucket")]
    assert {a for a in monitor if a.startswith(("cloudwatch:", "states:"))} == {
        "cloudwatch:DescribeAlarms", "states:StartExecution"}
    for role, (statements, _) in roles.items():
        assert ("cloudwatch:PutMetricAlarm" in actions(statements)) == (role == "RegisterFunction"), role
    figure(11, "the monitor: S3 reads only, DescribeAlarms and StartExecution; only Register can put alarms")


# An AWS access key id, a secret assigned in code, a private key: what must never be committed.
SECRET = re.compile(r"(?<![A-Z0-9])AKIA[0-9A-Z]{16}(?![A-Z0-9])|aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}"
                    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----", re.IGNORECASE)


def test_no_credentials_are_committed(figure):
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in files:
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 5_000_000:
            text = path.read_text(errors="ignore")
            found += [f"{name}: {m.group(0)[:12]}..." for m in SECRET.finditer(text)]
    assert found == []
    figure(11, f"{len(files)} committed files scanned for access keys, secrets and private keys: 0 found")


def test_the_inference_url_requires_iam_unless_the_deployer_opts_out(figure):
    parameter = load_template(ROOT / "template.yaml")["Parameters"]["InferenceAuthType"]

    assert parameter["Default"] == "AWS_IAM"
    figure(11, "InferenceAuthType defaults to AWS_IAM (SigV4-signed requests only); NONE is an explicit choice")


@pytest.mark.e2e
def test_request_signatures_and_bodies_never_reach_the_logs(cloud, served, figure):
    logs: list[tuple[str, str]] = []
    cloud.host.log_listeners.append(lambda name, text: logs.append((name, text)))
    token = "Signature=5e3c1f0a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"
    body = str({"records": [CHURN_RECORD]}).replace("'", '"').replace("None", "null").encode()
    try:
        for path, data in [("models/served/predict", body), ("models/served/predict", b"{broken"),
                           ("models/nobody/predict", body), ("models/served/feedback", b'{"labels": [1]}')]:
            request = urllib.request.Request(served[2] + path, data=data, method="POST", headers={
                "authorization": f"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x, SignedHeaders=host, {token}",
                "x-amz-security-token": token, "content-type": "application/json"})
            try:
                urllib.request.urlopen(request, timeout=30).read()  # noqa: S310 - the local URL
            except urllib.error.HTTPError as error:
                error.read()
    finally:
        cloud.host.log_listeners.pop()
    text = "\n".join(output for _, output in logs)
    assert len(logs) == 4 and all("InferenceFunction" in name for name, _ in logs)  # one per request
    assert token not in text and "AKIAEXAMPLE" not in text and "tenure_months" not in text
    figure(11, f"{len(logs)} inference invocations' logs ({len(text.splitlines())} lines) after signed requests, "
               "good and bad: 0 signatures, 0 access key ids, 0 request bodies")


def deployed_access(cloud, stack) -> RolePolicies:
    """Each function's role as deployed, with the Deny statements the template's table resource policies add."""
    from localcloud.runtime import ACCOUNT, REGION

    resources = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in cloud.client(
        "cloudformation").describe_stack_resources(StackName=stack.name)["StackResources"] if "LogicalResourceId" in r}
    body = prepare(ROOT / "template.yaml", {}, REGION, ACCOUNT).body["Resources"]
    functions = [resources[name] for name, r in body.items() if r["Type"] == "AWS::Lambda::Function"]
    tables = {f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{resources[name]}":
              r["Properties"]["ResourcePolicy"]["PolicyDocument"] for name, r in body.items()
              if r["Type"] == "AWS::DynamoDB::Table" and "ResourcePolicy" in r["Properties"]}
    return RolePolicies.of_stack(cloud.client("lambda"), cloud.client("iam"), functions, tables)


def exercise_every_function(stack, tmp_path, model: str) -> None:
    """An upload (champion v1), its redelivery, a rejected upload, predictions and feedback, monitor passes, an
    alarm-started run."""
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model,
                                                       "monitoring": {"retrain_every_hours": 24}}))
    path = tmp_path / "data.csv"
    churn(1000, seed=1).to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    run = operations.wait_for_run(stack, model, trigger.run_id, timeout=300)
    assert run["status"] == "SUCCEEDED", run
    event = json.loads(stack.stepfunctions.describe_execution(executionArn=run["execution"])["input"])
    assert not stack.events_client.put_events(Entries=[{
        "Source": event["source"], "DetailType": event["detail-type"], "Resources": event["resources"],
        "Detail": json.dumps(event["detail"])}])["FailedEntryCount"]
    operations.wait_for_newest(stack, model, timeout=120)
    rejected = {**event["detail"], "object": {"key": f"incoming/{model.upper()}/data.csv", "version-id": "v1"}}
    assert not stack.events_client.put_events(Entries=[{
        "Source": event["source"], "DetailType": event["detail-type"], "Resources": event["resources"],
        "Detail": json.dumps(rejected)}])["FailedEntryCount"]
    rejection = wait_for(lambda: stack.runs.get(*run_key({**event, "detail": rejected})), timeout=120)
    assert rejection["status"] == "REJECTED", rejection
    answer = stack.inference.post(f"models/{model}/predict", {"records": [CHURN_RECORD]})
    stack.inference.post(f"models/{model}/feedback", {"labels": [
        {"request_id": answer["request_id"], "row": 0, "label": "yes"}]})
    try:  # the schedule's pass lists every model (a Scan); this session's other models may fail it
        operations.run_monitor(stack)
    except operations.MonitorFailedError:
        pass
    operations.run_monitor(stack, [model])
    detail = {"alarmName": f"{stack.outputs['AlarmPrefix']}{model}-drift", "previousState": {"value": "OK"},
              "state": {"value": "ALARM", "reason": "access test"}, "configuration": {"metrics": [{"metricStat": {
                  "metric": {"namespace": "ServerlessMlops", "name": "DriftScore", "dimensions": {"Model": model}}}}]}}
    assert not stack.events_client.put_events(Entries=[{
        "Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
        "Detail": json.dumps(detail)}])["FailedEntryCount"]
    [alarm_run] = wait_for(lambda: [r for r in automatic_runs(stack, model) if r["status"] != "RUNNING"])
    assert alarm_run["status"] == "SUCCEEDED", alarm_run


@pytest.mark.e2e
def test_every_function_calls_only_what_its_role_allows_and_its_role_allows_no_dynamodb_action_it_never_calls(
        cloud, stack, tmp_path, model_name, monkeypatch, figure):
    from localcloud.runtime import ACCOUNT, REGION

    access = deployed_access(cloud, stack)
    recorder = CallRecorder(REGION, ACCOUNT).install(monkeypatch, cloud.host)

    exercise_every_function(stack, tmp_path, model_name)
    monkeypatch.undo()

    calls = set(recorder.calls)
    refused = sorted((c.function.split("-")[-2], c.action, c.resource) for c in calls if not access.allows(c))
    assert refused == []
    never_called = {function: access.never_called(function, calls, "dynamodb:") for function in access.roles}
    assert {function: never for function, never in never_called.items() if never} == {}
    called = {c.function for c in calls}
    assert called == set(access.roles)
    dynamodb = {(c.function, c.action, c.resource) for c in calls if c.action.startswith("dynamodb:")}
    figure(11, f"an upload, its redelivery, a prediction and feedback, monitor passes and an alarm-started run: "
               f"{len(called)} functions needed {len(dynamodb)} DynamoDB and {len(calls) - len(dynamodb)} S3 "
               "permissions (action, resource), every one allowed by the function's deployed role; 0 DynamoDB "
               "actions granted that the function never called")
