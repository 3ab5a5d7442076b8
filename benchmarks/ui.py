"""`mlops ui`'s speed: the runs page of a model with 200 runs, served by `mlops ui` in its own process over the local
runtime, timed from a client over HTTP. The page reads each ended run once: the first request reads all 200 (its time
is shown apart), later ones none while no pipeline execution starts or ends.

One real pipeline run gives the record's shape (its steps and outcome); the other runs are written through the run
store's own methods (claim, record_step, finish) with the same steps, as the pipeline writes them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import capacity, pipeline

ROOT = Path(__file__).resolve().parent.parent
MODEL = "bench-ui"
STACK = "bench-ui"
TARGET_MS = 300
WARM_UP_REQUESTS = 3


@dataclass(frozen=True)
class Settings:
    runs: int
    requests: int


FULL = Settings(runs=200, requests=50)
SMOKE = Settings(runs=5, requests=3)


def measure(settings: Settings) -> dict:
    from mlops_core.contract import Contract

    from localcloud.runtime import LocalCloud, free_port
    from mlops_cli import operations
    from mlops_cli.samples import CHURN_CONTRACT
    from mlops_cli.stack import Stack

    with LocalCloud(ROOT / "template.yaml", port=free_port(), stack_name=STACK) as cloud:
        stack = Stack.find(cloud.stack_name)
        operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": MODEL}))
        _, real = pipeline.run_once(stack, MODEL, capacity.dataset(2_000), "ui")
        for number in range(1, settings.runs):
            seed_run(stack, real, f"seeded-{number:04d}")
        port = free_port()
        with ui_process(cloud.endpoint, port):
            url = f"http://127.0.0.1:{port}/models/{MODEL}/runs?limit={settings.runs}"
            every = [request_ms(url) for _ in range(WARM_UP_REQUESTS + settings.requests)]
            times = every[WARM_UP_REQUESTS:]
            with urllib.request.urlopen(url, timeout=60) as response:
                shown = response.read().decode().count('type="radio" name="a"')
    deciles = statistics.quantiles(times, n=10)
    return {"runs": settings.runs, "shown": shown, "requests": settings.requests, "first_ms": every[0],
            "median_ms": statistics.median(times), "p10_ms": deciles[0], "p90_ms": deciles[-1], "max_ms": max(times)}


def seed_run(stack, real: dict, run_id: str) -> None:
    """A run with the real run's steps and outcome, written as the pipeline writes one."""
    stack.runs.claim({"model": real["model"], "run_id": run_id, "trigger": real["trigger"],
                      "execution": f"{run_id}-execution", "dataset": real["dataset"]})
    for step, outcome in real["steps"].items():
        stack.runs.record_step(real["model"], run_id, step, outcome)
    stack.runs.finish(real["model"], run_id, real["status"], {
        key: real[key] for key in ("version", "promoted", "reason", "champion_version", "report_uri") if key in real})


@contextmanager
def ui_process(endpoint: str, port: int) -> Iterator[None]:
    """`mlops ui` in its own process, pointed at the local runtime, until the block ends."""
    environment = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, "-m", "mlops_cli.main", "--stack", STACK, "ui", "--port",
                                    str(port)], env=environment, cwd=ROOT, stderr=errors)
        try:
            _wait_until_it_answers(process, f"http://127.0.0.1:{port}/models/{MODEL}/runs?limit=1", errors)
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_it_answers(process: subprocess.Popen, url: str, errors, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if process.poll() is not None:
                errors.seek(0)
                raise RuntimeError(f"mlops ui exited: {errors.read().decode()[-2000:]}") from None
            time.sleep(0.2)
    raise RuntimeError(f"mlops ui did not answer within {timeout:g} s")


def request_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def rows(result: dict) -> list[tuple[str, str, str, str, str]]:
    met = "met" if result["median_ms"] < TARGET_MS else "NOT MET"
    first_met = "met" if result["first_ms"] < TARGET_MS else "NOT MET"
    return [(f"`mlops ui`: a model's runs page, {result['shown']} runs (median of {result['requests']} requests; "
             f"p10-p90 {result['p10_ms']:.0f}-{result['p90_ms']:.0f} ms, max {result['max_ms']:.0f} ms)",
             f"{result['median_ms']:.0f} ms", "", "", f"< {TARGET_MS} ms {met}"),
            ("  its first request after `mlops ui` started (reads every run shown)", f"{result['first_ms']:.0f} ms",
             "", "", f"< {TARGET_MS} ms {first_met}")]
