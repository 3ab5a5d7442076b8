"""The candidate catalog: modules read and checked as they register, and the trials a contract asks of them."""

import importlib.util
import itertools
from pathlib import Path

import pytest
from mlops_candidates.registry import CANDIDATES, DEFAULTS, catalog
from mlops_core.contract import Contract
from mlops_core.errors import CandidateError, ContractError
from mlops_core.training.catalog import Catalog
from sklearn.pipeline import Pipeline

from mlops_cli.samples import CHURN_CONTRACT

CATALOG = catalog()


def contract(**fields) -> Contract:
    return Contract.from_dict({**CHURN_CONTRACT, **fields})


TINY = {"NAME": "'tiny'", "TASKS": "('classification',)", "DEFAULTS": "{'C': 1.0}",
        "SPACE": "{'C': {'log': [0.01, 10.0]}}"}
BUILD = """
def build(params, contract):
    return Pipeline([("model", LogisticRegression(C=params["C"]))])
"""
COUNTER = itertools.count()


@pytest.fixture
def module(tmp_path):
    """A candidate module written to a file and imported, as a data scientist's would be; keyword arguments replace
    its declarations (Python source), None drops one."""

    def write(build: str = BUILD, docstring: str = "A tiny logistic regression.", **declarations):
        lines = [f'"""{docstring}"""', "from sklearn.linear_model import LogisticRegression",
                 "from sklearn.pipeline import Pipeline"]
        lines += [f"{key} = {value}" for key, value in {**TINY, **declarations}.items() if value is not None]
        path = Path(tmp_path) / f"candidate_{next(COUNTER)}.py"
        path.write_text("\n".join(lines) + "\n" + build)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        return loaded

    return write


def test_the_registry_lists_the_four_built_ins_and_the_defaults_per_task():
    assert sorted(CATALOG.candidates) == ["hist_gradient_boosting", "logistic_regression", "random_forest", "ridge"]
    assert len(CANDIDATES) == 4
    assert CATALOG.defaults == {task: tuple(names) for task, names in DEFAULTS.items()}


def test_every_built_in_keeps_its_defaults_inside_its_search_space():
    for candidate in CATALOG.candidates.values():
        for name, value in candidate.defaults.items():
            if name in candidate.space.dimensions:
                assert candidate.space.dimensions[name].contains(value), (candidate.name, name)


def test_a_contract_without_search_fits_each_candidate_once_at_its_defaults():
    trials = CATALOG.trials(contract())

    assert [t.candidate for t in trials] == list(DEFAULTS["classification"])
    assert [t.trial_id for t in trials] == ["t000", "t001", "t002"]
    assert all(t.params == CATALOG.get(t.candidate).defaults for t in trials)


def test_a_search_plans_max_trials_shared_over_the_candidates_deterministically():
    searched = contract(candidates=[{"candidate": "random_forest"}, {"candidate": "hist_gradient_boosting"},
                                    {"candidate": "logistic_regression"}], search={"max_trials": 24})

    trials = CATALOG.trials(searched)

    assert len(trials) == 24 and len({t.trial_id for t in trials}) == 24
    assert {t.candidate: sum(x.candidate == t.candidate for x in trials) for t in trials} == {
        "random_forest": 8, "hist_gradient_boosting": 8, "logistic_regression": 8}
    assert trials == CATALOG.trials(searched)
    for trial in trials:
        space = CATALOG.get(trial.candidate).space
        assert all(space.dimensions[k].contains(v) for k, v in trial.params.items() if k in space.dimensions)


def test_fixed_parameters_are_kept_in_every_trial_and_a_narrowed_space_is_respected():
    searched = contract(candidates=[{"candidate": "random_forest", "params": {"n_estimators": 30},
                                     "space": {"max_depth": {"int": [3, 5]}}}], search={"max_trials": 6})

    trials = CATALOG.trials(searched)

    assert {t.params["n_estimators"] for t in trials} == {30}
    assert {t.params["max_depth"] for t in trials} <= {3, 4, 5}


def test_the_same_candidate_twice_under_two_names_is_two_entries_of_the_leaderboard():
    twice = contract(candidates=[{"candidate": "random_forest", "name": "shallow", "params": {"max_depth": 3}},
                                 {"candidate": "random_forest", "name": "deep", "params": {"max_depth": 14}}])

    assert [(t.label, t.candidate, t.params["max_depth"]) for t in CATALOG.trials(twice)] == [
        ("shallow", "random_forest", 3), ("deep", "random_forest", 14)]


@pytest.mark.parametrize(("candidates", "named"), [
    ([{"candidate": "xgboost"}], "unknown candidate 'xgboost'"),
    ([{"candidate": "ridge"}], "'ridge' does not support classification"),
    ([{"candidate": "random_forest", "params": {"depth": 3}}], "unknown parameter 'depth' for random_forest"),
    ([{"candidate": "random_forest", "params": {"max_depth": 99}}], "candidates[0].params.max_depth: 99"),
    ([{"candidate": "random_forest", "space": {"max_depth": {"int": [1, 99]}}}], "candidates[0].space.max_depth"),
    ([{"candidate": "random_forest", "space": {"depth": [1, 2]}}], "unknown parameter 'depth'"),
    ([{"candidate": "random_forest", "params": {"max_depth": 5}, "space": {"max_depth": [3, 4]}}],
     "both fixed in params and searched"),
])
def test_a_contract_asking_for_what_the_candidates_cannot_do_is_refused_naming_it(candidates, named):
    with pytest.raises(ContractError) as refused:
        CATALOG.trials(contract(candidates=candidates, search={"max_trials": 4}))

    assert named in str(refused.value)


