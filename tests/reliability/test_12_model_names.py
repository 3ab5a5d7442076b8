"""Property 12: a model name is valid only when it matches in full, wherever it enters: an upload's key, the
inference URL's path, the CLI's arguments, a contract (its model and candidate names), the monitor's event. Each
invalid name is refused there, saying the rule, and no run, version, monitor pass or contract exists under it."""

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from mlops_core.aws.run_store import REJECTED
from mlops_core.contract import NAME_RULE, is_valid_name
from mlops_core.pipeline.triggers import REJECTED_TRIGGERS, run_key

from mlops_cli.main import main
from mlops_cli.samples import CHURN_CONTRACT
from tests.corpus import INVALID_NAMES
from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e
NAMES = list(INVALID_NAMES.values())
# A name with a '/' in an upload key is a folder below another model's; these keys name no model in other ways.
UPLOAD_KEYS = [f"incoming/{name}/data.csv" for name in NAMES if "/" not in name] + [
    "incoming/churn/../data.csv", "incoming/churn//data.csv", "incoming/churn/./data.csv", "incoming/data.csv"]


def s3_event(bucket: str, key: str) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "source": "aws.s3", "detail-type": "Object Created",
            "resources": [f"arn:aws:s3:::{bucket}"],
            "detail": {"bucket": {"name": bucket}, "object": {"key": key, "version-id": uuid.uuid4().hex}}}


def partitions(stack, table: str) -> set[str]:
    """Every model key in a table (a scan: this is the test looking, not the system)."""
    pages = stack.runs.client.get_paginator("scan").paginate(TableName=stack.outputs[table],
                                                             ProjectionExpression="model")
    return {item["model"]["S"] for page in pages for item in page["Items"]}


def invalid_partitions(stack) -> set[str]:
    found = set()
    for table in ("RunsTableName", "RegistryTableName", "MonitorTableName"):
        found |= {model for model in partitions(stack, table) if not is_valid_name(model)}
    return found - {REJECTED_TRIGGERS}


def test_an_upload_whose_key_names_no_valid_model_is_rejected_and_recorded_with_its_key(stack, figure):
    events = [s3_event(stack.data_bucket, key) for key in UPLOAD_KEYS]
    for event in events:
        assert not stack.events_client.put_events(Entries=[{
            "Source": event["source"], "DetailType": event["detail-type"], "Resources": event["resources"],
            "Detail": json.dumps(event["detail"])}])["FailedEntryCount"]

    records = [wait_for(lambda event=event: stack.runs.get(*run_key(event)), timeout=120) for event in events]

    executions = [stack.stepfunctions.describe_execution(executionArn=record["execution"]) for record in records]
    assert [(r["status"], r["key"]) for r in records] == [(REJECTED, key) for key in UPLOAD_KEYS]
    assert all(NAME_RULE in r["reason"] or "path segment" in r["reason"] or "not under" in r["reason"]
               for r in records)
    assert {(e["status"], e["error"]) for e in executions} == {("FAILED", "TriggerRejected")}
    assert invalid_partitions(stack) == set()
    figure(12, f"{len(events)} upload events whose key names no valid model (newline, tab, look-alike, '..', "
               f"empty, 300 characters, capitals; '..', '.' and empty segments): {len(records)} REJECTED records "
               f"with their key and reason, {len(executions)} executions ended TriggerRejected, 0 runs")


