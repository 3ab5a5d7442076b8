"""Report charts: inline SVG that fetches nothing, runs nothing and comes out the same every time."""

import re
import xml.etree.ElementTree as ElementTree

import pytest
from mlops_core.reporting import charts

SVG = "{http://www.w3.org/2000/svg}"

DRAWINGS = {
    "line": lambda: charts.line_chart({"psi": [("2026-01-01T00:00:00Z", 0.1), ("2026-01-02T00:00:00Z", 0.3)],
                                       "accuracy": [("2026-01-01", 0.9)]}, "Drift over time", "PSI"),
    "curve": lambda: charts.curve_chart({"yes": ([0, 0.2, 1], [0, 0.7, 1])}, "ROC curve", "fpr", "tpr", "diagonal"),
    "bar": lambda: charts.bar_chart(["auc"], {"challenger": [0.8], "champion": [0.7]}, "Comparison", "auc",
                                    {"challenger": [(0.75, 0.85)], "champion": [(0.65, 0.75)]}),
    "heatmap": lambda: charts.heatmap([[5, 1], [2, 7]], ["no", "yes"], ["no", "yes"], "Confusion matrix",
                                      "predicted", "actual"),
    "histogram": lambda: charts.histogram_chart([0, 1, 2, 3], {"this": [0.2, 0.5, 0.3], "champion": [0.3, 0.4, 0.3]},
                                                "age", "age"),
    "scatter": lambda: charts.scatter_chart([1, 2, 3], [1.1, 2.2, 2.9], "Predicted against actual", "actual",
                                            "predicted", "diagonal"),
}


@pytest.mark.parametrize("kind", DRAWINGS)
def test_a_chart_is_one_inline_svg_element(kind):
    svg = DRAWINGS[kind]()

    assert ElementTree.fromstring(svg).tag == f"{SVG}svg"


@pytest.mark.parametrize("kind", DRAWINGS)
def test_a_chart_is_the_same_every_time(kind):
    assert DRAWINGS[kind]() == DRAWINGS[kind]()


@pytest.mark.parametrize("kind", DRAWINGS)
def test_a_chart_carries_no_script_link_or_date(kind):
    svg = DRAWINGS[kind]()

    assert "<script" not in svg
    assert not re.search(r"(href|src)=\"(?!#)", svg)
    assert "<metadata" not in svg and "<?xml" not in svg


def test_a_chart_keeps_its_title_as_text():
    svg = DRAWINGS["line"]()

    texts = [element.text for element in ElementTree.fromstring(svg).iter(f"{SVG}text")]
    assert "Drift over time" in texts


def test_markup_in_a_label_is_drawn_as_text_not_parsed():
    svg = charts.bar_chart(["<b>x</b>", "$a$"], {"share": [0.5, 0.5]}, "<script>alert(1)</script>", "share")

    texts = [element.text for element in ElementTree.fromstring(svg).iter(f"{SVG}text")]
    assert "<script>alert(1)</script>" in texts and "$a$" in texts
    assert "<script>" not in svg
