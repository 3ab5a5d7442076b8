"""The continuous-training loop through the local runtime: real template, real state machine, real handlers."""


import pytest
from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.reporting.report import CHAMPION_DATA, THIS_DATA

from mlops_cli import operations
from mlops_cli.samples import CONTRACT_TYPES, churn, corrupt
from tests.e2e.conftest import differing_keys, execution_inputs, mlops, run_report

pytestmark = pytest.mark.e2e


def upload_and_wait(stack, tmp_path, model, frame, name):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    trigger = operations.upload(stack, path, model)
    return operations.wait_for_run(stack, model, trigger.run_id, timeout=300)


@pytest.fixture(scope="module")
def story(cloud, tmp_path_factory):
    """One model's life: first data, better data, worse data, corrupt data; each run and the champion after it."""
    from mlops_core.contract import Contract

    from mlops_cli.samples import CHURN_CONTRACT
    from mlops_cli.stack import Stack

    stack, tmp_path = Stack.find(cloud.stack_name), tmp_path_factory.mktemp("story")
    model = "story"
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model}))
    chapters = {
        "first": churn(2000, seed=1, noise=0.15),
        "better": churn(6000, seed=2, noise=0.05, calls_weight=0.9),
        "worse": churn(400, seed=4, noise=0.25, calls_weight=0.9),
        "corrupt": corrupt(churn(500, seed=3)),
    }
    results = {}
    for chapter, frame in chapters.items():
        run = upload_and_wait(stack, tmp_path, model, frame, f"{chapter}.csv")
        results[chapter] = (run, stack.registry.alias(model), stack.registry.latest_version(model))
    return stack, model, results


def test_the_first_upload_becomes_champion_v1(story):
    _, _, results = story
    run, champion, _ = results["first"]

    assert run["status"] == "SUCCEEDED", run.get("message")
    assert (run["version"], run["promoted"], champion["version"]) == (1, True, 1)


def test_better_data_becomes_champion_v2_with_the_reason(story):
    _, _, results = story
    run, champion, _ = results["better"]

    assert (run["version"], run["promoted"], champion["version"]) == (2, True, 2)
    assert "beats champion v1" in run["reason"]


def test_worse_data_is_registered_but_not_promoted_with_the_reason(story):
    _, _, results = story
    run, champion, latest = results["worse"]

    assert run["status"] == "SUCCEEDED"
    assert (run["version"], run["promoted"], champion["version"], latest) == (3, False, 2, 3)
    assert "does not" in run["reason"]


def test_contract_violating_data_fails_at_validate_and_changes_nothing(story):
    stack, model, results = story
    run, champion, latest = results["corrupt"]

    assert run["status"] == "FAILED" and run["error"] == "ContractViolationError"
    assert run["steps"]["validate"]["status"] == "FAILED"
    assert not any(step.startswith("select:") for step in run["steps"])
    assert stack.trials.list(model, run["run_id"]) == []
    assert (champion["version"], latest) == (2, 3)
    report = stack.store.get_json(S3Object(stack.outputs["ArtifactBucketName"],
                                           f"runs/{model}/{run['run_id']}/validation.json"))
    assert not report["passed"]
    assert {v["rule"] for v in report["violations"]} == {"range", "type", "category", "not_null"}


def test_a_version_traces_back_to_its_data_contract_code_and_run(story):
    stack, model, results = story
    run, _, _ = results["better"]

    version = stack.registry.get_version(model, 2)

    assert version["run_id"] == run["run_id"]
    assert version["data"]["version_id"] == run["dataset"]["version_id"]
    dataset = S3Object.parse(version["data"]["uri"], version["data"]["version_id"])
    assert sha256_hex(stack.store.get_bytes(dataset)) == version["data"]["sha256"]
    assert version["contract"]["sha256"] and version["code_version"].startswith("0.1.0+")
    assert version["candidates_version"] == run["steps"]["validate"]["candidates_version"]
    assert version["trial_id"] == run["steps"]["select:rung-0"]["best"]["trial_id"]
    assert version["parity"]["differing"] <= 0.01 * version["parity"]["rows"]
    artifact = stack.store.get_bytes(S3Object.parse(version["artifact"]["uri"]), version["artifact"]["sha256"])
    assert len(artifact) == version["artifact"]["bytes"] and version["artifact"]["load_seconds"] > 0


def test_every_step_of_a_run_is_recorded_with_its_timing(story):
    _, _, results = story
    run, _, _ = results["first"]

    assert {"validate", "select:rung-0", "export", "evaluate", "register"} <= set(run["steps"])
    assert all(step["status"] == "SUCCEEDED" and step["seconds"] >= 0 for step in run["steps"].values())


def test_each_default_candidate_is_one_trial_recorded_with_its_outcome_code_and_data(story):
    stack, model, results = story
    run, _, _ = results["first"]

    trials = stack.trials.list(model, run["run_id"])

    assert sorted(t["candidate"] for t in trials) == ["hist_gradient_boosting", "logistic_regression",
                                                      "random_forest"]
    assert all(t["status"] == "SUCCEEDED" and 0.5 < t["score"] <= 1 and t["fit_seconds"] > 0 for t in trials)
    assert {t["data_sha256"] for t in trials} == {run["steps"]["validate"]["dataset"]["sha256"]}
    assert {t["code_version"] for t in trials} == {run["steps"]["validate"]["candidates_version"]}
    best = run["steps"]["select:rung-0"]["best"]
    [exported] = [t for t in trials if t["trial_id"] == best["trial_id"]]
    assert exported["onnx_bytes"] > 0 and all("onnx_bytes" not in t for t in trials if t is not exported)


