import math
import statistics
from collections import Counter

import pytest
from mlops_core.errors import ContractError
from mlops_core.training.search import (
    MAX_TRIALS_CAP,
    Choice,
    FloatRange,
    IntRange,
    LogUniform,
    SearchSpace,
    parse_dimension,
    plan_trials,
    share_trials,
)

WHERE = "candidates.random_forest.space.max_depth"
MIXED = SearchSpace.parse({"learning_rate": {"log": [1e-3, 0.3]}, "max_depth": {"int": [2, 64]},
                           "subsample": {"float": [0.5, 1.0]}, "criterion": ["gini", "entropy", "log_loss"]},
                          "space")


@pytest.mark.parametrize(("data", "dimension"), [
    (["gini", "entropy"], Choice(("gini", "entropy"))),
    ([1, None, True, 0.5], Choice((1, None, True, 0.5))),
    ({"int": [2, 16]}, IntRange(2, 16)),
    ({"float": [0, 1]}, FloatRange(0.0, 1.0)),
    ({"log": [1e-4, 10]}, LogUniform(1e-4, 10.0)),
])
def test_each_json_form_parses_to_its_dimension_and_back(data, dimension):
    parsed = parse_dimension(data, WHERE)

    assert parsed == dimension and parse_dimension(parsed.to_data(), WHERE) == parsed


@pytest.mark.parametrize(("data", "shown"), [
    ([], "[]"),
    ([3, 3.0], "3"),
    ([1, [2]], "[2]"),
    ([float("nan")], "nan"),
    ({"int": [5, 2]}, "[5, 2]"),
    ({"int": [1.5, 3]}, "1.5"),
    ({"int": [True, 3]}, "True"),
    ({"float": [1, 1]}, "[1, 1]"),
    ({"float": [0, float("inf")]}, "inf"),
    ({"log": [0, 1]}, "0"),
    ({"log": [-1, 1]}, "-1"),
    ({"log": ["a", 1]}, "'a'"),
])
def test_a_malformed_dimension_is_refused_naming_the_place_and_the_value(data, shown):
    with pytest.raises(ContractError) as error:
        parse_dimension(data, WHERE)

    assert str(error.value).startswith(f"{WHERE}: ") and shown in str(error.value)


@pytest.mark.parametrize("data", [3, "gini", {"int": [1]}, {"beta": [1, 2]}, {"int": [1, 2], "float": [1, 2]}, None])
def test_an_unknown_form_is_refused_with_the_accepted_forms(data):
    with pytest.raises(ContractError, match=rf'^{WHERE}: expected \[v1, v2, \.\.\.\], \{{"int"') as error:
        parse_dimension(data, WHERE)

    assert repr(data) in str(error.value)


def test_true_and_one_are_different_choices_but_one_and_one_point_zero_are_not():
    assert parse_dimension([1, True], WHERE).values == (1, True)
    with pytest.raises(ContractError, match="repeated"):
        parse_dimension([1, 1.0], WHERE)


@pytest.mark.parametrize(("dimension", "inside", "outside"), [
    (Choice(("a", 1)), ["a", 1, 1.0], ["b", True, None, [1]]),
    (IntRange(2, 5), [2, 5], [1, 6, 3.0, True, "3"]),
    (FloatRange(0.5, 1.0), [0.5, 1, 0.75], [0.49, 1.01, float("nan"), False, "0.6"]),
    (LogUniform(1e-3, 1.0), [1e-3, 1, 0.5], [0.0, 2.0, -0.5, True]),
])
def test_contains_accepts_values_of_the_right_kind_within_bounds(dimension, inside, outside):
    assert all(dimension.contains(value) for value in inside)
    assert not any(dimension.contains(value) for value in outside)


@pytest.mark.parametrize(("narrow", "wide"), [
    (Choice(("gini",)), Choice(("gini", "entropy"))),
    (Choice((4, 8)), IntRange(2, 16)),
    (Choice((0.01, 1)), LogUniform(1e-3, 1.0)),
    (IntRange(4, 8), IntRange(2, 16)),
    (IntRange(2, 3), Choice((1, 2, 3))),
    (IntRange(1, 3), FloatRange(0.5, 3.0)),
    (FloatRange(0.6, 0.9), FloatRange(0.5, 1.0)),
    (FloatRange(0.01, 0.1), LogUniform(1e-3, 1.0)),
    (LogUniform(0.01, 0.1), LogUniform(1e-3, 1.0)),
    (IntRange(2, 16), IntRange(2, 16)),
])
def test_a_narrower_dimension_is_within_the_wider_one(narrow, wide):
    assert narrow.within(wide)


