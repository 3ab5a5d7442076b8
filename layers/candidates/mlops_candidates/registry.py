"""The candidates this deployment offers. Add a module to CANDIDATES to offer it; contracts choose among them."""

from mlops_core.training.catalog import Catalog

from mlops_candidates import hist_gradient_boosting, logistic_regression, random_forest, ridge

CANDIDATES = (logistic_regression, ridge, random_forest, hist_gradient_boosting)

# What a contract that names no candidates gets, per task.
DEFAULTS = {
    "classification": ("logistic_regression", "random_forest", "hist_gradient_boosting"),
    "regression": ("ridge", "random_forest", "hist_gradient_boosting"),
}


def catalog() -> Catalog:
    return Catalog.of(CANDIDATES, DEFAULTS)
