"""How often the drift alarm fires: on samples drawn like the training data (false alarms, at most 1 in 100) and on
shifted samples (detections), for two datasets and three sample sizes, through the monitor's own drift report.

The tables in docs/monitoring.md are this measurement: `make drift-figures` writes them there (DRIFT_FIGURES names
the page to write) when the measurement passed; otherwise the last test checks that the page shows what it measured.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlops_core.contract import Contract, Monitoring
from mlops_core.data.drafting import draft_contract
from mlops_core.data.validation import validate
from mlops_core.monitoring.drift import drift_report, minimum_sample
from sklearn.datasets import load_breast_cancer

from mlops_cli.samples import CHURN_CONTRACT, churn

ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = Monitoring().drift_threshold
SIZES = (100, 300, 1000)
LIKE_TRAINING, SHIFTED = 200, 100
MOST_FALSE_ALARMS = 0.01
START, END = "<!-- drift-figures:start -->", "<!-- drift-figures:end -->"
SUMMARY_START, SUMMARY_END = "<!-- drift-summary:start -->", "<!-- drift-summary:end -->"

Draw = Callable[[int, int], pd.DataFrame]  # (rows, seed) -> a sample


@dataclass(frozen=True)
class Dataset:
    """A baseline profile as the validate step builds it, how to draw samples like its data, and shifted ones."""

    name: str
    contract: Contract
    profile: dict
    like_training: Draw
    shifts: dict[str, Draw]


def profile_of(frame: pd.DataFrame, contract: Contract, tmp_path: Path) -> dict:
    path = tmp_path / f"{contract.model}.csv"
    frame.to_csv(path, index=False)
    report, profile = validate(path, "csv", contract)
    assert profile is not None, report.render()
    return profile


def churn_dataset(tmp_path: Path) -> Dataset:
    """The project's generator: a baseline of 2,000 customers; fresh customers from the same generator."""
    contract = Contract.from_dict(CHURN_CONTRACT)
    return Dataset(
        "churn generator (6 features, 2,000 baseline rows)", contract,
        profile_of(churn(2000, seed=1, noise=0.1), contract, tmp_path),
        lambda rows, seed: churn(rows, seed=seed, noise=0.1),
        {"monthly charges 30% higher": lambda rows, seed: (lambda f: f.assign(
            monthly_charges=f.monthly_charges * 1.3))(churn(rows, seed=seed, noise=0.1)),
         "newer customers on pricier plans (generator drift 0.15)": lambda rows, seed: churn(
             rows, seed=seed, noise=0.1, drift=0.15)})


def breast_cancer_dataset(tmp_path: Path) -> Dataset:
    """scikit-learn's breast cancer data: the baseline is all 569 rows; samples are drawn from them with replacement
    (traffic from the training distribution itself)."""
    frame = load_breast_cancer(as_frame=True).frame
    contract, _ = draft_contract(frame, "cancer", "target")
    malignant = (frame["target"] == 0).to_numpy()

    def mix(share: float) -> np.ndarray:
        return np.where(malignant, share / malignant.mean(), (1 - share) / (~malignant).mean())

    return Dataset(
        "breast cancer (30 features, 569 baseline rows)", contract, profile_of(frame, contract, tmp_path),
        lambda rows, seed: frame.sample(rows, replace=True, random_state=seed),
        {"70% malignant (37% in training)": lambda rows, seed: frame.sample(rows, replace=True, weights=mix(0.7),
                                                                            random_state=seed),
         "mean texture read 15% high": lambda rows, seed: (lambda f: f.assign(
             **{"mean texture": f["mean texture"] * 1.15}))(frame.sample(rows, replace=True, random_state=seed))})


def columns(frame: pd.DataFrame, features: list[str]) -> dict[str, list]:
    """A sample as the monitor reads captured records: values column by column, None where one is missing."""
    return {name: frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in features}


def alarm_rate(dataset: Dataset, draw: Draw, rows: int, samples: int, first_seed: int) -> tuple[int, int]:
    """How many of `samples` samples of `rows` records score at or above the drift alarm's threshold."""
    fired = sum(drift_report(dataset.profile, columns(draw(rows, seed), dataset.contract.features), THRESHOLD).score
                >= THRESHOLD for seed in range(first_seed, first_seed + samples))
    return fired, samples


@dataclass(frozen=True)
class Measurement:
    minimum: dict[str, int]
    false_alarms: dict[tuple[str, int], tuple[int, int]]
    detections: dict[tuple[str, str, int], tuple[int, int]]
    shift_psi: dict[tuple[str, str], float]


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> Measurement:
    tmp_path = tmp_path_factory.mktemp("drift")
    minimum, false_alarms, detections, shift_psi = {}, {}, {}, {}
    for dataset in (churn_dataset(tmp_path), breast_cancer_dataset(tmp_path)):
        minimum[dataset.name] = minimum_sample(dataset.profile, dataset.contract.features, THRESHOLD)
        for rows in SIZES:
            false_alarms[dataset.name, rows] = alarm_rate(dataset, dataset.like_training, rows, LIKE_TRAINING,
                                                          first_seed=10_000)
        for shift, draw in dataset.shifts.items():
            large = drift_report(dataset.profile, columns(draw(20_000, 7), dataset.contract.features), THRESHOLD)
            shift_psi[dataset.name, shift] = max(feature.psi for feature in large.features)
            for rows in SIZES:
                detections[dataset.name, shift, rows] = alarm_rate(dataset, draw, rows, SHIFTED, first_seed=50_000)
    return Measurement(minimum, false_alarms, detections, shift_psi)