def test_an_upload_without_a_contract_fails_with_a_clear_message(stack, tmp_path, model_name):
    run = upload_and_wait(stack, tmp_path, model_name, churn(300, seed=1), "data.csv")

    assert run["status"] == "FAILED" and run["error"] == "ContractError"
    assert "mlops contract put" in run["message"]


STEP_EVENTS = {"Validate data": "validate", "Select trials": "select",
               "Export best trial": "export", "Evaluate against champion": "evaluate",
               "Register model version": "register", "Write report": "report", "Finish run": "finish"}


def test_the_sample_events_have_the_shape_of_real_step_inputs(story):
    from tests.conftest import load_event

    stack, _, results = story
    run, _, _ = results["better"]
    inputs = execution_inputs(stack, run["execution"])
    assert set(load_event("begin")) == set(inputs["Begin run"])
    for state, sample in STEP_EVENTS.items():
        assert differing_keys(load_event(sample), inputs[state]) == [], state
    assert differing_keys(load_event("train"), train_input(stack, run["execution"])) == []


def train_input(stack, execution_arn: str) -> dict:
    """What the Train function got for the first trial: the Train trials map's ItemSelector applied to its input and
    to the first item of its trial list (the local runtime does not list a Distributed Map's child executions)."""
    import json

    history = stack.stepfunctions.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    [entered] = [json.loads(e["stateEnteredEventDetails"]["input"]) for e in history
                 if e["type"] == "MapStateEntered"][:1]
    plan = entered["plan"]
    [first, *_] = stack.store.get_json(S3Object(plan["bucket"], plan["key"]))
    return {"run": entered["run"], "dataset": entered["validation"]["dataset"],
            "contract": entered["validation"]["contract"], "trial": first}


def test_a_promoted_runs_report_compares_it_with_the_champion_it_beat(story):
    stack, model, results = story
    run, _, _ = results["better"]

    report, text, tags = run_report(stack, run)

    assert (report["status"], report["task"], report["decision"]["version"]) == ("SUCCEEDED", "classification", 2)
    assert report["decision"]["reason"] == run["reason"] and run["reason"] in text
    assert {"roc", "pr", "confusion", "calibration", "comparison", "importance", "histogram:tenure_months",
            "histogram:contract_type"} <= {f["id"] for f in report["figures"]}
    assert {group["value"] for group in report["categories"]["contract_type"]} == set(CONTRACT_TYPES)
    comparison = report["comparison"]
    assert comparison["champion"]["score"] == stack.registry.get_version(model, 2)["champion_on_holdout"]["score"]
    assert comparison["challenger"]["low"] <= comparison["challenger"]["score"] <= comparison["challenger"]["high"]
    assert report["provenance"]["data_sha256"] == run["steps"]["validate"]["dataset"]["sha256"] and \
        report["provenance"]["data_sha256"] in text
    assert "script" not in tags and text.count("false positive rate") == 1
    histogram = next(f for f in report["figures"] if f["id"] == "histogram:tenure_months")
    assert set(histogram["data"]["shares"]) == {THIS_DATA, CHAMPION_DATA}


def test_a_first_runs_data_is_drawn_alone_not_beside_itself(story):
    stack, model, results = story
    run, _, _ = results["first"]

    report, text, _ = run_report(stack, run)

    histograms = [f for f in report["figures"] if f["id"].startswith("histogram:")]
    assert histograms and all(set(f["data"]["shares"]) == {THIS_DATA} for f in histograms)
    assert "no champion before this run" in text


def test_a_registered_version_gets_a_model_card(story):
    stack, model, results = story
    run, _, _ = results["better"]

    card = stack.store.get_json(S3Object.parse(run["steps"]["report"]["model_card_uri"]))

    assert card["model_overview"]["model_version"] == 2 and card["intended_uses"]["risk_rating"] == "Unknown"
    holdout = {m["name"]: m["value"] for m in card["evaluation_details"][0]["metric_groups"][0]["metric_data"]}
    assert holdout["roc_auc"] == run["steps"]["evaluate"]["score"]


def test_a_failed_validations_report_shows_the_broken_rules_with_their_example_rows(story):
    stack, model, results = story
    run, _, _ = results["corrupt"]

    report, text, _ = run_report(stack, run)

    assert report["status"] == "FAILED" and report["failure"]["error"] == "ContractViolationError"
    rules = {rule["rule"]: rule for rule in report["failure"]["rules"]}
    assert set(rules) == {"range", "type", "category", "not_null"}
    example = rules["range"]["examples"][0]
    assert f"row {example['row']}: {example['value']}" in text and "Why the run failed" in text


def test_mlops_report_saves_a_runs_page(story, tmp_path):
    stack, model, results = story
    run, _, _ = results["first"]

    result = mlops("report", run["run_id"], "--model", model, "-o", str(tmp_path / "first.html"))

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "first.html").read_bytes() == operations.report_page(stack, run)
    assert run["run_id"] in (tmp_path / "first.html").read_text()
