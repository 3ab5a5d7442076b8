"""Running a measurement in a fresh process: it prints one `RESULT {json}` line, read back here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "RESULT "
# Only the project's own folders: a child must not see what the parent imported or configured.
CLEAN_ENVIRONMENT = {"PYTHONPATH": f"{ROOT}:{ROOT / 'layers/core'}:{ROOT / 'layers/candidates'}",
                     "PATH": "/usr/bin:/bin"}


def emit(result: dict) -> None:
    print(PREFIX + json.dumps(result))


def run(module: str, *args: str, environment: dict[str, str] | None = None, timeout: float = 1800) -> dict:
    """`python -m module args...` in a fresh process; its RESULT line, or an error with its stderr."""
    completed = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT,
                               env=environment or CLEAN_ENVIRONMENT, timeout=timeout, check=False)
    line = next((line for line in completed.stdout.splitlines() if line.startswith(PREFIX)), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"{module} {' '.join(args)[:200]} failed:\n{completed.stderr[-3000:]}")
    return json.loads(line[len(PREFIX):])
