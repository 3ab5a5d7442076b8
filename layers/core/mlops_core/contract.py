"""The data contract: a versioned JSON document that says what a model's data must look like."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mlops_core.errors import ContractError, InvalidNameError
from mlops_core.scoring import METRICS, default_metric

ColumnType = Literal["number", "integer", "category", "date"]
Task = Literal["classification", "regression"]
# Model and candidate names become S3 keys, DynamoDB keys, alarm names and metric dimensions: matched in full.
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
NAME_RULE = "1 to 63 characters, lowercase ASCII letters, digits, '-' or '_', starting with a letter or digit"
# What models see for a missing value of a category or date column, in training and in serving alike.
MISSING_CATEGORY = ""
# The ONNX metadata entry that carries a model's task, target, classes and feature types.
ONNX_METADATA_KEY = "mlops"


@dataclass(frozen=True)
class Column:
    """One column's type and the values it may hold."""

    type: ColumnType
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    categories: tuple[str, ...] | None = None

    @property
    def numeric(self) -> bool:
        return self.type in ("number", "integer")

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": self.type}
        if self.nullable:
            doc["nullable"] = True
        doc |= {key: value for key, value in (("min", self.min), ("max", self.max)) if value is not None}
        if self.categories is not None:
            doc["categories"] = list(self.categories)
        return doc


@dataclass(frozen=True)
class CandidateSpec:
    """A candidate the contract asks for, by its registered name: parameters it fixes, and a narrower search space."""

    candidate: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)
    space: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # The short form when nothing is narrowed: contracts written before search keep their sha256.
        if self.space:
            return {"candidate": self.candidate, "name": self.label, "params": self.params, "space": self.space}
        return {"name": self.label, "estimator": self.candidate, "params": self.params}


# Trials per run: the default when the contract asks for a search without a number, and the hard cap.
DEFAULT_MAX_TRIALS = 8
# A model card's risk ratings, as SageMaker names them.
RISK_RATINGS = ("High", "Medium", "Low", "Unknown")
MAX_TRIALS = 200


@dataclass(frozen=True)
class Search:
    """How many trials a run may fit, and whether they are first fitted on a sample (successive halving)."""

    max_trials: int = DEFAULT_MAX_TRIALS
    sample_fraction: float | None = None
    top_k: int | None = None

    @property
    def halving(self) -> bool:
        return self.sample_fraction is not None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"max_trials": self.max_trials}
        if self.halving:
            doc["halving"] = {"sample_fraction": self.sample_fraction, "top_k": self.top_k}
        return doc


# The live-quality metrics the monitor computes from feedback labels, per task; the first is the default.
LIVE_METRICS = {"classification": ("accuracy", "f1_macro"), "regression": ("rmse", "mae")}


@dataclass(frozen=True)
class Monitoring:
    """How the champion is watched in production, when its alarms fire, and whether it retrains on a schedule."""

    drift_threshold: float = 0.25
    quality_metric: str | None = None
    quality_threshold: float | None = None
    quality_tolerance: float = 0.1
    min_records: int = 100
    min_labels: int = 30
    evaluation_periods: int = 1
    retrain_every_hours: float | None = None

    def live_metric(self, task: str) -> str:
        return self.quality_metric or LIVE_METRICS[task][0]


