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


# Category columns of an order table and how many values each may hold: states, and a product catalogue.
ORDER_CATEGORIES = {"region": 50, "product": 5000}


def order_values(column: str, cardinality: int) -> list[str]:
    return [f"{column}-{i:04d}" for i in range(cardinality)]


def orders(rows: int, seed: int, categories: dict[str, int] | None = None,
           task: str = "classification") -> pd.DataFrame:
    """Orders and whether they were returned (or, for regression, the refund): each category value has its own
    effect; popularity falls off as in Zipf's law, so most values of a large column are rare, and each column's last
    value never occurs (the contract allows it, the data lacks it)."""
    rng = np.random.default_rng(seed)
    price = rng.uniform(5, 500, rows).round(2)
    discount = rng.uniform(0, 0.5, rows).round(2)
    discount[rng.random(rows) < 0.05] = np.nan
    logit = 0.004 * (price - 250) - 2 * np.nan_to_num(discount, nan=0.25)
    frame = {"price": price, "discount": discount}
    for column, cardinality in (categories or ORDER_CATEGORIES).items():
        popularity = np.r_[1 / np.arange(1, cardinality) ** 0.9, 0.0] if cardinality > 1 else np.ones(1)
        drawn = rng.choice(cardinality, rows, p=popularity / popularity.sum())
        logit += rng.normal(0, 1.2, cardinality)[drawn]
        frame[column] = np.array(order_values(column, cardinality))[drawn]
    if task == "regression":
        frame["refund"] = (20 * logit + rng.normal(0, 5, rows)).round(2)
    else:
        frame["returned"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame(frame)


def orders_contract(model: str, categories: dict[str, int] | None = None, task: str = "classification") -> dict:
    """The data contract of `orders` with the same columns: every value of each category column listed."""
    columns = {"price": {"type": "number", "min": 0, "max": 1000},
               "discount": {"type": "number", "min": 0, "max": 1, "nullable": True}}
    columns |= {column: {"type": "category", "categories": order_values(column, cardinality)}
                for column, cardinality in (categories or ORDER_CATEGORIES).items()}
    if task == "regression":
        columns["refund"] = {"type": "number"}
        target, metric = "refund", "rmse"
    else:
        columns["returned"] = {"type": "category", "categories": ["no", "yes"]}
        target, metric = "returned", "roc_auc"
    return {"model": model, "version": 1, "task": task, "target": target, "metric": metric, "columns": columns}
