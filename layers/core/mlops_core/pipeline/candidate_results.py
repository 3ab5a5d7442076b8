"""What each iteration of the Train candidates map returns: a fitted candidate, or the failure the state machine caught.

A failing candidate is kept as a result instead of failing the map, so it costs only itself: the run goes on with the
others and fails only when none succeeded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from mlops_core.aws.run_store import FAILED
from mlops_core.errors import AllCandidatesFailedError

# A failure's message travels in the state machine's payload and the run record: its first part says what failed.
MESSAGE_CHARS = 500


@dataclass(frozen=True)
class CandidateFailure:
    """A candidate that did not produce a fitted model, and the error it failed with."""

    name: str
    estimator: str
    params: dict[str, Any]
    error: str
    message: str

    @classmethod
    def from_result(cls, result: dict[str, Any]) -> CandidateFailure:
        """From the map's failed result: the candidate and the `{"Error", "Cause"}` its Catch recorded."""
        caught = result["error"]
        return cls(result["name"], result["estimator"], result.get("params", {}), caught.get("Error", "unknown"),
                   error_message(caught.get("Cause", ""))[:MESSAGE_CHARS])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.name} ({self.error}: {self.message})"


def succeeded_candidates(results: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[CandidateFailure]]:
    """The candidates that were fitted and the failures beside them; AllCandidatesFailedError when none was fitted."""
    failures = [CandidateFailure.from_result(result) for result in results if result.get("status") == FAILED]
    succeeded = [result for result in results if result.get("status") != FAILED]
    if not succeeded:
        raise AllCandidatesFailedError(f"every candidate failed: {'; '.join(map(str, failures)) or 'none ran'}")
    return succeeded, failures


def error_message(cause: str) -> str:
    """The message of a Lambda error's cause (a JSON document), or the cause itself when it is plain text."""
    try:
        return json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        return cause
