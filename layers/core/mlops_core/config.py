"""Settings read once from the environment that the template gives every function."""

import os
from dataclasses import dataclass


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

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            data_bucket=require_env("DATA_BUCKET"),
            artifact_bucket=require_env("ARTIFACT_BUCKET"),
            registry_table=require_env("REGISTRY_TABLE"),
            runs_table=require_env("RUNS_TABLE"),
        )
