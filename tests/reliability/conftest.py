"""The reliability suite: one module per property, each test recording the figure it measured.

`make reliability` runs it and, when every test passed, writes the table of properties, tests and figures into the
docs/reliability.md between its markers: the table comes from the last run, never from a hand.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

PROPERTIES = {
    1: "Duplicate delivery makes one run",
    2: "Concurrent uploads of one model queue; versions unique and gap-free; one champion at every moment",
    3: "Registry writes under scripted interleavings",
    4: "Faults injected in register/promote leave a consistent registry; a re-run completes",
    5: "Artifacts and datasets are never overwritten",
    6: "Bad training data ends in a validation report, never another exception or a model",
    7: "Hostile inference requests never get a 5xx",
    8: "A tampered artifact is refused before deserialisation",
    9: "Step Functions retries transient failures; permanent ones are recorded with their cause",
    10: "An alarm storm makes one run",
    11: "No credentials in code or logs; IAM URL by default; least-privilege roles",
    12: "A model name is valid only when it matches in full, wherever it enters",
    13: "A failed Begin is recorded on its run and releases the lease; a rejected trigger leaves a visible record",
    14: "Run history is read by model and time, a page at a time, and expires unless a version points to it",
    15: "One model's failing monitor pass leaves the others monitored, and is published",
    16: "The shadow challenger never fails the champion's answer",
    17: "One failing trial does not fail the run; every failure is recorded with its error",
    18: "Every CLI error exits 2 with one line naming what failed and what to do",
    19: "A second runtime on a held port exits at once, naming it",
}
START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
FIGURES: dict[int, dict[str, str]] = {}


@pytest.fixture
def figure(request):
    """Record what a test measured for a property: `figure(3, "0 duplicate versions in 6 interleavings")`.

    A test that records again replaces its figure (a generated test records a running count).
    """

    def record(number: int, text: str) -> None:
        FIGURES.setdefault(number, {})[request.node.name] = text

    return record


def table() -> str:
    rows = ["| # | property | test | figure (last run) |", "|---|---|---|---|"]
    for number, title in PROPERTIES.items():
        for test, text in FIGURES.get(number, {"(not run)": ""}).items():
            rows.append(f"| {number} | {title} | `{test}` | {text} |")
    return "\n".join(rows)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get("RELIABILITY_REPORT")
    if not target or exitstatus != 0 or set(FIGURES) != set(PROPERTIES):
        return
    path = Path(target)
    text = path.read_text()
    block = f"{START}\n{table()}\n{END}"
    path.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.DOTALL))
