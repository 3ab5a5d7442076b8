"""Least privilege, read off the template after the SAM transform: every role's actions, listed and bounded."""

from pathlib import Path

import pytest

from localcloud.template import prepare

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


def test_no_role_allows_a_wildcard_action_or_deletes_objects(roles):
    for role, (statements, _) in roles.items():
        granted = actions(statements)
        assert not [a for a in granted if "*" in a], role
        assert not [a for a in granted if a.startswith("s3:Delete")], role


def test_the_inference_function_only_reads_models_and_registry_and_writes_capture(roles):
    statements, _ = roles["InferenceFunction"]

    s3 = {a for a in actions(statements) if a.startswith("s3:")}
    dynamodb = {a for a in actions(statements) if a.startswith("dynamodb:")}

    assert s3 == {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}
    assert not [a for a in dynamodb if a.split(":")[1].startswith(("Put", "Update", "Delete", "BatchWrite"))]


def test_only_the_register_step_writes_the_registry(roles):
    for role, (statements, _) in roles.items():
        writes = [s for s in statements if s["Effect"] == "Allow" and "dynamodb:PutItem" in actions([s])
                  and "RegistryTable" in str(s["Resource"])]
        assert bool(writes) == (role == "RegisterFunction"), role


def test_the_monitor_only_reads_traffic_and_only_the_register_step_writes_alarms(roles):
    monitor = actions(roles["MonitorFunction"][0])

    assert not [a for a in monitor if a.startswith("s3:") and a not in ("s3:GetObject", "s3:GetObjectVersion",
                                                                         "s3:ListBucket")]
    assert {a for a in monitor if a.startswith(("cloudwatch:", "states:"))} == {
        "cloudwatch:DescribeAlarms", "states:StartExecution"}
    for role, (statements, _) in roles.items():
        assert ("cloudwatch:PutMetricAlarm" in actions(statements)) == (role == "RegisterFunction"), role
