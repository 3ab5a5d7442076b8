"""`make bench`: run the benchmarks, print their tables, and write them to benchmarks/RESULTS.md, docs/benchmarks.md
and (the serving figures) the README."""

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
HEADER = ("figure", "serverless-mlops", "naive baseline", "ratio", "target")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition: checks the code runs")
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument("--only", choices=["inference"], help="run one benchmark and update only its tables")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = {}
    if args.only is None:
        result["validation"] = validation.measure(validation.SMOKE if args.smoke else validation.FULL)
        result["capacity"] = capacity.measure(capacity.SMOKE if args.smoke else capacity.FULL, result["validation"])
        result["pipeline"] = pipeline.measure(pipeline.SMOKE if args.smoke else pipeline.FULL)
        result["search"] = search.measure(search.SMOKE if args.smoke else search.FULL)
    result["inference"] = inference.measure(inference.SMOKE if args.smoke else inference.FULL)
    if args.only is None:
        result["ui"] = ui.measure(ui.SMOKE if args.smoke else ui.FULL)
    footer = (f"Measured by `make bench`{' --smoke' if args.smoke else ''}"
              f"{f' (--only {args.only})' if args.only else ''} on {platform.machine()}, Python "
              f"{platform.python_version()}, {_cpus()} CPUs, in {time.perf_counter() - started:.0f} s.")
    tables = {"inference": render_inference(result["inference"]) + "\n\n" + footer}
    if args.only is None:
        tables["data"] = render_data(result) + "\n\n" + footer
    print("\n\n".join(tables.values()))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2))
    if not args.smoke:
        for path in (ROOT / "benchmarks/RESULTS.md", ROOT / "docs/benchmarks.md"):
            for section, markdown in tables.items():
                update_between_markers(path, section, markdown)
        update_between_markers(ROOT / "README.md", "serving", readme_serving(result["inference"]))
    heavy = result["inference"]["onnx"]["heavy_modules"]
    if heavy:
        print(f"the inference handler imported {heavy}; it must serve with numpy and ONNX Runtime only")
        return 1
    return 0


def render_inference(serving: dict) -> str:
    model = serving["model"]
    lines = [f"Inference ({model['estimator']}, ONNX {model['onnx_bytes'] / 1024:.0f} KB vs joblib "
             f"{model['joblib_bytes'] / 1024:.0f} KB; medians of {serving['settings']['repeat']} fresh processes "
             f"each (their range in brackets), {serving['settings']['warm_single']} warm single-row and "
             f"{serving['settings']['warm_batch']} batch requests per process; a target is met only when the "
             "quartiles of the processes meet it)", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in inference.rows(serving)])


def render_data(result: dict) -> str:
    lines = ["Data and pipeline (medians of fresh processes, the search one run; the baselines: pandas reading "
             "the whole file with the C engine, and a plain script fitting the same candidates or trials)", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in [*validation.rows(result["validation"]),
                                                         *pipeline.rows(result["pipeline"]),
                                                         *search.rows(result["search"]),
                                                         *capacity.rows(result["capacity"])]]
    lines += ["", "The operator's web app (`mlops ui` in its own process over the local runtime, timed over HTTP)", "",
              "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in ui.rows(result["ui"])])


def readme_serving(serving: dict) -> str:
    """The README's serving figures: cold start, memory and warm latency against the naive handler, and what
    SnapStart would leave of the cold start (an estimate from the phases)."""
    ours, naive = serving["onnx"], serving["naive"]

    def figure(key: str, unit: str, digits: str = ".2g") -> str:
        return (f"{ours[key]['median']:{digits}} {unit} against {naive[key]['median']:{digits}} {unit} "
                f"({naive[key]['median'] / ours[key]['median']:.1f}x)")

    phases = {name: phase["median"] for name, phase in ours["phases_s"].items()}
    init = sum(seconds for name, seconds in phases.items() if name.startswith(("import_", "init_")))
    first = phases["model_fetch"] + phases["model_load"] + phases["first_prediction"]
    return (f"Measured by `make bench` (medians of {serving['settings']['repeat']} fresh processes on this "
            "machine, the local runtime's endpoint), the inference handler against the one a user would write "
            f"first (boto3, pandas, scikit-learn, joblib): cold start {figure('cold_total_s', 's')}, peak memory "
            f"after it {figure('cold_rss_mb', 'MB', '.0f')}, a warm single-row request "
            f"{figure('single_p50_ms', 'ms')} at the median. With `InferenceSnapStart=PublishedVersions` on AWS "
            f"(an estimate, not measured: there is no SnapStart here), the init's {init:.2f} s of imports and "
            f"clients become a snapshot restore, while the first request still fetches, checks and loads the "
            f"model ({first:.2f} s here). Spreads, phases and what did not pay: "
            "[docs/benchmarks.md](docs/benchmarks.md); the requests themselves: "
            "[docs/inference.md](docs/inference.md).")


def update_between_markers(path: Path, section: str, markdown: str) -> None:
    start, end = f"<!-- bench:{section}:start -->", f"<!-- bench:{section}:end -->"
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
