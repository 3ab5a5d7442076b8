"""Settings read once from the environment that the template gives every function."""

import os
from dataclasses import dataclass

# The CloudWatch namespace of every metric the stack publishes; the alarms and the dashboard watch it.
METRICS_NAMESPACE = "ServerlessMlops"


def require_env(name: str) -> str:
    """Return an environment variable or fail with the name of the missing one."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (the template sets it)")
    return value


@dataclass(frozen=True)
class Settings:
    """Names of the stack resources every step works with."""

    data_bucket: str
    artifact_bucket: str
    registry_table: str
    runs_table: str
    capture_bucket: str | None = None
    retrain_cooldown_seconds: float = 3600.0
    feedback_lookback_hours: float = 24.0
    run_retention_days: float | None = None
    trials_table: str | None = None
    # Trials fitted at once (the Map's MaxConcurrency): Lambda concurrency, and memory on a local machine.
    train_max_concurrency: int = 8

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            data_bucket=require_env("DATA_BUCKET"),
            artifact_bucket=require_env("ARTIFACT_BUCKET"),
            registry_table=require_env("REGISTRY_TABLE"),
            runs_table=require_env("RUNS_TABLE"),
            capture_bucket=os.environ.get("CAPTURE_BUCKET") or None,
            retrain_cooldown_seconds=60 * float(os.environ.get("RETRAIN_COOLDOWN_MINUTES", "60")),
            feedback_lookback_hours=float(os.environ.get("FEEDBACK_LOOKBACK_HOURS", "24")),
            run_retention_days=float(require_env("RUN_RETENTION_DAYS")),
            trials_table=os.environ.get("TRIALS_TABLE") or None,
            train_max_concurrency=int(os.environ.get("TRAIN_MAX_CONCURRENCY", "8")),
        )
