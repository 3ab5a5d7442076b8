"""Inference: the project's handler (ONNX Runtime) against the naive one (pandas + scikit-learn + joblib).

One model is trained, exported to ONNX and pickled with joblib, and registered in the local runtime's registry with
both artifacts. Each repetition starts a fresh process per handler (alternating), which cold-starts it phase by phase
and then times warm requests; figures are medians over the repetitions. A third process measures the floor both
share (interpreter, boto3 clients, Powertools), so the RSS the ML stack itself adds can be compared too.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from . import processes

ROOT = Path(__file__).resolve().parent.parent
MODEL = "bench-churn"


@dataclass(frozen=True)
class Settings:
    repeat: int
    rows: int
    warm_single: int
    warm_batch: int


FULL = Settings(repeat=9, rows=20_000, warm_single=1000, warm_batch=200)
SMOKE = Settings(repeat=1, rows=500, warm_single=20, warm_batch=5)


def register_model(stack, rows: int, estimator: str = "random_forest") -> None:
    """Train the default candidate, store its ONNX export and a joblib pickle, make it the champion."""
    import joblib
    from mlops_candidates.registry import catalog
    from mlops_core.aws.objects import S3Object
    from mlops_core.aws.registry import AliasMove
    from mlops_core.contract import Contract
    from mlops_core.data.tabular import model_frame
    from mlops_core.training.fitting import fit_trial
    from mlops_core.training.onnx_export import export_onnx

    from mlops_cli import operations
    from mlops_cli.samples import CHURN_CONTRACT, churn

    contract = Contract.from_dict({**CHURN_CONTRACT, "model": MODEL})
    contract_version = operations.put_contract(stack, contract)
    fitted = fit_trial(catalog().get(estimator).pipeline({}, contract), model_frame(churn(rows, seed=7), contract),
                       contract)
    buffer = io.BytesIO()
    joblib.dump(fitted.pipeline, buffer)
    bucket = stack.outputs["ArtifactBucketName"]
    artifacts = {}
    for name, body in (("model.onnx", export_onnx(fitted.pipeline, contract)), ("model.joblib", buffer.getvalue())):
        target = S3Object(bucket, f"models/{MODEL}/bench/{name}")
        artifacts[name] = {"uri": target.uri, "sha256": stack.store.put_once(target, body), "bytes": len(body)}
    version = stack.registry.register(MODEL, f"bench-{time.time_ns()}", {
        "artifact": artifacts["model.onnx"], "baseline": artifacts["model.joblib"], "estimator": estimator,
        "contract": {**contract.summary(), "uri": f"s3://{stack.data_bucket}/contracts/{MODEL}.json",
                     "version_id": contract_version}})
    stack.registry.move_alias(MODEL, AliasMove("champion", version, "benchmark", "benchmark model"))
    return {"estimator": estimator, "onnx_bytes": artifacts["model.onnx"]["bytes"],
            "joblib_bytes": artifacts["model.joblib"]["bytes"]}


# What Lambda sets and X-Ray reads: both handlers start as in a function with active tracing (the template's
# `Tracing: Active`), each request sampled. Outside Lambda the X-Ray SDK builds two sampling clients at import
# that Lambda never builds, and the Tracer turns itself off.
LAMBDA_ENVIRONMENT = {"LAMBDA_TASK_ROOT": str(ROOT / "functions/inference"), "AWS_LAMBDA_FUNCTION_NAME": "bench",
                      "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
                      "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}


def run_process(kind: str, settings: Settings, environment: dict[str, str]) -> dict:
    spawned = time.time()
    result = processes.run("benchmarks.handler_process", kind, MODEL, str(settings.warm_single),
                           str(settings.warm_batch), environment=environment, timeout=600)
    result["cold_total"] = result["cold_end_epoch"] - spawned
    return result


def measure(settings: Settings) -> dict:
    """Deploy the stack locally, register the model, and run the handler processes."""
    from localcloud.runtime import LocalCloud, free_port
    from mlops_cli.stack import Stack

    with LocalCloud(ROOT / "template.yaml", port=free_port()) as cloud:
        stack = Stack.find(cloud.stack_name)
        model = register_model(stack, settings.rows)
        environment = {**os.environ, "REGISTRY_TABLE": stack.outputs["RegistryTableName"],
                       "CAPTURE_BUCKET": stack.outputs["CaptureBucketName"], "POWERTOOLS_SERVICE_NAME": "bench",
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "ALIAS_REFRESH_SECONDS": "30", "CAPTURE_SAMPLE_RATE": "1",
                       "CAPTURE_FLUSH_SECONDS": "60", "PYTHONPATH": str(ROOT / "layers/core"), **LAMBDA_ENVIRONMENT}
        runs: dict[str, list[dict]] = {"onnx": [], "naive": [], "floor": []}
        for _ in range(settings.repeat):
            for kind in runs:
                runs[kind].append(run_process(kind, settings, environment))
    return {"model": model, "settings": settings.__dict__, "onnx": summarize(runs["onnx"]),
            "naive": summarize(runs["naive"]),
            "floor": {"cold_total_s": spread([run["cold_total"] for run in runs["floor"]]),
                      "cold_rss_mb": spread([run["cold_rss_mb"] for run in runs["floor"]])}}


def spread(values: list[float]) -> dict:
    """The median of the fresh processes, their quartiles and their extremes."""
    ordered = sorted(values)
    return {"median": statistics.median(ordered), "q1": percentile(ordered, 25), "q3": percentile(ordered, 75),
            "min": ordered[0], "max": ordered[-1]}


def summarize(runs: list[dict]) -> dict:
    phases = {name: spread([run["phases"][name] for run in runs]) for name in runs[0]["phases"]}
    return {
        "cold_total_s": spread([run["cold_total"] for run in runs]),
        "cold_ml_s": spread([run["phases"]["import_ml"] + run["phases"]["model_load"]
                             + run["phases"]["first_prediction"] for run in runs]),
        "phases_s": phases,
        "cold_rss_mb": spread([run["cold_rss_mb"] for run in runs]),
        "peak_rss_mb": spread([run["peak_rss_mb"] for run in runs]),
        "single_p50_ms": spread([percentile(run["warm_single_ms"], 50) for run in runs]),
        "single_p99_ms": spread([percentile(run["warm_single_ms"], 99) for run in runs]),
        "batch100_p50_ms": spread([percentile(run["warm_batch100_ms"], 50) for run in runs]),
        "batch100_p99_ms": spread([percentile(run["warm_batch100_ms"], 99) for run in runs]),
        "heavy_modules": sorted({name for run in runs for name in run["heavy_modules"]}),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Target:
    """A figure's goal: the naive handler's figure over ours at least `ratio`, ours at most `at_most`, or both."""

    ratio: float | None = None
    at_most: float | None = None

    def verdict(self, ours: dict, naive: dict, unit: str) -> str:
        """Met only when the whole interquartile range of the processes is on the right side: a figure that sits
        at its target within the noise is not met."""
        if self.ratio is None and self.at_most is None:
            return ""
        parts, met = [], True
        if self.ratio is not None:
            parts.append(f">= {self.ratio:g}x")
            met &= naive["q1"] / ours["q3"] >= self.ratio
        if self.at_most is not None:
            parts.append(f"<= {self.at_most:g} {unit}")
            met &= ours["q3"] <= self.at_most
        return " and ".join(parts) + (" met" if met else " NOT MET")


# (label, key, target, unit)
TARGETS = [
    ("cold start, whole handler", "cold_total_s", Target(ratio=5.0, at_most=0.5), "s"),
    ("cold start, ML part (imports + load + first prediction)", "cold_ml_s", Target(ratio=6.0), "s"),
    ("peak RSS after cold start", "cold_rss_mb", Target(ratio=2.0), "MB"),
    ("warm single row, p50", "single_p50_ms", Target(ratio=20.0, at_most=0.5), "ms"),
    ("warm single row, p99", "single_p99_ms", Target(), "ms"),
    ("warm batch of 100, p50", "batch100_p50_ms", Target(), "ms"),
    ("warm batch of 100, p99", "batch100_p99_ms", Target(), "ms"),
]


def shown(figure: dict, unit: str) -> str:
    """The median, then the range of the fresh processes."""
    return f"{figure['median']:.3g} {unit} ({figure['min']:.3g}-{figure['max']:.3g})"


def ratio_shown(ours: dict, naive: dict) -> str:
    """The ratio of the medians, then the one of the quartiles least in its favour (naive q1 over ours q3)."""
    return f"{naive['median'] / ours['median']:.2f}x (IQR: {naive['q1'] / ours['q3']:.2f}x)"


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    """Table rows: figure, project, naive baseline, ratio, target."""
    table = []
    for label, key, target, unit in TARGETS:
        ours, naive = result["onnx"][key], result["naive"][key]
        table.append((label, shown(ours, unit), shown(naive, unit), ratio_shown(ours, naive),
                      target.verdict(ours, naive, unit)))
    floor = result["floor"]["cold_rss_mb"]["median"]
    ours, naive = (result[kind]["cold_rss_mb"]["median"] - floor for kind in ("onnx", "naive"))
    table.append((f"  peak RSS above the naive handler's floor ({floor:.0f} MB: Python, boto3 clients, "
                  "Powertools)", f"{ours:.3g} MB", f"{naive:.3g} MB", f"{naive / ours:.1f}x", ""))
    for phase in result["onnx"]["phases_s"]:
        ours, naive = result["onnx"]["phases_s"][phase], result["naive"]["phases_s"][phase]
        table.append((f"  cold phase: {phase.replace('_', ' ')}", shown(ours, "s"), shown(naive, "s"),
                      f"{naive['median'] / ours['median']:.1f}x" if ours["median"] else "-", ""))
    return table
