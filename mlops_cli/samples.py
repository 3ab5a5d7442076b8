"""Synthetic customer-churn datasets for the demo and tests: generated here, never downloaded."""

from __future__ import annotations

import numpy as np
import pandas as pd

CONTRACT_TYPES = ["monthly", "yearly", "two_year"]
PAYMENTS = ["card", "bank", "check"]


def churn(rows: int, seed: int, noise: float = 0.05, calls_weight: float = 0.35, drift: float = 0.0) -> pd.DataFrame:
    """Customers and whether they churned; `noise` flips labels, `calls_weight` shifts the concept, `drift` (0-1)
    shifts who the customers are: newer, pricier plans, more support calls."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 73 - int(60 * drift), rows)
    charges = rng.uniform(15 + 80 * drift, 140 + 80 * drift, rows).round(2)
    calls = rng.poisson(2.0 + 4 * drift, rows)
    contract = rng.choice(CONTRACT_TYPES, rows, p=[0.55, 0.3, 0.15])
    payment = rng.choice(PAYMENTS, rows)
    age = rng.normal(45, 14, rows).clip(18, 90).round(0)
    age[rng.random(rows) < 0.03] = np.nan
    logit = (-0.05 * tenure + 0.02 * (charges - 70) + calls_weight * (calls - 2)
             + np.select([contract == "monthly", contract == "yearly"], [1.2, -0.3], -1.5)
             + 0.5 * (payment == "check") - 0.2)
    churned = rng.random(rows) < 1 / (1 + np.exp(-logit))
    flip = rng.random(rows) < noise
    churned = np.where(flip, ~churned, churned)
    return pd.DataFrame({
        "tenure_months": tenure, "monthly_charges": charges, "support_calls": calls,
        "contract_type": contract, "payment_method": payment, "age": age,
        "churned": np.where(churned, "yes", "no"),
    })


def corrupt(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with broken rows: negative tenure, an unknown plan, text in a number column."""
    broken = frame.copy().astype({"monthly_charges": object})
    broken.loc[3, "tenure_months"] = -5
    broken.loc[7, "contract_type"] = "lifetime"
    broken.loc[11, "monthly_charges"] = "twelve"
    broken.loc[12, "churned"] = None
    return broken


# One customer, as a client sends it to the inference URL (age unknown).
CHURN_RECORD = {"tenure_months": 3, "monthly_charges": 99.5, "support_calls": 4, "contract_type": "monthly",
                "payment_method": "check", "age": None}

CHURN_CONTRACT = {
    "model": "churn",
    "version": 1,
    "task": "classification",
    "target": "churned",
    "metric": "roc_auc",
    "metric_floor": 0.6,
    "min_improvement": 0.005,
    "min_rows": 200,
    "columns": {
        "tenure_months": {"type": "integer", "min": 0, "max": 120},
        "monthly_charges": {"type": "number", "min": 0, "max": 500},
        "support_calls": {"type": "integer", "min": 0, "max": 100},
        "contract_type": {"type": "category", "categories": CONTRACT_TYPES},
        "payment_method": {"type": "category", "categories": PAYMENTS},
        "age": {"type": "number", "min": 18, "max": 120, "nullable": True},
        "churned": {"type": "category", "categories": ["no", "yes"]},
    },
}


def records(frame: pd.DataFrame, target: str = "churned") -> list[dict]:
    """A frame's rows as a client sends them to the inference URL: features only, missing values as null."""
    features = frame.drop(columns=[target])
    return [{name: (None if pd.isna(value) else value.item() if hasattr(value, "item") else value)
             for name, value in row.items()} for row in features.to_dict("records")]
