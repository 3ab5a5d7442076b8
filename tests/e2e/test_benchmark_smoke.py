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
    result = json.loads(output.read_text())["inference"]
    assert result["onnx"]["heavy_modules"] == [] and "sklearn" in result["naive"]["heavy_modules"]
    for handler in ("onnx", "naive"):
        assert result[handler]["cold_total_s"] > sum(result[handler]["phases_s"].values()) > 0
        assert 0 < result[handler]["single_p50_ms"] <= result[handler]["single_p99_ms"]
    assert "| cold start, whole handler |" in completed.stdout