@pytest.mark.parametrize(("other", "wide"), [
    (Choice(("gini", "hinge")), Choice(("gini", "entropy"))),
    (Choice((4, 4.5)), IntRange(2, 16)),
    (IntRange(1, 8), IntRange(2, 16)),
    (IntRange(1, 4), Choice((1, 2, 4))),
    (FloatRange(2.0, 3.0), IntRange(2, 16)),
    (FloatRange(0.4, 0.9), FloatRange(0.5, 1.0)),
    (LogUniform(1e-4, 0.1), LogUniform(1e-3, 1.0)),
    (LogUniform(0.1, 0.2), Choice((0.1, 0.2))),
])
def test_a_dimension_reaching_outside_the_other_is_not_within_it(other, wide):
    assert not other.within(wide)


def test_small_discrete_dimensions_have_a_grid_and_the_others_none():
    assert Choice(("a", "b")).grid() == ("a", "b")
    assert IntRange(1, 16).grid() == tuple(range(1, 17))
    assert IntRange(1, 17).grid() is None
    assert FloatRange(0, 1).grid() is None and LogUniform(0.1, 1).grid() is None


def test_at_maps_the_unit_interval_onto_the_dimension():
    assert [IntRange(1, 3).at(u) for u in (0.0, 0.34, 0.67, math.nextafter(1.0, 0.0))] == [1, 2, 3, 3]
    assert [Choice(("a", "b")).at(u) for u in (0.0, 0.49, 0.5, 0.99)] == ["a", "a", "b", "b"]
    assert FloatRange(2, 4).at(0.25) == 2.5
    assert LogUniform(0.01, 100).at(0.5) == pytest.approx(1.0)


def test_the_ends_of_the_unit_interval_stay_inside_a_log_range():
    # exp(log(3e-05)) is below 3e-05 and exp(log(100)) above 100 in floating point.
    dimension = LogUniform(3e-05, 100)

    assert dimension.contains(dimension.at(0.0)) and dimension.contains(dimension.at(math.nextafter(1.0, 0.0)))


def test_a_space_parses_in_order_round_trips_and_hashes():
    data = {"n_estimators": {"int": [20, 200]}, "max_depth": [4, 8, None], "min_samples_leaf": {"int": [1, 8]}}
    space = SearchSpace.parse(data, "space")

    assert list(space.dimensions) == list(data)
    assert space.to_data() == data and SearchSpace.parse(space.to_data(), "space") == space
    assert hash(space) == hash(SearchSpace.parse(data, "space"))


def test_a_space_cannot_be_changed_after_it_is_made():
    with pytest.raises(TypeError):
        MIXED.dimensions["max_depth"] = IntRange(1, 2)


def test_a_space_that_is_not_an_object_names_its_place():
    with pytest.raises(ContractError, match=r"^candidates\.ridge\.space: expected an object .* got \[1, 2\]"):
        SearchSpace.parse([1, 2], "candidates.ridge.space")


def test_a_bad_dimension_in_a_space_names_its_parameter():
    with pytest.raises(ContractError, match=r"^candidates\.ridge\.space\.alpha: .*got \[1, 0\]"):
        SearchSpace.parse({"alpha": {"log": [1, 0]}}, "candidates.ridge.space")


def test_narrowing_replaces_the_named_dimensions_and_keeps_the_others():
    narrowed = MIXED.narrowed({"max_depth": [4, 8], "criterion": ["gini"]}, "contract.search.gbm")

    assert narrowed.dimensions["max_depth"] == Choice((4, 8))
    assert narrowed.dimensions["criterion"] == Choice(("gini",))
    assert narrowed.dimensions["learning_rate"] == MIXED.dimensions["learning_rate"]
    assert list(narrowed.dimensions) == list(MIXED.dimensions)


def test_narrowing_an_unknown_parameter_lists_the_known_ones():
    with pytest.raises(ContractError, match=r"unknown parameter 'max_leaves' for contract\.search\.gbm; known: "
                                            r"\['learning_rate', 'max_depth', 'subsample', 'criterion'\]"):
        MIXED.narrowed({"max_leaves": [4]}, "contract.search.gbm")


