"""`make bench`: run the benchmarks, print one table, and write it to benchmarks/RESULTS.md and docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

from . import capacity, inference, pipeline, search, ui, validation

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
HEADER = ("figure", "serverless-mlops", "naive baseline", "ratio", "target")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition: checks the code runs")
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = {"validation": validation.measure(validation.SMOKE if args.smoke else validation.FULL)}
    result["capacity"] = capacity.measure(capacity.SMOKE if args.smoke else capacity.FULL, result["validation"])
    result["pipeline"] = pipeline.measure(pipeline.SMOKE if args.smoke else pipeline.FULL)
    result["search"] = search.measure(search.SMOKE if args.smoke else search.FULL)
    result["inference"] = inference.measure(inference.SMOKE if args.smoke else inference.FULL)
    result["ui"] = ui.measure(ui.SMOKE if args.smoke else ui.FULL)
    markdown = render(result, time.perf_counter() - started, args.smoke)
    print(markdown)
    if args.output:
        args.output.write_text(json.dumps(result, indent=2))
    if not args.smoke:
        (ROOT / "benchmarks/RESULTS.md").write_text(markdown + "\n")
        update_between_markers(ROOT / "docs/benchmarks.md", markdown)
    heavy = result["inference"]["onnx"]["heavy_modules"]
    if heavy:
        print(f"the inference handler imported {heavy}; it must serve with numpy and ONNX Runtime only")
        return 1
    return 0


def render(result: dict, seconds: float, smoke: bool) -> str:
    serving = result["inference"]
    model = serving["model"]
    lines = [f"Inference ({model['estimator']}, ONNX {model['onnx_bytes'] / 1024:.0f} KB vs joblib "
             f"{model['joblib_bytes'] / 1024:.0f} KB; medians of {serving['settings']['repeat']} fresh processes "
             f"each, {serving['settings']['warm_single']} warm single-row and {serving['settings']['warm_batch']} "
             "batch requests per process)", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in inference.rows(serving)]
    lines += ["", "Data and pipeline (medians of fresh processes, the search one run; the baselines: pandas reading "
              "the whole file with the C engine, and a plain script fitting the same candidates or trials)", "",
              "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in [*validation.rows(result["validation"]),
                                                         *pipeline.rows(result["pipeline"]),
                                                         *search.rows(result["search"]),
                                                         *capacity.rows(result["capacity"])]]
    lines += ["", "The operator's web app (`mlops ui` in its own process over the local runtime, timed over HTTP)", "",
              "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in ui.rows(result["ui"])]
    lines += ["", f"Measured by `make bench`{' --smoke' if smoke else ''} on {platform.machine()}, "
              f"Python {platform.python_version()}, {_cpus()} CPUs, in {seconds:.0f} s."]
    return "\n".join(lines)


def update_between_markers(path: Path, markdown: str) -> None:
    start, end = MARKERS
    text = path.read_text()
    if start not in text:
        return
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    path.write_text(pattern.sub(lambda _: f"{start}\n{markdown}\n{end}", text))


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
