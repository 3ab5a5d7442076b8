"""Feature transforms for candidate pipelines, each exported exactly to ONNX (feature_converters.py), so serving
computes them from the raw columns with ONNX Runtime alone.

Use them inside a ColumnTransformer as any scikit-learn transformer. Binning and interaction terms need nothing of
their own: skl2onnx converts scikit-learn's KBinsDiscretizer(encode="ordinal") and PolynomialFeatures (not
KBinsDiscretizer's default sparse encode="onehot"). ONNX bins in float32: a value within a float32 step of a bin edge
may land in the next bin, as a value near a tree's split may take the other branch.

Missing values: SignedLog, Clip and Ratio pass NaN through, Ratio and DateParts also produce it (a zero denominator,
a missing or unparseable date). Impute (SimpleImputer) before any tree model and before KBinsDiscretizer: skl2onnx's
trees send NaN down a different branch than scikit-learn does, so an unimputed NaN breaks parity.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mlops_core.dates import DATE, DAYS_IN_MONTH

DATE_PARTS = ("year", "month", "day", "weekday")


def _names_in(estimator, input_features) -> list[str]:
    """The input column names: given, seen at fit, or x0, x1, ..."""
    if input_features is not None:
        return [str(name) for name in input_features]
    if hasattr(estimator, "feature_names_in_"):
        return [str(name) for name in estimator.feature_names_in_]
    return [f"x{i}" for i in range(estimator.n_features_in_)]


class SignedLog(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """sign(x) * log1p(|x|): compresses long tails on either side of zero; NaN stays NaN."""

    def fit(self, X, y=None):
        validate_data(self, X, ensure_all_finite="allow-nan")
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        return np.sign(X) * np.log1p(np.abs(X))


class Clip(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Clips each column to its fitting rows' lower and upper quantiles (NaN ignored at fit, kept at transform)."""

    def __init__(self, lower_quantile: float = 0.01, upper_quantile: float = 0.99):
        self.lower_quantile = lower_quantile
        self.upper_quantile = upper_quantile

    def fit(self, X, y=None):
        if not 0.0 <= self.lower_quantile <= self.upper_quantile <= 1.0:
            raise ValueError(f"Clip: need 0 <= lower_quantile <= upper_quantile <= 1, got "
                             f"{self.lower_quantile} and {self.upper_quantile}")
        X = validate_data(self, X, ensure_all_finite="allow-nan")
        self.lower_ = np.nanquantile(X, self.lower_quantile, axis=0)
        self.upper_ = np.nanquantile(X, self.upper_quantile, axis=0)
        return self

    def transform(self, X):
        check_is_fitted(self, ["lower_", "upper_"])
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        # Comparisons, not np.clip: written the way the ONNX graph computes it, NaN failing both.
        X = np.where(X > self.upper_, self.upper_, X)
        return np.where(X < self.lower_, self.lower_, X)


class Ratio(TransformerMixin, BaseEstimator):
    """a / b over exactly two columns (a, b); NaN where |b| <= eps (a zero denominator) or either is NaN."""

    def __init__(self, eps: float = 1e-9):
        self.eps = eps

    def fit(self, X, y=None):
        validate_data(self, X, ensure_all_finite="allow-nan")
        if self.n_features_in_ != 2:
            raise ValueError(f"Ratio takes exactly two columns (numerator, denominator), got {self.n_features_in_}")
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, ensure_all_finite="allow-nan", reset=False)
        a, b = X[:, :1], X[:, 1:]
        defined = np.abs(b) > self.eps
        return np.where(defined, a / np.where(defined, b, 1.0), np.nan)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "n_features_in_")
        a, b = _names_in(self, input_features)
        return np.asarray([f"{a}_over_{b}"], dtype=object)


class DateParts(TransformerMixin, BaseEstimator):
    """Numeric parts of ISO date strings ("2024-03-05", "2024-03-05T10:11:12"); NaN for a missing or invalid date.

    Parts: year, month, day, weekday (Monday 0 to Sunday 6). A date is read from its first ten characters when they
    match DATE_PATTERN (mlops_core.dates) and name a real calendar day; anything after a "T" or a space is ignored.
    Output columns are grouped by input column, then ordered as `parts`.
    """

    def __init__(self, parts: tuple[str, ...] = DATE_PARTS):
        self.parts = parts

    def fit(self, X, y=None):
        unknown = [part for part in self.parts if part not in DATE_PARTS]
        if unknown or not self.parts:
            raise ValueError(f"DateParts: parts must be a non-empty selection of {DATE_PARTS}, got {self.parts}")
        validate_data(self, X, dtype=object, ensure_all_finite=False)
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        X = validate_data(self, X, dtype=object, ensure_all_finite=False, reset=False)
        year, month, day = (np.zeros(X.shape, dtype=np.int64) for _ in range(3))
        matched = np.zeros(X.shape, dtype=bool)
        for index, value in np.ndenumerate(X):
            if isinstance(value, str) and DATE.fullmatch(value):
                matched[index] = True
                year[index], month[index], day[index] = int(value[:4]), int(value[5:7]), int(value[8:10])
        valid = matched & real_day(year, month, day)
        values = {"year": year, "month": month, "day": day, "weekday": weekday(year, month, day)}
        columns = np.stack([np.where(valid, values[part], np.nan) for part in self.parts], axis=2)
        return columns.reshape(len(X), -1)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "n_features_in_")
        return np.asarray([f"{name}_{part}" for name in _names_in(self, input_features) for part in self.parts],
                          dtype=object)


def real_day(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether month is 1 to 12 and day falls within that month of that year."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.asarray(DAYS_IN_MONTH)[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    return (month >= 1) & (month <= 12) & (day >= 1) & (day <= lengths)


def weekday(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Monday 0 to Sunday 6, from the day of a 400-year era (Hinnant's days_from_civil), in integer arithmetic."""
    # Years shifted by one era (400 years, a whole number of weeks) keep every operand non-negative, so ONNX's
    # truncating integer division agrees with this floor division.
    shifted = year - (month <= 2) + 400
    year_of_era = shifted % 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    # 1970-01-01, a Thursday (3), is day 719468 of its era; an era is 146097 days, a whole number of weeks.
    return (day_of_era + 2) % 7