def test_narrowing_outside_the_candidates_space_names_the_parameter_and_the_allowed_range():
    with pytest.raises(ContractError, match=r"^contract\.search\.gbm\.max_depth: .*\[1, 8\].*\[2, 64\]"):
        MIXED.narrowed({"max_depth": {"int": [1, 8]}}, "contract.search.gbm")


def test_check_refuses_a_fixed_value_outside_its_dimension_naming_both():
    with pytest.raises(ContractError, match=r"^candidates\.gbm\.params\.max_depth: 100 is outside"):
        MIXED.check({"max_depth": 100}, "candidates.gbm.params")


def test_check_accepts_values_inside_and_ignores_names_outside_the_space():
    MIXED.check({"max_depth": 8, "criterion": "gini", "n_jobs": -1, "verbose": "anything"}, "candidates.gbm.params")


def test_grid_size_is_the_product_of_the_grids_or_none():
    assert SearchSpace.parse({"a": [1, 2, 3], "b": {"int": [1, 4]}}, "s").grid_size() == 12
    assert MIXED.grid_size() is None
    assert SearchSpace({}).grid_size() == 1


def test_a_grid_no_larger_than_n_is_returned_whole_without_repeats():
    space = SearchSpace.parse({"a": [1, 2, 3], "b": {"int": [1, 4]}}, "s")
    configurations = space.configurations(20, seed=7)

    assert len(configurations) == 12
    assert {(c["a"], c["b"]) for c in configurations} == {(a, b) for a in (1, 2, 3) for b in (1, 2, 3, 4)}


def test_the_grid_order_follows_the_seed():
    space = SearchSpace.parse({"a": [1, 2, 3], "b": {"int": [1, 4]}}, "s")

    assert space.configurations(12, seed=1) == space.configurations(12, seed=1)
    assert space.configurations(12, seed=1) != space.configurations(12, seed=2)


def test_a_discrete_space_larger_than_n_gives_n_distinct_points():
    space = SearchSpace.parse({"a": [1, 2, 3], "b": {"int": [1, 5]}}, "s")

    for seed in range(20):
        configurations = space.configurations(14, seed)
        assert len({(c["a"], c["b"]) for c in configurations}) == len(configurations) == 14


def test_a_large_integer_range_gives_every_value_once_when_n_exceeds_it():
    configurations = SearchSpace.parse({"k": {"int": [1, 20]}}, "s").configurations(30, seed=3)

    assert sorted(c["k"] for c in configurations) == list(range(1, 21))


def test_the_same_seed_gives_the_same_configurations():
    assert MIXED.configurations(10, seed=5) == MIXED.configurations(10, seed=5)


def test_a_different_seed_gives_different_configurations_of_a_continuous_space():
    first, second = MIXED.configurations(10, seed=5), MIXED.configurations(10, seed=6)

    assert all(a["learning_rate"] != b["learning_rate"] for a, b in zip(first, second, strict=True))


def test_sampled_values_always_lie_in_their_dimensions():
    for seed in range(100):
        for configuration in MIXED.configurations(20, seed):
            assert all(MIXED.dimensions[name].contains(value) for name, value in configuration.items())


def test_integer_values_are_python_ints():
    values = [c["max_depth"] for seed in range(10) for c in MIXED.configurations(20, seed)]

    assert {type(value) for value in values} == {int}


def test_log_uniform_values_spread_evenly_over_the_decades():
    space = SearchSpace.parse({"alpha": {"log": [1e-4, 1]}}, "s")
    decades = Counter(math.floor(math.log10(c["alpha"])) for c in space.configurations(200, seed=11))

    # 50 a decade; a uniform (not log-uniform) draw would put about 180 in the top decade.
    assert sorted(decades) == [-4, -3, -2, -1] and all(45 <= count <= 55 for count in decades.values())


def test_continuous_values_are_spread_more_evenly_than_independent_draws():
    space = SearchSpace.parse({"x": {"float": [0, 1]}, "y": {"float": [0, 1]}, "z": {"float": [0, 1]}}, "s")

    # 200 independent uniform draws leave a tenth of the range 20 +/- 4.2 points; the Halton points stay within 3.
    for seed in range(20):
        configurations = space.configurations(200, seed)
        for name in "xyz":
            tenths = Counter(int(c[name] * 10) for c in configurations)
            assert all(17 <= tenths[tenth] <= 23 for tenth in range(10))


def test_an_empty_space_gives_one_configuration_of_defaults():
    assert SearchSpace({}).configurations(8, seed=0) == [{}]


