"""A run's report: the document (report.json), its page (report.html) and a registered version's model card."""

import dataclasses
import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import numpy as np
import pytest
from mlops_core.contract import Contract, ContractError
from mlops_core.reporting import evidence
from mlops_core.reporting.html import fmt, render
from mlops_core.reporting.model_card import model_card
from mlops_core.reporting.report import CHAMPION_DATA, THIS_DATA, RunDocuments, build_report, histogram_pair
from mlops_core.scoring import METRICS, Prediction

from mlops_cli.samples import CHURN_CONTRACT

RUN = {"model": "churn", "run_id": "alarm-0123456789abcdef", "trigger": "alarm",
       "cause": {"alarm": "stack-model-churn-drift", "reason": "drift over threshold"},
       "dataset": {"uri": "s3://data/incoming/churn/a.csv", "version_id": "v1"},
       "started_at": "2026-12-02T10:00:00+00:00"}
PROFILE = {"rows": 1000, "columns": {
    "tenure_months": {"kind": "numeric", "quantiles": np.linspace(0, 100, 101).tolist()},
    "contract_type": {"kind": "categorical", "frequencies": {"monthly": 700, "yearly": 300}},
    "churned": {"kind": "categorical", "frequencies": {"no": 800, "yes": 200}}}}
OLD_PROFILE = {"rows": 500, "columns": {
    "tenure_months": {"kind": "numeric", "quantiles": np.linspace(20, 120, 101).tolist()},
    "contract_type": {"kind": "categorical", "frequencies": {"monthly": 250, "yearly": 250}}}}
VALIDATION = {"passed": True, "rows": 1000, "violations": [],
              "contract": {"uri": "s3://data/contracts/churn.json", "version": 3, "sha256": "c" * 64},
              "dataset": {"uri": "s3://data/incoming/churn/a.csv", "version_id": "v1", "sha256": "d" * 64,
                          "rows": 1000}, "candidates_version": "cands-1"}
TRIALS = [
    {"trial_id": "t1", "label": "forest", "candidate": "random_forest", "rung": 0, "status": "SUCCEEDED",
     "score": 0.81, "params": {"n_estimators": 50, "max_depth": 4, "seed": 1}},
    {"trial_id": "t2", "label": "forest", "candidate": "random_forest", "rung": 0, "status": "SUCCEEDED",
     "score": 0.84, "params": {"n_estimators": 50, "max_depth": 8, "seed": 1}},
    {"trial_id": "t2", "label": "forest", "candidate": "random_forest", "rung": 1, "status": "SUCCEEDED",
     "score": 0.86, "params": {"n_estimators": 50, "max_depth": 8, "seed": 1}},
]


def classification_evidence() -> dict:
    rng = np.random.default_rng(0)
    truth = np.where(rng.random(300) < 0.4, "yes", "no")
    p_yes = np.clip((truth == "yes") * 0.5 + rng.random(300) * 0.5, 0, 1)
    challenger = Prediction(np.where(p_yes >= 0.5, "yes", "no"), np.column_stack([1 - p_yes, p_yes]), ["no", "yes"])
    features = {"tenure_months": rng.normal(size=300), "contract_type": rng.choice(["monthly", "yearly"], 300)}
    return evidence.collect(truth, challenger, None, lambda columns: challenger, features, ["contract_type"],
                            METRICS["roc_auc"], seed=1)


def succeeded() -> RunDocuments:
    evaluation = {"best": {"trial_id": "t2", "params": {"n_estimators": 50, "max_depth": 8}}, "metric": "roc_auc",
                  "score": 0.83, "holdout_metrics": {"accuracy": 0.79}, "parity": {"ok": True, "rows": 200},
                  "decision": {"promote": True, "reason": "first version"}}
    return RunDocuments(run=RUN, status="SUCCEEDED", validation=VALIDATION, contract={
        **CHURN_CONTRACT, "intended_use": "Rank customers for retention calls.", "risk_rating": "Medium"},
        profile=PROFILE, champion_profile=OLD_PROFILE, trials=TRIALS, evaluation=evaluation,
        evidence=classification_evidence(), registration={"version": 4, "promoted": True, "reason": "first version"},
        code_version="0.1.0+abc")


