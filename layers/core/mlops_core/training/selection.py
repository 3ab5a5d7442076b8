"""Ranking a run's trials on their validation scores, and choosing the ones that go on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops_core.errors import AllTrialsFailedError
from mlops_core.scoring import METRICS

SUCCEEDED, FAILED = "SUCCEEDED", "FAILED"
# Failures a message names in full; the rest are counted.
NAMED_FAILURES = 5


@dataclass(frozen=True)
class Ranking:
    """A rung's trials that were fitted, best first, and the ones that failed."""

    ranked: list[dict[str, Any]]
    failed: list[dict[str, Any]]

    @property
    def best(self) -> dict[str, Any]:
        return self.ranked[0]


def rank(trials: list[dict[str, Any]], metric: str) -> Ranking:
    """Best validation score first; ties go to the lower trial id. AllTrialsFailedError when none was fitted."""
    failed = sorted((t for t in trials if t["status"] != SUCCEEDED), key=lambda t: t["trial_id"])
    fitted = sorted((t for t in trials if t["status"] == SUCCEEDED), key=lambda t: t["trial_id"])
    if not fitted:
        raise AllTrialsFailedError(f"every trial failed ({len(failed)}): {describe_failures(failed)}")
    sign = 1 if METRICS[metric].greater_is_better else -1
    # sorted() is stable: equal scores keep trial-id order.
    return Ranking(sorted(fitted, key=lambda t: -sign * t["score"]), failed)


def describe_failures(failed: list[dict[str, Any]]) -> str:
    named = [f"{t['trial_id']} {t['label']} ({t.get('error')}: {t.get('message', '')[:200]})"
             for t in failed[:NAMED_FAILURES]]
    more = len(failed) - len(named)
    return "; ".join(named) + (f"; and {more} more" if more > 0 else "") if failed else "none ran"
