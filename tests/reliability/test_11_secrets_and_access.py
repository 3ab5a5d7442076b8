"""Property 11: no credentials in code or logs; the inference URL needs IAM by default; least privilege, read off the
template after the SAM transform: every role's actions, listed and bounded."""

import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from localcloud.template import load_template, prepare
from mlops_cli.samples import CHURN_RECORD

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


def test_no_role_allows_a_wildcard_action_or_deletes_objects(roles, figure):
    for role, (statements, _) in roles.items():
        granted = actions(statements)
        assert not [a for a in granted if "*" in a], role
        assert not [a for a in granted if a.startswith("s3:Delete")], role
    listed = {role: len(actions(statements)) for role, (statements, _) in roles.items()}
    figure(11, f"{len(listed)} roles, {sum(listed.values())} actions listed: 0 wildcard actions, 0 s3:Delete*")


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
    logs: list[str] = []
    cloud.host.log_listeners.append(lambda _, text: logs.append(text))
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
    text = "\n".join(logs)
    assert logs and token not in text and "AKIAEXAMPLE" not in text and "tenure_months" not in text
    figure(11, f"{len(logs)} inference invocations' logs ({len(text.splitlines())} lines) after signed requests, "
               "good and bad: 0 signatures, 0 access key ids, 0 request bodies")
