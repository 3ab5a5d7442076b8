"""Whether a challenger should replace the champion, and why, in words that go into the run record."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mlops_core.contract import Contract
from mlops_core.scoring import METRICS


@dataclass(frozen=True)
class ChampionScore:
    """The champion's score on the challenger's holdout, or why it could not be scored."""

    version: int
    score: float | None
    incompatible: str | None = None


@dataclass(frozen=True)
class Decision:
    promote: bool
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def decide(contract: Contract, score: float, champion: ChampionScore | None) -> Decision:
    """Promote when the challenger meets the floor and beats the champion by the minimum improvement."""
    metric = METRICS[contract.metric]
    name = contract.metric
    if not metric.meets(score, contract.metric_floor):
        return Decision(False, f"{name} {score:.4f} does not meet the contract floor {contract.metric_floor}")
    floor = f" meets the floor {contract.metric_floor}" if contract.metric_floor is not None else ""
    if champion is None:
        return Decision(True, f"no champion yet; {name} {score:.4f}{floor or ' (no floor set)'}")
    if champion.incompatible:
        return Decision(True, f"champion v{champion.version} cannot score this data ({champion.incompatible}); "
                              f"{name} {score:.4f}{floor}")
    gain = metric.gain(score, champion.score)
    if gain >= contract.min_improvement and gain > 0:
        return Decision(True, f"{name} {score:.4f} beats champion v{champion.version} ({champion.score:.4f}) "
                              f"by {gain:.4f} >= {contract.min_improvement}")
    return Decision(False, f"{name} {score:.4f} does not beat champion v{champion.version} "
                           f"({champion.score:.4f}) by the required {contract.min_improvement} (gain {gain:.4f})")
