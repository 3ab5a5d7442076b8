"""`make bench` in smoke mode (tiny sizes, one repetition), so the benchmark cannot rot."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def test_the_benchmark_runs_end_to_end_and_serving_imports_no_training_stack(tmp_path):
    output = tmp_path / "bench.json"

    completed = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke", "--output", str(output)], cwd=ROOT,
                               capture_output=True, text=True, timeout=600, check=False)

    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    everything = json.loads(output.read_text())
    result = everything["inference"]
    assert result["onnx"]["heavy_modules"] == [] and "sklearn" in result["naive"]["heavy_modules"]
    for handler in ("onnx", "naive"):
        figures = result[handler]
        assert figures["cold_total_s"]["median"] > sum(phase["median"] for phase in figures["phases_s"].values()) > 0
        assert 0 < figures["single_p50_ms"]["median"] <= figures["single_p99_ms"]["median"]
        assert figures["cold_total_s"]["min"] <= figures["cold_total_s"]["median"] <= figures["cold_total_s"]["max"]
    assert "| cold start, whole handler |" in completed.stdout
    [size] = everything["validation"]["sizes"]
    assert size["rows"] == 20_000 and size["streaming"]["peak_rss_mb"] > 0 and size["pandas"]["seconds"] > 0
    [run] = everything["pipeline"]["sizes"]
    assert run["pipeline_s"] > 0 and run["bare_s"] > 0 and run["pipeline_s"] > run["outside_steps_s"] > 0
    assert run["fit_s"] > 0 and run["machinery_s"] > 0  # the trials report their fit times
    assert 0 < run["report_s"] < run["pipeline_s"] and "the run's report" in completed.stdout
    assert set(run["steps_s"]) >= {"validate", "export", "evaluate", "register", "report", "train:random_forest",
                                   "train:hist_gradient_boosting", "train:logistic_regression"}
    search = everything["search"]
    assert search["trials"] == search["succeeded"] == search["bare_trials"] == search["max_trials"]
    assert search["run_s"] > search["map_s"] > 0 and search["bare_s"] > 0
    assert all(seconds > 0 for seconds in search["fit_by_candidate_s"].values())  # each candidate was tried
    assert search["outside_fit_max_s"] >= search["outside_fit_median_s"] > 0
    largest = search["largest"]
    assert largest["candidate"] in search["candidates"] and largest["artifact_bytes"] > 0
    assert largest["peak_rss_mb"] > largest["base_rss_mb"] > 0
    assert "| search, Train trials map, entered to exited (3 trials over 3 candidates, 1,000 rows) |" in (
        completed.stdout)
    assert all(limit["rows"] > 0 for limit in everything["capacity"]["train"]["limits"].values())
    assert "largest dataset, validate step" in completed.stdout
    ui = everything["ui"]
    assert ui["shown"] == ui["runs"] == 5 and ui["max_ms"] >= ui["median_ms"] > 0
    assert "| `mlops ui`: a model's runs page, 5 runs" in completed.stdout
