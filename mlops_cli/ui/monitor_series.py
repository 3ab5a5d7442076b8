"""The monitor's passes as time series: each feature's drift and each live-quality metric, oldest pass first."""

from __future__ import annotations

from typing import Any

Series = dict[str, list[tuple[str, float]]]


def drift_by_feature(passes: list[dict[str, Any]]) -> Series:
    """Each feature's drift (its PSI beyond sampling noise, as the alarm reads it) at the end of each pass."""
    series: Series = {}
    for found in _oldest_first(passes):
        for feature, drift in ((found.get("drift") or {}).get("features") or {}).items():
            series.setdefault(feature, []).append((found["window"]["end"], drift["drift"]))
    return series


def quality(passes: list[dict[str, Any]]) -> Series:
    """Each live-quality metric (from labeled feedback) at the end of each pass that had enough labels."""
    series: Series = {}
    for found in _oldest_first(passes):
        for metric, value in (found.get("quality") or {}).items():
            series.setdefault(metric, []).append((found["window"]["end"], value))
    return series


def latest_notes(passes: list[dict[str, Any]], limit: int = 5) -> list[tuple[str, str]]:
    """The newest passes' notes (why drift or quality was not computed, and the like): (window end, note)."""
    notes = [(found["window"]["end"], note) for found in passes for note in found.get("notes") or []]
    return notes[:limit]


def _oldest_first(passes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((found for found in passes if found.get("window")), key=lambda found: found["window"]["end"])