@dataclass(frozen=True)
class Contract:
    """What a model's training data must satisfy and how its models are judged."""

    model: str
    version: int
    task: Task
    target: str
    columns: dict[str, Column]
    metric: str
    metric_floor: float | None = None
    min_improvement: float = 0.0
    min_rows: int = 100
    max_rows: int | None = None
    holdout_fraction: float = 0.2
    seed: int = 42
    allow_extra_columns: bool = False
    candidates: tuple[CandidateSpec, ...] = ()
    search: Search | None = None
    monitoring: Monitoring = field(default_factory=Monitoring)
    intended_use: str | None = None
    risk_rating: str | None = None

    @property
    def features(self) -> list[str]:
        return [name for name in self.columns if name != self.target]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(canonical_json(self.to_dict())).hexdigest()

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Contract:
        """Build a contract from its JSON document, naming the first field that is wrong."""
        return _parse(doc)

    @classmethod
    def from_json(cls, text: str | bytes) -> Contract:
        try:
            doc = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise ContractError(f"contract is not valid JSON: {error}") from error
        return cls.from_dict(doc)

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["columns"] = {name: column.to_dict() for name, column in self.columns.items()}
        doc["candidates"] = [spec.to_dict() for spec in self.candidates]
        # Omitted when absent, so contracts written before search keep their sha256.
        if self.search is None:
            del doc["search"]
        else:
            doc["search"] = self.search.to_dict()
        for name in ("intended_use", "risk_rating"):
            if doc[name] is None:
                del doc[name]
        return doc

    def to_json(self) -> bytes:
        """The document as it is stored: indented for the people who review it."""
        return json.dumps(self.to_dict(), indent=2).encode()

    def summary(self) -> dict[str, Any]:
        """The few fields that travel with a run and a model version."""
        return {"model": self.model, "version": self.version, "sha256": self.sha256,
                "task": self.task, "target": self.target, "metric": self.metric}


def check_name(name: Any, where: str = "model", error: type[Exception] = InvalidNameError) -> str:
    """`name` if it is a valid model (or candidate) name in full; otherwise `error`, naming `where` and the rule."""
    if isinstance(name, str) and NAME.fullmatch(name):
        return name
    raise error(f"{where}: {shown(name)} is not a valid name: {NAME_RULE}")


def is_valid_name(name: Any) -> bool:
    return isinstance(name, str) and NAME.fullmatch(name) is not None


def shown(value: Any, limit: int = 80) -> str:
    """A value as messages quote it: escaped to ASCII, so a newline or a look-alike letter is visible; shortened."""
    if isinstance(value, str) and len(value) > limit:
        return f"{ascii(value[:limit])}... ({len(value)} characters)"
    return ascii(value)


