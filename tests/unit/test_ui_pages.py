"""`mlops ui`'s page logic without a stack: the monitor series, two runs compared, and what the app allows."""

from mlops_cli.stack import Stack
from mlops_cli.ui import monitor_series, views
from mlops_cli.ui.app import create_app, number, svg_image


def a_pass(end: str, drift: dict | None = None, quality: dict | None = None, notes: list | None = None) -> dict:
    features = {name: {"drift": value} for name, value in (drift or {}).items()}
    return {"window": {"start": "2026-01-01T00:00:00+00:00", "end": end}, "quality": quality or {},
            "drift": {"features": features} if drift is not None else None, "notes": notes or []}


NEWEST_FIRST = [a_pass("2026-01-01T03:00:00+00:00", {"age": 0.4, "plan": 0.0}, {"accuracy": 0.7}),
                a_pass("2026-01-01T02:00:00+00:00", None, {}, ["drift not computed: 12 records, 100 needed"]),
                a_pass("2026-01-01T01:00:00+00:00", {"age": 0.0, "plan": 0.1}, {"accuracy": 0.9})]


def test_drift_series_run_oldest_first_per_feature_skipping_passes_that_computed_none():
    assert monitor_series.drift_by_feature(NEWEST_FIRST) == {
        "age": [("2026-01-01T01:00:00+00:00", 0.0), ("2026-01-01T03:00:00+00:00", 0.4)],
        "plan": [("2026-01-01T01:00:00+00:00", 0.1), ("2026-01-01T03:00:00+00:00", 0.0)]}


def test_quality_series_run_oldest_first_per_metric():
    assert monitor_series.quality(NEWEST_FIRST) == {
        "accuracy": [("2026-01-01T01:00:00+00:00", 0.9), ("2026-01-01T03:00:00+00:00", 0.7)]}


def test_latest_notes_come_newest_first_with_their_pass():
    assert monitor_series.latest_notes(NEWEST_FIRST) == [
        ("2026-01-01T02:00:00+00:00", "drift not computed: 12 records, 100 needed")]


def test_only_the_parameters_that_differ_are_listed_and_a_missing_one_shows_as_a_dash():
    first = {"C": 1.0, "penalty": "l2", "max_iter": 100}
    second = {"C": 0.25, "penalty": "l2", "class_weight": "balanced"}

    assert views.differing(first, second) == [("C", "1", "0.25"), ("class_weight", "-", '"balanced"'),
                                              ("max_iter", "100", "-")]


def test_metrics_side_by_side_keep_every_metric_either_run_has():
    assert views.side_by_side({"roc_auc": 0.8, "accuracy": 0.7}, {"roc_auc": 0.82}) == [
        ("accuracy", 0.7, None), ("roc_auc", 0.8, 0.82)]


def test_figures_pair_by_id_in_the_first_reports_order_then_the_seconds_own():
    roc, pr, hist = ({"id": key, "title": key.upper(), "svg": f"<svg>{key}</svg>"} for key in ("roc", "pr", "hist"))

    pairs = views.paired_figures({"figures": [roc, pr]}, {"figures": [hist, roc]})

    assert [(p["id"], p["pair"]) for p in pairs] == [("roc", [roc, roc]), ("pr", [pr, None]), ("hist", [None, hist])]


def test_a_run_without_a_report_pairs_the_other_runs_figures_with_nothing():
    roc = {"id": "roc", "title": "ROC", "svg": "<svg/>"}

    assert views.paired_figures(None, {"figures": [roc]}) == [{"id": "roc", "title": "ROC", "pair": [None, roc]}]


def test_the_app_has_only_get_routes():
    app = create_app(Stack("any", {}))

    assert {method for rule in app.url_map.iter_rules() for method in rule.methods} == {"GET", "HEAD", "OPTIONS"}


def test_a_request_for_another_host_name_is_refused_before_anything_is_read():
    client = create_app(Stack("any", {})).test_client()

    assert client.get("/", headers={"Host": "rebound.example"}).status_code == 400


def test_a_post_is_refused():
    client = create_app(Stack("any", {})).test_client()

    assert client.post("/models/churn").status_code == 405


def test_an_invalid_model_name_is_a_bad_request_that_names_it():
    answer = create_app(Stack("any", {})).test_client().get("/models/Not%20Valid")

    assert answer.status_code == 400 and "Not Valid" in answer.get_data(as_text=True)


def test_a_chart_is_an_image_whose_markup_cannot_escape_its_attribute():
    markup = str(svg_image('<svg><text>"><script>alert(1)</script></text></svg>', 'drift "per" feature'))

    assert markup.startswith('<img class="chart" alt="drift &#34;per&#34; feature" src="data:image/svg+xml;base64,')
    assert "<script>" not in markup


def test_numbers_show_four_decimals_and_a_dash_for_none():
    assert (number(0.123456), number(0), number(None), number(3.0, 2)) == ("0.1235", "0.0000", "-", "3.00")