@pytest.mark.parametrize(("search", "named"), [
    ({"max_trials": 0}, "search.max_trials"), ({"max_trials": 201}, "search.max_trials"),
    ({"max_trials": 8, "halving": {"sample_fraction": 1.5, "top_k": 2}}, "search.halving.sample_fraction"),
    ({"max_trials": 8, "halving": {"sample_fraction": 0.2, "top_k": 9}}, "search.halving.top_k"),
    ({"trials": 8}, "search.trials: unknown setting"),
])
def test_a_search_outside_its_bounds_is_refused_naming_the_setting(search, named):
    with pytest.raises(ContractError, match=named.replace(".", r"\.")):
        contract(search=search)


def test_a_contract_written_before_search_keeps_its_sha256_through_a_round_trip():
    legacy = {**CHURN_CONTRACT, "candidates": [{"name": "lr", "estimator": "logistic_regression",
                                                "params": {"C": 0.5}}]}
    parsed = Contract.from_dict(legacy)

    assert Contract.from_dict(parsed.to_dict()).sha256 == parsed.sha256
    assert parsed.to_dict()["candidates"] == legacy["candidates"] and "search" not in parsed.to_dict()


def test_a_module_written_to_the_convention_registers_and_builds(module):
    tiny = Catalog.of([module()], {"classification": ["tiny"]})

    assert tiny.get("tiny").summary == "A tiny logistic regression."
    assert isinstance(tiny.get("tiny").pipeline({"C": 0.5}, contract()), Pipeline)


def test_a_module_missing_a_declaration_is_refused_naming_what_a_candidate_defines(module):
    assert "missing ['SPACE']" in Catalog.of([module(SPACE=None)], {}).broken["tiny"]


def test_a_module_whose_defaults_lie_outside_its_space_is_refused(module):
    assert "DEFAULTS.C" in Catalog.of([module(DEFAULTS="{'C': 100.0}")], {}).broken["tiny"]


def test_a_module_searching_a_parameter_without_a_default_is_refused(module):
    space = "{'C': {'log': [0.01, 10.0]}, 'tol': {'log': [1e-5, 1e-3]}}"

    assert "which DEFAULTS lacks" in Catalog.of([module(SPACE=space)], {}).broken["tiny"]


def test_two_modules_with_one_name_are_refused(module):
    with pytest.raises(CandidateError, match="unique"):
        Catalog.of([module(), module()], {})


def test_a_default_the_registry_names_must_support_its_task(module):
    with pytest.raises(CandidateError, match="does not support regression"):
        Catalog.of([module()], {"regression": ["tiny"]})


def test_a_build_that_returns_no_pipeline_is_refused_when_built(module):
    bare = Catalog.of([module(build="def build(params, contract):\n    return LogisticRegression()\n")], {})

    with pytest.raises(CandidateError, match="candidate tiny"):
        bare.get("tiny").pipeline({}, contract())


def test_the_code_version_changes_with_any_candidate_source(module):
    first = Catalog.of([module()], {}).code_version

    assert Catalog.of([module()], {}).code_version == first and len(first) == 12
    assert Catalog.of([module(docstring="Another docstring.")], {}).code_version != first


def test_a_broken_module_costs_only_the_contracts_that_name_it(module):
    catalog = Catalog.of([module(), module(NAME="'broken'", SPACE=None)], {"classification": ["tiny"]})

    assert set(catalog.candidates) == {"tiny"} and "missing ['SPACE']" in catalog.broken["broken"]
    assert len(catalog.trials(contract())) == 1
    with pytest.raises(CandidateError, match="candidate 'broken' is registered but broken: .*SPACE"):
        catalog.trials(contract(candidates=[{"candidate": "broken"}]))


NOT_JSON = ["{'C': (1.0, 2.0)}", "{'C': float('nan')}", "{'C': __import__('numpy').int64(1)}"]


@pytest.mark.parametrize("defaults", NOT_JSON)
def test_a_default_that_is_not_a_json_value_is_refused(module, defaults):
    catalog = Catalog.of([module(DEFAULTS=defaults, SPACE="{}")], {})

    assert "is not a JSON value" in catalog.broken["tiny"]


def test_tasks_given_as_a_string_are_refused_saying_a_tuple_is_expected(module):
    assert "must be a non-empty tuple" in Catalog.of([module(TASKS="'classification'")], {}).broken["tiny"]


def test_a_contract_naming_no_candidates_for_a_task_the_registry_has_no_defaults_for_is_refused(module):
    regression = contract(task="regression", target="tenure_months", metric="rmse")

    with pytest.raises(ContractError, match="no default candidates for regression"):
        Catalog.of([module()], {"classification": ["tiny"]}).trials(regression)
