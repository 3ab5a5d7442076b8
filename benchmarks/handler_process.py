"""One fresh process: cold-start a handler phase by phase, then time warm requests; prints one JSON line.

Usage: python -m benchmarks.handler_process {onnx|naive|floor} MODEL WARM_SINGLE WARM_BATCH
The environment points boto3 at the benchmark's endpoint and names the registry table and capture bucket.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

from benchmarks.processes import emit

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = {"onnx": ROOT / "functions/inference/app.py", "naive": ROOT / "benchmarks/naive_handler.py"}
# What each handler imports, in its order, phase by phase: the SDK, Powertools (X-Ray's recorder with the Tracer),
# the ML stack. Whatever else a handler imports is counted in its own init.
IMPORTS = {"onnx": {"import_sdk": ["botocore.session"],
                    "import_powertools": ["aws_lambda_powertools.logging", "aws_lambda_powertools.metrics",
                                          "aws_lambda_powertools.tracing", "aws_xray_sdk.core"],
                    "import_ml": ["numpy", "onnxruntime"]},
           "naive": {"import_sdk": ["boto3"], "import_powertools": ["aws_lambda_powertools.event_handler"],
                     "import_ml": ["numpy", "pandas", "sklearn", "joblib"]},
           "floor": {"import_sdk": ["boto3"], "import_powertools": ["aws_lambda_powertools.event_handler"],
                     "import_ml": []}}
HEAVY = ("pandas", "sklearn", "scipy", "joblib", "pyarrow")


UNSAMPLED = "Root=1-5759e988-bd862e3fe1be46a994272794;Parent=53995c3f42cd8ad9;Sampled=0"


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 1024
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class Stopwatch:
    """Accumulates the time spent inside wrapped functions."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, owner: object, name: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(owner, name, timed)


def main(kind: str, model: str, warm_single: int, warm_batch: int) -> dict:
    phases: dict[str, float] = {}
    for phase, modules in IMPORTS[kind].items():
        mark = time.perf_counter()
        for name in modules:
            importlib.import_module(name)
        phases[phase] = time.perf_counter() - mark

    if kind == "floor":
        return floor(phases)
    fetch, load = Stopwatch(), Stopwatch()
    import botocore.client

    fetch.wrap(botocore.client.BaseClient, "_make_api_call")
    if kind == "onnx":
        sys.path.insert(0, str(ROOT / "layers/core"))
        from mlops_core.serving.onnx_model import OnnxModel

        load.wrap(OnnxModel, "load")
    else:
        import joblib

        load.wrap(joblib, "load")

    mark = time.perf_counter()
    spec = importlib.util.spec_from_file_location(f"bench_{kind}", HANDLERS[kind])
    handler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handler)
    phases["init_handler_and_clients"] = time.perf_counter() - mark - fetch.seconds
    fetch.seconds = 0.0

    event = json.loads((ROOT / "events/function_url_predict.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/models/{model}/predict"
    record = json.loads(event["body"])["records"][0]
    mark = time.perf_counter()
    first = handler.lambda_handler(with_records(event, [record]), Context())
    first_seconds = time.perf_counter() - mark
    assert first["statusCode"] == 200, first
    phases["model_fetch"] = fetch.seconds
    phases["model_load"] = load.seconds
    phases["first_prediction"] = first_seconds - fetch.seconds - load.seconds
    cold_rss_mb = peak_rss_mb()
    cold_end = time.time()

    # Lambda sets each invocation's trace header; under X-Ray's default sampling (the first request each second,
    # 5% of the rest) most warm requests are not sampled. The cold one above was.
    os.environ["_X_AMZN_TRACE_ID"] = UNSAMPLED

    single = timed_requests(handler, with_records(event, [record]), warm_single)
    batch = timed_requests(handler, with_records(event, [record] * 100), warm_batch)
    heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
    return {"kind": kind, "cold_end_epoch": cold_end, "phases": phases, "cold_rss_mb": cold_rss_mb,
            "peak_rss_mb": peak_rss_mb(),
            "warm_single_ms": single, "warm_batch100_ms": batch, "heavy_modules": heavy}


def floor(phases: dict[str, float]) -> dict:
    """What both handlers share: the SDK's two clients, Powertools' logger and resolver, and no ML at all."""
    import boto3
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver

    mark = time.perf_counter()
    clients = (boto3.client("s3"), boto3.client("dynamodb"), Logger(), LambdaFunctionUrlResolver())
    phases["init_handler_and_clients"] = time.perf_counter() - mark
    assert clients
    return {"kind": "floor", "cold_end_epoch": time.time(), "phases": phases, "cold_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's high-water RSS. Not ru_maxrss: Linux carries that over from the parent across exec."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def with_records(event: dict, records: list[dict]) -> dict:
    event = copy.deepcopy(event)
    event["body"] = json.dumps({"records": records})
    return event


def timed_requests(handler, event: dict, count: int) -> list[float]:
    """Milliseconds per request through the whole handler (routing, parsing, scoring, serializing)."""
    context, times = Context(), []
    for _ in range(count):
        fresh = dict(event)
        started = time.perf_counter()
        response = handler.lambda_handler(fresh, context)
        times.append((time.perf_counter() - started) * 1000)
        assert response["statusCode"] == 200, response
    return times


if __name__ == "__main__":
    result = main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    emit(result)
