"""The candidate checks catch what they are for: each fails on a candidate that breaks its rule."""

import importlib.util
from pathlib import Path

import pytest
from mlops_core.training.catalog import Catalog

from mlops_cli.candidate_checks import Budget, check_candidate, synthetic_frame

HEAD = '''"""A candidate that breaks a rule."""
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from mlops_core.training.preprocessing import tabular_features
NAME = "broken"
TASKS = ("classification",)
'''
BROKEN = {
    "fits": '''DEFAULTS = {}
SPACE = {}
def build(params, contract):
    return Pipeline([("model", RandomForestClassifier(n_estimators=5))])
''',
    "reproducible": '''DEFAULTS = {}
SPACE = {}
def build(params, contract):
    return Pipeline([("features", tabular_features(contract, "trees")),
                     ("model", RandomForestClassifier(n_estimators=5, random_state=np.random.randint(10**6)))])
''',
    "beats baseline": '''DEFAULTS = {}
SPACE = {}
def build(params, contract):
    return Pipeline([("features", tabular_features(contract, "trees")),
                     ("model", RandomForestClassifier(n_estimators=5, max_depth=1, max_features=None,
                                                      min_samples_leaf=10**6))])
''',
}
SOUND = '''DEFAULTS = {}
SPACE = {}
def build(params, contract):
    return Pipeline([("features", tabular_features(contract, "trees")),
                     ("model", RandomForestClassifier(n_estimators=20, random_state=0))])
'''


def load(tmp_path: Path, body: str):
    path = tmp_path / "broken.py"
    path.write_text(HEAD + body)
    spec = importlib.util.spec_from_file_location("broken", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Catalog.of([module], {}).get("broken")


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_a_candidate_breaking_a_rule_fails_that_check_and_says_why(tmp_path, rule):
    results = {check.name: check for check in check_candidate(load(tmp_path, BROKEN[rule]), "classification")}

    assert not results[rule].passed and results[rule].detail
    assert all(results[name].passed for name in ("search space",)), results


@pytest.mark.parametrize(("check", "budget"), [("onnx size", Budget(onnx_bytes=1024)),
                                              ("latency", Budget(single_row_ms=1e-6))])
def test_a_model_over_a_budget_fails_its_check_naming_the_figure_and_the_budget(tmp_path, check, budget):
    results = {c.name: c for c in check_candidate(load(tmp_path, SOUND), "classification", budget)}

    assert not results[check].passed and "budget" in results[check].detail
    assert results["exports"].passed


def test_a_check_after_a_failed_one_it_needs_is_reported_as_not_run(tmp_path):
    results = {check.name: check for check in check_candidate(load(tmp_path, BROKEN["fits"]), "classification")}

    assert results["exports"].detail == "not run: 'fits' failed" and not results["exports"].passed


def test_the_synthetic_frame_holds_gaps_an_empty_column_and_categories_the_fitting_rows_never_show():
    from mlops_core.training.splits import split_rows

    from mlops_cli.candidate_checks import synthetic_contract

    frame = synthetic_frame("classification")
    fit = split_rows(len(frame), synthetic_contract("classification")).fit

    assert frame["empty"].isna().all() and 0.1 < frame["x2"].isna().mean() < 0.3
    assert not frame["group"].iloc[fit].isin(["e", "f"]).any() and frame["group"].isin(["e", "f"]).any()