def visible(name: str, limit: int = 100) -> str:
    """A column or field name as messages show it: what does not print (a byte-order mark, a zero-width or
    no-break space, a tab) escaped, a long name cut."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name[:limit])
    return shown + ("..." if len(name) > limit else "")


def canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def _parse(doc: Any) -> Contract:
    if not isinstance(doc, dict):
        raise ContractError("contract must be a JSON object")
    model = check_name(_required(doc, "model", str), "model", ContractError)
    task = _required(doc, "task", str)
    if task not in ("classification", "regression"):
        raise ContractError(f"task: {task!r} must be 'classification' or 'regression'")
    raw_columns = _required(doc, "columns", dict)
    columns = {name: _column(name, spec) for name, spec in raw_columns.items()}
    target = _required(doc, "target", str)
    if target not in columns:
        raise ContractError(f"target: {target!r} is not one of the contract's columns")
    if len(columns) < 2:
        raise ContractError("columns: a contract needs the target and at least one feature")
    if task == "classification" and columns[target].type != "category":
        raise ContractError(f"columns.{target}: a classification target must have type 'category'")
    if task == "regression" and not columns[target].numeric:
        raise ContractError(f"columns.{target}: a regression target must be 'number' or 'integer'")
    if columns[target].nullable:
        raise ContractError(f"columns.{target}: the target cannot be nullable")
    metric = doc.get("metric", default_metric(task))
    if metric not in METRICS or METRICS[metric].task != task:
        allowed = sorted(name for name, m in METRICS.items() if m.task == task)
        raise ContractError(f"metric: {metric!r} is not a {task} metric; use one of {allowed}")
    holdout = _number(doc, "holdout_fraction", 0.2)
    if not 0.05 <= holdout <= 0.5:
        raise ContractError("holdout_fraction: must be between 0.05 and 0.5")
    min_rows = int(_number(doc, "min_rows", 100))
    if min_rows < 20:
        raise ContractError("min_rows: must be at least 20 (a holdout needs rows)")
    max_rows = doc.get("max_rows")
    if max_rows is not None and (not isinstance(max_rows, int) or max_rows < min_rows):
        raise ContractError("max_rows: must be an integer no smaller than min_rows")
    return Contract(
        model=model,
        version=int(_number(doc, "version", 1)),
        task=task,
        target=target,
        columns=columns,
        metric=metric,
        metric_floor=None if doc.get("metric_floor") is None else _number(doc, "metric_floor", 0.0),
        min_improvement=_number(doc, "min_improvement", 0.0),
        min_rows=min_rows,
        max_rows=max_rows,
        holdout_fraction=holdout,
        seed=int(_number(doc, "seed", 42)),
        allow_extra_columns=bool(doc.get("allow_extra_columns", False)),
        candidates=_candidates(doc.get("candidates") or []),
        search=None if doc.get("search") is None else _search(doc["search"]),
        monitoring=_monitoring(doc.get("monitoring", {}), task),
        intended_use=_optional_text(doc, "intended_use"),
        risk_rating=_risk_rating(doc.get("risk_rating")),
    )


def _optional_text(doc: dict[str, Any], name: str, limit: int = 2048) -> str | None:
    value = doc.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise ContractError(f"{name}: must be text of at most {limit} characters (a model card's limit)")
    return value


def _risk_rating(value: Any) -> str | None:
    if value is not None and value not in RISK_RATINGS:
        raise ContractError(f"risk_rating: {shown(value)} must be one of {list(RISK_RATINGS)} (SageMaker's ratings)")
    return value


def _monitoring(doc: Any, task: str) -> Monitoring:
    if not isinstance(doc, dict):
        raise ContractError("monitoring: must be an object")
    unknown = sorted(set(doc) - set(Monitoring.__dataclass_fields__))
    if unknown:
        raise ContractError(f"monitoring.{unknown[0]}: unknown setting")
    metric = doc.get("quality_metric")
    if metric is not None and metric not in LIVE_METRICS[task]:
        raise ContractError(f"monitoring.quality_metric: {metric!r} is not a live {task} metric; "
                            f"use one of {list(LIVE_METRICS[task])}")
    defaults = Monitoring()
    drift = _number(doc, "drift_threshold", defaults.drift_threshold, "monitoring.")
    tolerance = _number(doc, "quality_tolerance", defaults.quality_tolerance, "monitoring.")
    counts = {key: _number(doc, key, getattr(defaults, key), "monitoring.")
              for key in ("min_records", "min_labels", "evaluation_periods")}
    if drift <= 0 or not 0 <= tolerance < 1:
        raise ContractError("monitoring: drift_threshold must be positive and quality_tolerance in [0, 1)")
    if any(value < 1 or value != int(value) for value in counts.values()):
        raise ContractError("monitoring: min_records, min_labels and evaluation_periods must be whole numbers >= 1")
    every = doc.get("retrain_every_hours")
    if every is not None and (_number(doc, "retrain_every_hours", 0, "monitoring.") <= 0):
        raise ContractError("monitoring.retrain_every_hours: must be positive (or null: no scheduled retraining)")
    threshold = doc.get("quality_threshold")
    return Monitoring(
        drift_threshold=drift, quality_metric=metric,
        quality_threshold=None if threshold is None else _number(doc, "quality_threshold", 0, "monitoring."),
        quality_tolerance=tolerance, **{key: int(value) for key, value in counts.items()},
        retrain_every_hours=None if every is None else float(every))


def _column(name: str, spec: Any) -> Column:
    where = f"columns.{name}"
    if not isinstance(spec, dict):
        raise ContractError(f"{where}: must be an object with a 'type'")
    kind = spec.get("type")
    if kind not in ("number", "integer", "category", "date"):
        raise ContractError(f"{where}.type: {kind!r} must be 'number', 'integer', 'category' or 'date'")
    categories = spec.get("categories")
    if kind == "category":
        if not isinstance(categories, list) or not categories:
            raise ContractError(f"{where}.categories: a category column needs a non-empty list of values")
        categories = tuple(str(value) for value in categories)
        if len(set(categories)) != len(categories):
            raise ContractError(f"{where}.categories: values must be unique")
    elif categories is not None:
        raise ContractError(f"{where}.categories: only category columns have categories")
    bounds = {key: spec.get(key) for key in ("min", "max")}
    for key, value in bounds.items():
        if value is not None and (kind in ("category", "date") or not isinstance(value, int | float)):
            raise ContractError(f"{where}.{key}: must be a number on a numeric column")
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise ContractError(f"{where}: min is greater than max")
    return Column(type=kind, nullable=bool(spec.get("nullable", False)), min=bounds["min"],
                  max=bounds["max"], categories=categories)


def _candidates(specs: Any) -> tuple[CandidateSpec, ...]:
    if not isinstance(specs, list):
        raise ContractError("candidates: must be a list")
    parsed = tuple(_candidate(i, spec) for i, spec in enumerate(specs))
    labels = [spec.label for spec in parsed]
    if len(set(labels)) != len(labels):
        raise ContractError(f"candidates: names must be unique, got {labels}")
    return parsed


def _candidate(index: int, spec: Any) -> CandidateSpec:
    """`{"candidate", "name"?, "params"?, "space"?}`, or the older `{"name", "estimator", "params"}`."""
    where = f"candidates[{index}]"
    if not isinstance(spec, dict):
        raise ContractError(f"{where}: must be an object naming a registered 'candidate'")
    unknown = sorted(set(spec) - {"candidate", "estimator", "name", "params", "space"})
    if unknown:
        raise ContractError(f"{where}.{unknown[0]}: unknown setting; a candidate takes 'candidate', 'name', "
                            "'params' and 'space'")
    candidate = spec.get("candidate", spec.get("estimator"))
    candidate = check_name(candidate, f"{where}.candidate", ContractError)
    label = check_name(spec.get("name", candidate), f"{where}.name", ContractError)
    params, space = spec.get("params", {}), spec.get("space", {})
    if not isinstance(params, dict) or not isinstance(space, dict):
        raise ContractError(f"{where}: 'params' and 'space' must be objects")
    return CandidateSpec(candidate=candidate, label=label, params=params, space=space)


def _search(doc: Any) -> Search:
    if not isinstance(doc, dict):
        raise ContractError("search: must be an object")
    unknown = sorted(set(doc) - {"max_trials", "halving"})
    if unknown:
        raise ContractError(f"search.{unknown[0]}: unknown setting; use 'max_trials' and 'halving'")
    trials = doc.get("max_trials", DEFAULT_MAX_TRIALS)
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise ContractError(f"search.max_trials: {shown(trials)} must be a whole number from 1 to {MAX_TRIALS}")
    halving = doc.get("halving")
    if halving is None:
        return Search(max_trials=trials)
    if not isinstance(halving, dict) or set(halving) - {"sample_fraction", "top_k"}:
        raise ContractError("search.halving: must be an object with 'sample_fraction' and 'top_k'")
    fraction = _number(halving, "sample_fraction", 0.25, "search.halving.")
    top_k = halving.get("top_k", max(1, trials // 4))
    if not 0.01 <= fraction < 1:
        raise ContractError(f"search.halving.sample_fraction: {shown(fraction)} must be at least 0.01 and below 1")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= trials:
        raise ContractError(f"search.halving.top_k: {shown(top_k)} must be a whole number from 1 to max_trials "
                            f"({trials})")
    return Search(max_trials=trials, sample_fraction=fraction, top_k=top_k)


def _required(doc: dict, key: str, kind: type) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        raise ContractError(f"{key}: required, must be a {kind.__name__}")
    return value


def _number(doc: dict, key: str, default: float, where: str = "") -> float:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError(f"{where}{key}: must be a number")
    return float(value)