def test_the_inference_url_refuses_an_invalid_model_name_in_its_path_with_the_rule(stack, figure):
    url = stack.outputs["InferenceUrl"]
    statuses = {}
    for name in NAMES:
        request = urllib.request.Request(f"{url}models/{urllib.parse.quote(name, safe='')}/predict", method="POST",
                                         data=b'{"records": []}', headers={"content-type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=30).read()  # noqa: S310 - the local URL
            statuses[name] = (200, "")
        except urllib.error.HTTPError as error:
            statuses[name] = (error.code, json.loads(error.read())["error"])

    refused = [name for name, (status, message) in statuses.items() if status == 400 and NAME_RULE in message]
    assert refused == [name for name in NAMES if name]
    assert statuses[""][0] == 404  # no name at all: no route
    figure(12, f"{len(NAMES)} invalid names in the URL path: {len(refused)} answered 400 with the rule, the empty "
               "one 404 (no route), 0 5xx")


# `--model=NAME` and `--`: a name like '-churn' is an argument, not an option.
CLI = {
    "upload": lambda name, file: ["upload", file, f"--model={name}"],
    "retrain": lambda name, file: ["retrain", "--", name],
    "runs --wait": lambda name, file: ["runs", f"--model={name}", "--wait"],
    "predict": lambda name, file: ["predict", "--json", "[]", "--", name],
    "monitor run": lambda name, file: ["monitor", "run", "--", "churn", name],
    "rollback": lambda name, file: ["rollback", "--", name],
}


def test_the_cli_refuses_an_invalid_model_name_before_it_sends_anything(stack, tmp_path, capsys, figure):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    before = len(stack.store.list(stack.data_bucket, "incoming/"))
    refused = 0
    for command, argv in CLI.items():
        for name in NAMES:
            with pytest.raises(SystemExit) as exited:
                main(argv(name, str(data)))
            assert exited.value.code == 2, (command, name)
            assert NAME_RULE in capsys.readouterr().err, (command, name)
            refused += 1
    as_a_process = subprocess.run([sys.executable, "-m", "mlops_cli.main", "upload", str(data), "--model", "churn\n"],
                                  capture_output=True, text=True, timeout=120)

    assert (as_a_process.returncode, NAME_RULE in as_a_process.stderr) == (2, True)
    assert len(stack.store.list(stack.data_bucket, "incoming/")) == before
    figure(12, f"the CLI: {refused} of {len(CLI) * len(NAMES)} invalid name arguments ({len(NAMES)} names x "
               f"{len(CLI)} commands) refused with exit 2 and the rule before any call; 0 objects uploaded")


def test_a_contract_with_an_invalid_model_or_candidate_name_is_refused_and_not_stored(stack, tmp_path, capsys,
                                                                                         figure):
    contracts = [{**CHURN_CONTRACT, "model": name} for name in NAMES] + [
        {**CHURN_CONTRACT, "model": f"m-{uuid.uuid4().hex[:8]}",
         "candidates": [{"name": name, "estimator": "logistic_regression"}]} for name in NAMES]
    before = len(stack.store.list(stack.data_bucket, "contracts/"))
    refused = 0
    for index, contract in enumerate(contracts):
        path = tmp_path / f"contract-{index}.json"
        path.write_text(json.dumps(contract))
        code = main(["contract", "put", str(path)])
        refused += code == 2 and NAME_RULE in capsys.readouterr().err

    assert refused == len(contracts)
    assert len(stack.store.list(stack.data_bucket, "contracts/")) == before
    figure(12, f"`mlops contract put`: {refused} of {len(contracts)} contracts with an invalid model or candidate "
               "name refused (exit 2, the rule); 0 stored")


def test_the_monitor_refuses_a_model_name_it_is_given_that_is_not_valid(stack, figure):
    errors = []
    for name in NAMES:
        response = stack.lambda_client.invoke(FunctionName=stack.outputs["MonitorFunctionName"],
                                              Payload=json.dumps({"models": [name]}).encode())
        payload = json.loads(response["Payload"].read())
        errors.append((response.get("FunctionError") is not None, payload.get("errorType"),
                       NAME_RULE in payload.get("errorMessage", "")))

    assert errors == [(True, "InvalidNameError", True)] * len(NAMES)
    assert invalid_partitions(stack) == set()
    figure(12, f"the monitor invoked with {len(NAMES)} invalid model names: {len(errors)} refused "
               "(InvalidNameError, with the rule), 0 monitor passes recorded under them")