def test_a_negative_count_is_refused():
    with pytest.raises(ContractError, match="-1"):
        MIXED.configurations(-1, seed=0)


def test_an_even_budget_is_shared_evenly():
    assert share_trials(24, {"a": None, "b": None, "c": None}) == {"a": 8, "b": 8, "c": 8}


def test_the_remainder_of_a_budget_goes_to_the_first_candidates():
    assert share_trials(25, {"a": None, "b": None, "c": None}) == {"a": 9, "b": 8, "c": 8}


def test_a_small_grid_takes_its_size_and_the_rest_flows_to_the_others():
    assert share_trials(24, {"ridge": 2, "forest": None, "gbm": None}) == {"ridge": 2, "forest": 11, "gbm": 11}


def test_what_one_grid_leaves_can_fill_another_grid():
    assert share_trials(30, {"a": 2, "b": 9, "c": None}) == {"a": 2, "b": 9, "c": 19}


def test_grids_smaller_than_the_budget_take_only_what_they_hold():
    assert share_trials(24, {"a": 2, "b": 3}) == {"a": 2, "b": 3}


def test_a_budget_below_the_candidate_count_gives_one_trial_to_the_first():
    assert share_trials(2, {"a": None, "b": 4, "c": None}) == {"a": 1, "b": 1, "c": 0}


def test_every_candidate_gets_a_trial_when_the_budget_allows():
    for budget in range(3, 40):
        shares = share_trials(budget, {"a": 1, "b": None, "c": 5})
        assert min(shares.values()) >= 1 and sum(shares.values()) <= budget


def test_a_plan_of_24_trials_over_three_candidates_numbers_every_trial():
    spaces = {name: MIXED for name in ("gbm", "forest", "extra")}
    trials = plan_trials(spaces, {"gbm": {"max_iter": 200}}, max_trials=24, seed=42)

    assert len(trials) == 24 and [t.trial_id for t in trials] == [f"t{i:03d}" for i in range(24)]
    assert Counter(t.candidate for t in trials) == {"gbm": 8, "forest": 8, "extra": 8}


def test_a_trial_keeps_the_fixed_params_and_takes_the_sampled_ones_over_them():
    space = SearchSpace.parse({"max_depth": {"int": [2, 64]}}, "s")
    trials = plan_trials({"gbm": space}, {"gbm": {"max_iter": 200, "max_depth": 1000}}, max_trials=5, seed=0)

    assert all(t.params["max_iter"] == 200 and 2 <= t.params["max_depth"] <= 64 for t in trials)


def test_candidates_with_the_same_space_try_different_configurations():
    trials = plan_trials({"a": MIXED, "b": MIXED}, {}, max_trials=8, seed=42)
    by_candidate = {name: [t.params for t in trials if t.candidate == name] for name in ("a", "b")}

    assert by_candidate["a"] != by_candidate["b"]


def test_the_plan_is_the_same_for_the_same_inputs():
    spaces = {"gbm": MIXED, "ridge": SearchSpace.parse({"alpha": {"log": [1e-3, 10]}}, "s")}

    assert plan_trials(spaces, {}, 10, seed=3) == plan_trials(spaces, {}, 10, seed=3)


@pytest.mark.parametrize("max_trials", [0, MAX_TRIALS_CAP + 1, 2.5, True])
def test_a_budget_outside_one_to_the_cap_is_refused(max_trials):
    with pytest.raises(ContractError, match=rf"^max_trials: .*{MAX_TRIALS_CAP}, got {max_trials!r}"):
        plan_trials({"gbm": MIXED}, {}, max_trials, seed=0)


def test_the_cap_itself_is_accepted():
    assert len(plan_trials({"gbm": MIXED}, {}, MAX_TRIALS_CAP, seed=0)) == MAX_TRIALS_CAP


def test_parameters_late_in_a_long_space_are_not_correlated():
    space = SearchSpace.parse({f"p{i}": {"float": [0, 1]} for i in range(8)}, "s")

    def correlation(configurations: list[dict]) -> float:
        return abs(statistics.correlation([c["p6"] for c in configurations], [c["p7"] for c in configurations]))

    # Unscrambled Halton's 7th and 8th bases (17, 19) put its first points on a line: a correlation near 1;
    # independent draws of 16 points give about 0.2.
    assert statistics.mean(correlation(space.configurations(16, seed)) for seed in range(20)) < 0.4
