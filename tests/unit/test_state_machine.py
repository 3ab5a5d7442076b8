"""Static checks of the pipeline's ASL against the template that deploys it."""

import json
import re
from pathlib import Path

import pytest

from localcloud.template import load_template

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachines" / "pipeline.asl.json").read_text())
LAMBDA_SERVICE_ERRORS = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                         "Lambda.TooManyRequestsException"}


def all_states(definition=ASL):
    for name, state in definition["States"].items():
        yield name, state, definition["States"]
        if "ItemProcessor" in state:
            yield from all_states(state["ItemProcessor"])


def tasks():
    """The Tasks that invoke the stack's functions (the other one writes a lost trial's record itself)."""
    return [(name, state) for name, state, _ in all_states()
            if state["Type"] == "Task" and state["Resource"].startswith("${")]


def test_every_substitution_is_defined_by_the_template():
    template = load_template(ROOT / "template.yaml")
    substitutions = template["Resources"]["PipelineStateMachine"]["Properties"]["DefinitionSubstitutions"]

    used = set(re.findall(r"\$\{(\w+)\}", json.dumps(ASL)))

    assert used == set(substitutions)


def test_every_transition_names_an_existing_state():
    for name, state, siblings in all_states():
        targets = [state.get("Next"), state.get("Default"), *(c["Next"] for c in state.get("Choices", [])),
                   *(c["Next"] for c in state.get("Catch", []))]
        for target in filter(None, targets):
            assert target in siblings, f"{name} -> {target}"


@pytest.mark.parametrize(("name", "state"), tasks(), ids=[name for name, _ in tasks()])
def test_every_task_retries_lambda_service_errors_only_and_has_a_timeout(name, state):
    retried = {error for rule in state["Retry"] for error in rule["ErrorEquals"]}

    assert retried == LAMBDA_SERVICE_ERRORS
    assert 0 < state["TimeoutSeconds"] <= 900


def function_timeouts() -> dict[str, int]:
    """Each Task's function's Timeout in template.yaml (its own, or the Globals one), by Task name."""
    template = load_template(ROOT / "template.yaml")
    substitutions = template["Resources"]["PipelineStateMachine"]["Properties"]["DefinitionSubstitutions"]
    default = template["Globals"]["Function"]["Timeout"]
    timeouts = {}
    for name, state in tasks():
        [function, _] = substitutions[re.fullmatch(r"\$\{(\w+)\}", state["Resource"]).group(1)]["Fn::GetAtt"]
        timeouts[name] = template["Resources"][function]["Properties"].get("Timeout", default)
    return timeouts


@pytest.mark.parametrize(("name", "state"), tasks(), ids=[name for name, _ in tasks()])
def test_every_task_gives_its_function_exactly_the_function_timeout(name, state):
    assert state["TimeoutSeconds"] == function_timeouts()[name]


def test_a_run_that_never_reaches_finish_releases_the_retraining_lease_when_the_execution_times_out():
    from mlops_core.pipeline.run_lifecycle import LEASE_SECONDS

    assert ASL["TimeoutSeconds"] == LEASE_SECONDS


def test_a_trial_whose_step_fails_is_recorded_in_the_trials_table_and_the_map_goes_on():
    trials = ASL["States"]["Train trials"]
    processor = trials["ItemProcessor"]["States"]
    lost = processor["Record lost trial"]

    assert trials["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert trials["ItemReader"]["Parameters"] == {"Bucket.$": "$.plan.bucket", "Key.$": "$.plan.key"}
    assert processor["Train trial"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                                  "Next": "Record lost trial"}]
    assert lost["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert lost["Parameters"]["TableName"] == "${TrialsTableName}"
    assert lost["Parameters"]["Item"]["status"] == {"S": "FAILED"}
    assert trials["ResultPath"] is None  # no payload grows with the number of trials


@pytest.mark.parametrize(("report", "then"), [("Write report", "Finish run"),
                                              ("Write failure report", "Record failure")])
def test_a_report_that_fails_never_changes_where_the_run_goes(report, then):
    state = ASL["States"][report]

    assert state["Next"] == then
    assert [(c["ErrorEquals"], c["Next"]) for c in state["Catch"]] == [(["States.ALL"], then)]
    assert state["Catch"][0]["ResultPath"] not in ("$", "$.run", "$.error")


def test_every_caught_failure_is_reported_before_it_is_recorded():
    catchers = {c["Next"] for name, state, _ in all_states() if name != "Write failure report"
                for c in state.get("Catch", [])}

    assert "Record failure" not in catchers and "Write failure report" in catchers
    assert ASL["States"]["Register model version"]["Next"] == "Write report"
