"""The end-to-end tier's shared helpers: the `mlops` CLI in another process, a model the inference URL serves."""

import json
import subprocess
import sys
import time
from html.parser import HTMLParser

from mlops_core.aws.objects import S3Object
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, CHURN_RECORD, churn

RECORD = CHURN_RECORD


def mlops(*args: str) -> subprocess.CompletedProcess:
    """The operator CLI, run as a user runs it: another process, finding the stack through AWS_ENDPOINT_URL."""
    return subprocess.run([sys.executable, "-m", "mlops_cli.main", *args], capture_output=True, text=True,
                          timeout=600)


def differing_keys(sample, real, path="$"):
    """Paths where two JSON documents have different keys; values that are null or free-form are not compared."""
    if isinstance(sample, list) and isinstance(real, list) and sample and real:
        return differing_keys(sample[0], real[0], f"{path}[0]")
    if not (isinstance(sample, dict) and isinstance(real, dict)) or path.endswith(".params"):
        return []
    found = [f"{path}.{key}" for key in set(sample) ^ set(real)]
    for key in set(sample) & set(real):
        found += differing_keys(sample[key], real[key], f"{path}.{key}")
    return found


def execution_inputs(stack, execution_arn: str) -> dict[str, dict]:
    """Each task state's first Lambda input in an execution, by state name."""
    history = stack.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    inputs, state = {}, None
    for event in history:
        if event["type"] == "TaskStateEntered":
            state = event["stateEnteredEventDetails"]["name"]
        if event["type"] == "LambdaFunctionScheduled":
            inputs.setdefault(state, json.loads(event["lambdaFunctionScheduledEventDetails"]["input"]))
    return inputs


MONITORING = {"min_records": 100, "min_labels": 30}


def new_model(stack, tmp_path, name: str, monitoring: dict | None = None) -> str:
    """A model trained once on 2,000 customers: champion v1, with its alarms."""
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": name,
                                                       "monitoring": monitoring or MONITORING}))
    path = tmp_path / f"{name}.csv"
    churn(2000, seed=1, noise=0.1).to_csv(path, index=False)
    trigger = operations.upload(stack, path, name)
    run = operations.wait_for_run(stack, name, trigger.run_id, timeout=300)
    assert run["status"] == "SUCCEEDED" and run["promoted"], run
    return name


def wait_for(condition, timeout: float = 300, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s")


def automatic_runs(stack, model: str) -> list[dict]:
    return [run for run in stack.runs.list(model) if run["trigger"] == "alarm"]


def put_alarm_events(stack, model: str, count: int = 1) -> None:
    """`count` drift-alarm state changes to ALARM for the model, as CloudWatch sends them, in one PutEvents call."""
    alarm = f"{stack.outputs['AlarmPrefix']}{model}-drift"
    detail = {"alarmName": alarm, "state": {"value": "ALARM", "reason": "test alarm"},
              "previousState": {"value": "OK"}, "configuration": {"metrics": [{"metricStat": {"metric": {
                  "namespace": "ServerlessMlops", "name": "DriftScore", "dimensions": {"Model": model}}}}]}}
    entries = [{"Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change",
                "Detail": json.dumps(detail)} for _ in range(count)]
    assert not stack.events_client.put_events(Entries=entries)["FailedEntryCount"]


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.parts.append(data)


def run_report(stack, run: dict) -> tuple[dict, str, set[str]]:
    """A run's report.json, and its report.html as a browser reads it: the text, and the tags it holds."""
    document = stack.store.get_json(S3Object.parse(run["report_uri"].replace("report.html", "report.json")))
    page = _PageText()
    page.feed(operations.report_page(stack, run).decode())
    return document, "\n".join(page.parts), page.tags