def failed_validation() -> RunDocuments:
    violations = [{"rule": "range", "column": "age", "message": "3 values outside [18, 120]", "rows": 3,
                   "examples": [{"row": 7, "value": "-4"}, {"row": 9, "value": "<b>999</b>"}]}]
    return RunDocuments(run=RUN, status="FAILED", validation={**VALIDATION, "passed": False, "violations": violations},
                        error={"Error": "ContractViolationError", "Cause": "{}", "message": "failed: 1 rule(s)"})


@pytest.fixture(scope="module")
def report() -> dict:
    """A succeeded classification run's report, drawn once for the tests that only read it."""
    return build_report(succeeded())


class Page(HTMLParser):
    """What a browser would find in the page: elements with their attributes, and the text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_report_document_has_the_interface_the_ui_reads(report):
    assert set(report) >= {"schema", "model", "run_id", "status", "task", "provenance", "decision", "metrics",
                           "params", "leaderboard", "figures", "failure"}
    assert report["decision"] == {"promote": True, "reason": "first version", "version": 4}
    assert report["metrics"] == {"accuracy": 0.79, "roc_auc": 0.83}
    json.dumps(report)


def test_a_classification_report_has_every_figure_by_its_stable_id(report):
    ids = {figure["id"] for figure in report["figures"]}

    assert ids >= {"roc", "pr", "confusion", "calibration", "comparison", "importance",
                   "histogram:tenure_months", "histogram:contract_type", "histogram:churned"}


def test_a_regression_report_plots_predicted_against_actual_and_residuals():
    truth = np.linspace(0, 10, 200)
    found = evidence.collect(truth, Prediction(truth + 0.5), None, lambda columns: Prediction(truth + 0.5),
                             {"x": truth}, [], METRICS["rmse"])

    report = build_report(RunDocuments(run=RUN, status="SUCCEEDED", contract={"task": "regression"},
                                       evidence=found))

    ids = [figure["id"] for figure in report["figures"]]
    assert "predicted_vs_actual" in ids and "residuals" in ids and "roc" not in ids


def test_provenance_shows_the_trigger_the_alarm_the_data_and_the_versions(report):
    provenance = report["provenance"]

    assert provenance["trigger"] == "alarm" and "stack-model-churn-drift" in provenance["cause"]
    assert (provenance["data_sha256"], provenance["contract_version"], provenance["code_version"],
            provenance["candidates_version"]) == ("d" * 64, 3, "0.1.0+abc", "cands-1")


def test_the_leaderboard_shows_each_trial_at_its_last_rung_with_only_the_varying_parameters(report):
    board = report["leaderboard"]

    assert [(row["trial_id"], row["rung"], row["params"]) for row in board] == [
        ("t2", 1, {"max_depth": 8}), ("t1", 0, {"max_depth": 4})]


def test_histograms_put_this_data_beside_the_champions_on_common_bins():
    pair = histogram_pair(PROFILE["columns"]["tenure_months"], OLD_PROFILE["columns"]["tenure_months"])

    assert (pair["edges"][0], pair["edges"][-1]) == (0, 120)
    assert sum(pair["shares"][THIS_DATA]) == pytest.approx(1, abs=1e-3)
    assert sum(pair["shares"][CHAMPION_DATA]) == pytest.approx(1, abs=1e-3)
    assert pair["shares"][THIS_DATA][-1] == 0 and pair["shares"][CHAMPION_DATA][0] == 0


def test_a_first_run_says_its_data_has_no_champion_to_be_drawn_beside():
    first = build_report(dataclasses.replace(succeeded(), champion_profile=None))

    assert all(list(f["data"]["shares"]) == [THIS_DATA] for f in first["figures"] if f["id"].startswith("histogram:"))
    assert "no champion before this run" in render(first) and "beside the champion" not in render(first)
    assert "beside the champion's training data" in render(build_report(succeeded()))


def test_a_failed_validation_report_lists_the_broken_rules_with_their_example_rows():
    report = build_report(failed_validation())

    page = render(report)

    assert report["failure"]["rules"][0]["examples"][0] == {"row": 7, "value": "-4"}
    text = "".join(Page(page).text)
    assert "ContractViolationError" in text and "row 7: -4" in text and "row 9: <b>999</b>" in text


def test_the_page_runs_no_script_and_fetches_nothing(report):
    page = render(report)

    elements = Page(page).elements
    assert not [tag for tag, _ in elements if tag in ("script", "link", "iframe", "object", "embed", "img")]
    assert not [attrs for _, attrs in elements for name in ("src", "href") if attrs.get(name, "#").strip()[:1] != "#"
                and name in attrs]
    assert not re.search(r"url\((?!#)", page) and "@import" not in page


def test_the_page_shows_every_figure_of_the_document(report):
    page = render(report)

    shown = [attrs["data-figure"] for tag, attrs in Page(page).elements if tag == "figure"]
    assert shown == [f["id"] for f in report["figures"] if f["id"].startswith("histogram:")] + \
        [f["id"] for f in report["figures"] if f["id"] == "comparison"] + \
        [f["id"] for f in report["figures"] if not f["id"].startswith("histogram:") and f["id"] != "comparison"]
    for figure in report["figures"]:
        ElementTree.fromstring(figure["svg"])


def test_the_numbers_on_the_page_are_the_numbers_in_the_document(report):
    text = "\n".join(Page(render(report)).text)

    numbers = [*report["metrics"].values(), report["comparison"]["challenger"]["low"],
               *(group["score"] for group in report["categories"]["contract_type"]),
               report["comparison"]["challenger"]["high"], report["provenance"]["data_sha256"],
               *(row["score"] for row in report["leaderboard"]), report["decision"]["reason"]]
    assert [fmt(value) for value in numbers if fmt(value) not in text] == []


def test_values_from_the_data_are_escaped():
    docs = failed_validation()

    page = render(build_report(docs))

    assert "<b>999</b>" not in page and "&lt;b&gt;999&lt;/b&gt;" in page


def test_the_model_card_follows_sagemakers_content_schema(report):
    card = model_card(report, succeeded().contract, {"version": 4, "candidate": "forest",
                                                     "estimator": "random_forest",
                                                     "artifact": {"uri": "s3://art/models/churn/4.onnx"},
                                                     "metrics": {"validation_roc_auc": 0.86}})

    assert set(card) <= {"model_overview", "intended_uses", "business_details", "training_details",
                         "evaluation_details", "additional_information"}
    assert card["intended_uses"] == {"intended_uses": "Rank customers for retention calls.", "risk_rating": "Medium"}
    assert card["model_overview"]["model_version"] == 4
    [holdout, *curves] = card["evaluation_details"][0]["metric_groups"]
    assert {m["name"]: m["value"] for m in holdout["metric_data"]} == {"accuracy": 0.79, "roc_auc": 0.83}
    assert {m["type"] for group in curves for m in group["metric_data"]} == {"linear_graph", "matrix"}
    assert card["training_details"]["training_job_details"]["hyper_parameters"] == [
        {"name": "max_depth", "value": "8"}, {"name": "n_estimators", "value": "50"}]


def test_a_contract_without_a_risk_rating_gives_an_unknown_one(report):
    card = model_card(report, CHURN_CONTRACT, {"version": 4, "artifact": {"uri": "s3://a/m.onnx"}})

    assert card["intended_uses"]["risk_rating"] == "Unknown"


def test_a_contract_refuses_a_risk_rating_sagemaker_does_not_have():
    with pytest.raises(ContractError, match="risk_rating"):
        Contract.from_dict({**CHURN_CONTRACT, "risk_rating": "Severe"})


def test_a_contract_without_the_card_fields_keeps_its_sha256():
    contract = Contract.from_dict(CHURN_CONTRACT)

    assert "risk_rating" not in contract.to_dict()
    assert Contract.from_dict({**CHURN_CONTRACT, "risk_rating": "Low"}).sha256 != contract.sha256


def test_the_leaderboard_puts_the_lowest_error_first_for_an_error_metric():
    trials = [{**trial, "metric": "rmse"} for trial in TRIALS if trial["rung"] == 0]

    board = build_report(RunDocuments(run=RUN, status="SUCCEEDED", trials=trials))["leaderboard"]

    assert [row["trial_id"] for row in board] == ["t1", "t2"]


def test_the_model_cards_objective_uses_the_schemas_facet_and_direction(report):
    card = model_card(report, {**CHURN_CONTRACT, "metric": "rmse"}, {"version": 1, "artifact": {"uri": "s3://a/m"}})

    assert card["training_details"]["objective_function"]["function"] == {"function": "Minimize", "facet": "RMSE"}
