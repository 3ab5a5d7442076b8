"""A trial as the pipeline passes it between steps; no scikit-learn here, so the Select step stays light."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Trial:
    """One configuration of one of the contract's candidates, to fit on all fitting rows or a sample of them."""

    trial_id: str
    label: str
    candidate: str
    params: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"trial_id": self.trial_id, "label": self.label, "candidate": self.candidate, "params": self.params}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Trial:
        return cls(doc["trial_id"], doc["label"], doc["candidate"], doc["params"])