def test_every_size_measured_is_one_the_monitor_judges_drift_in(measured):
    assert all(0 < needed <= min(SIZES) for needed in measured.minimum.values()), measured.minimum


def test_samples_like_the_training_data_fire_the_drift_alarm_at_most_once_in_a_hundred(measured):
    rates = {cell: fired / samples for cell, (fired, samples) in measured.false_alarms.items()}

    assert len(rates) == 2 * len(SIZES) and all(samples >= 200 for _, samples in measured.false_alarms.values())
    assert max(rates.values()) <= MOST_FALSE_ALARMS, rates


def test_shifts_beyond_the_threshold_are_caught_more_often_in_larger_samples_and_nearly_always_in_1000(measured):
    assert all(psi > THRESHOLD for psi in measured.shift_psi.values()), measured.shift_psi
    for dataset, shift in measured.shift_psi:
        caught = [measured.detections[dataset, shift, rows][0] for rows in SIZES]
        assert caught == sorted(caught) and caught[-1] >= 0.95 * SHIFTED, (dataset, shift, caught)


def figures(measured: Measurement) -> str:
    """The two tables of the monitoring page, from this measurement."""
    sizes = " | ".join(f"{rows} records" for rows in SIZES)
    lines = [f"| samples like the training data | minimum sample | {sizes} |", "|---|---|" + "---|" * len(SIZES)]
    for name, needed in measured.minimum.items():
        lines.append(f"| {name} | {needed} | "
                     + " | ".join(_rate(*measured.false_alarms[name, rows]) for rows in SIZES) + " |")
    lines += ["", f"| shifted samples (their largest feature PSI on 20,000 rows) | {sizes} |",
              "|---|" + "---|" * len(SIZES)]
    for (name, shift), value in measured.shift_psi.items():
        lines.append(f"| {name.split(' (')[0]}: {shift}, PSI {value:.2f} | "
                     + " | ".join(_rate(*measured.detections[name, shift, rows]) for rows in SIZES) + " |")
    return "\n".join(lines)


def _rate(fired: int, samples: int) -> str:
    return f"{fired}/{samples} ({fired / samples:.1%})"


def test_the_monitoring_page_shows_the_measured_rates(measured):
    target = os.environ.get("DRIFT_FIGURES")
    page = Path(target) if target else ROOT / "docs" / "monitoring.md"
    block = f"{START}\n{figures(measured)}\n{END}"
    pattern = re.escape(START) + ".*?" + re.escape(END)
    if target:
        page.write_text(re.sub(pattern, lambda _: block, page.read_text(), flags=re.DOTALL))
    [shown] = re.findall(pattern, page.read_text(), flags=re.DOTALL)

    assert shown == block, "the page's figures are not this run's: `make drift-figures` writes them"


def summary(measured: Measurement) -> str:
    """The README's sentence: the worst false-alarm rate and the weakest detection rate at each size."""
    worst = [max(fired / samples for (_, rows), (fired, samples) in measured.false_alarms.items() if rows == size)
             for size in SIZES]
    weakest = [min(fired / samples for (*_, rows), (fired, samples) in measured.detections.items() if rows == size)
               for size in SIZES]
    sizes = ", ".join(f"{rows:,}" for rows in SIZES)
    return (f"Drift alarms are decided against each sample's own noise: on {LIKE_TRAINING} samples like the training "
            f"data per size and dataset (the churn generator, scikit-learn's breast cancer), the drift alarm fired "
            f"for at most {' / '.join(f'{rate:.1%}' for rate in worst)} of samples of {sizes} records; each of "
            f"{len(measured.shift_psi)} real shifts was caught in at least "
            f"{' / '.join(f'{rate:.0%}' for rate in weakest)} of them (measured by `make drift-figures`; the tables "
            f"are in [docs/monitoring.md](docs/monitoring.md)).")


def test_the_readme_states_the_measured_rates(measured):
    readme = ROOT / "README.md"
    block = f"{SUMMARY_START}\n{summary(measured)}\n{SUMMARY_END}"
    pattern = re.escape(SUMMARY_START) + ".*?" + re.escape(SUMMARY_END)
    if os.environ.get("DRIFT_FIGURES"):
        readme.write_text(re.sub(pattern, lambda _: block, readme.read_text(), flags=re.DOTALL))
    [shown] = re.findall(pattern, readme.read_text(), flags=re.DOTALL)

    assert shown == block, "the README's drift figures are not this run's: `make drift-figures` writes them"
