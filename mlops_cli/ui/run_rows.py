"""A model's runs as the runs page lists them, read once each: a run that has ended does not change what the page
shows, so a later request reads only the runs started since the newest one known, and those still going; and none
at all when no pipeline execution started or ended since (every run is recorded by one)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from mlops_core.aws.run_store import RUNNING, RunStore


@dataclass
class _Known:
    """A model's newest runs read so far, newest first; `complete`: no older run exists beyond them; `execution`:
    the newest pipeline execution (ARN, status) when they were read."""

    records: list[dict[str, Any]]
    complete: bool
    execution: tuple[str, str] | None


@dataclass
class RunRows:
    """The newest runs of each model, read with only `fields` (run_id, started_at and status among them); a run
    that was still going is read again in full. A run deleted since it was read (expired) stays listed.
    `newest_execution`: the pipeline's newest execution as Step Functions lists it, or None before the first."""

    runs: RunStore
    fields: Sequence[str]
    newest_execution: Callable[[], dict[str, Any] | None]
    page: int = 100
    _known: dict[str, _Known] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def newest(self, model: str, limit: int) -> list[dict[str, Any]]:
        """The model's `limit` newest runs, newest first, as they are now."""
        with self._lock:
            found = self.newest_execution()
            execution = (found["executionArn"], found["status"]) if found else None
            known = self._known.get(model)
            if known is None or (len(known.records) < limit and not known.complete):
                records = list(islice(self.runs.history(model, page=min(limit, self.page), fields=self.fields),
                                      limit + 1))
                known = self._known[model] = _Known(records[:limit], len(records) <= limit, execution)
            elif execution != known.execution or _going(execution, known.records):
                known.records, known.execution = self._refreshed(model, known.records), execution
            return known.records[:limit]

    def _refreshed(self, model: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        since = records[0]["started_at"] if records else None
        newer = list(self.runs.history(model, since=since, page=self.page, fields=self.fields))
        fresh = {run["run_id"] for run in newer}
        going = {run["run_id"]: self.runs.get(model, run["run_id"]) for run in records
                 if run["status"] == RUNNING and run["run_id"] not in fresh}
        kept = [going.get(run["run_id"], run) for run in records if run["run_id"] not in fresh]
        return sorted([*newer, *(run for run in kept if run is not None)], key=lambda run: run["started_at"],
                      reverse=True)


def _going(execution: tuple[str, str] | None, records: list[dict[str, Any]]) -> bool:
    """Whether a run may still change or appear: the newest execution, or a run known, is still going."""
    return (execution is not None and execution[1] == "RUNNING") or any(run["status"] == RUNNING for run in records)
