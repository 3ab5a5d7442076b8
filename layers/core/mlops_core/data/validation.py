"""Checking a dataset against its contract in one streaming pass, with a report a person can read."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlops_core.contract import Contract, visible
from mlops_core.data.profile import ProfileBuilder
from mlops_core.data.tabular import CHUNK_ROWS, UnreadableDatasetError, iter_chunks, read_header
from mlops_core.dates import is_date

MAX_EXAMPLES = 5
MAX_EXAMPLE_CHARS = 120


@dataclass
class Violation:
    """One broken rule: which rule, which column, how many rows, and a few of them."""

    rule: str
    column: str | None
    message: str
    rows: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Everything validation found; the dataset passes when nothing was violated."""

    rows: int
    violations: list[Violation]

    @property
    def passed(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "rows": self.rows, "violations": [asdict(v) for v in self.violations]}

    def render(self) -> str:
        if self.passed:
            return f"passed: {self.rows} rows satisfy the contract"
        lines = [f"failed: {len(self.violations)} rule(s) broken in {self.rows} rows read"]
        for v in self.violations:
            where = f" [{visible(v.column, 1000)}]" if v.column else ""
            lines.append(f"- {v.rule}{where}: {v.message}")
            lines.extend(f"    row {e['row']}: {e['value']!r}" for e in v.examples)
        return "\n".join(lines)


@dataclass
class _Tally:
    rows: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def add(self, mask: np.ndarray, values: pd.Series, offset: int) -> None:
        hits = np.flatnonzero(mask)
        self.rows += hits.size
        for index in hits[: MAX_EXAMPLES - len(self.examples)]:
            value = values.iloc[index]
            text = None if pd.isna(value) else str(value)[:MAX_EXAMPLE_CHARS]
            self.examples.append({"row": offset + int(index) + 1, "value": text})


def validate(path: Path, fmt: str, contract: Contract, chunk_rows: int = CHUNK_ROWS
             ) -> tuple[ValidationReport, dict[str, Any] | None]:
    """Check every row of a file against the contract; return the report and, when it passes, the profile."""
    try:
        header = read_header(path, fmt)
    except UnreadableDatasetError as error:
        return ValidationReport(0, [Violation("readable", None, str(error))]), None
    violations = _header_violations(header, contract)
    if violations:
        return ValidationReport(0, violations), None

    columns = [*contract.features, contract.target]
    tallies: dict[tuple[str, str], _Tally] = {}
    profile = ProfileBuilder(contract, seed=contract.seed)
    classes: Counter[str] = Counter()
    rows = 0
    try:
        for chunk in iter_chunks(path, fmt, contract, columns, chunk_rows):
            typed = _check_chunk(chunk, contract, tallies, rows)
            profile.add(typed)
            if contract.task == "classification":
                classes.update({k: n for k, n in typed[contract.target].value_counts().items() if n})
            rows += len(chunk)
    except UnreadableDatasetError as error:
        violations.append(Violation("readable", None, f"{error} (after {rows} rows)"))
        return ValidationReport(rows, violations), None

    violations.extend(_tally_violations(tallies, contract))
    violations.extend(_row_count_violations(rows, contract))
    if contract.task == "classification" and rows and len(classes) < 2:
        violations.append(Violation("target_classes", contract.target,
                                    f"needs at least 2 classes, found {sorted(classes) or 'none'}"))
    report = ValidationReport(rows, violations)
    return report, (profile.build() if report.passed else None)


def _header_violations(header: list[str], contract: Contract) -> list[Violation]:
    found: list[Violation] = []
    duplicates = sorted(name for name, n in Counter(header).items() if n > 1)
    if duplicates:
        found.append(Violation("unique_columns", ", ".join(duplicates), "column names appear more than once"))
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        found.append(Violation("readable", None, f"one column named {header[0][:80]!r}: the file is not "
                                                 "comma-separated"))
        return found
    for name in contract.columns:
        if name not in header:
            found.append(Violation("column_present", name, "required by the contract, missing from the file"))
    extra = [name for name in header if name not in contract.columns]
    if extra and not contract.allow_extra_columns:
        found.append(Violation("no_extra_columns", ", ".join(extra[:10]),
                               f"{len(extra)} column(s) not in the contract"))
    return found


def _check_chunk(chunk: pd.DataFrame, contract: Contract, tallies: dict, offset: int) -> pd.DataFrame:
    """Count this chunk's violations; return it with numbers as floats for profiling."""
    typed = {}
    for name in chunk.columns:
        spec, raw = contract.columns[name], chunk[name]

        def tally(rule: str, mask, values=raw, column=name) -> None:
            if mask.any():
                tallies.setdefault((rule, column), _Tally()).add(np.asarray(mask), values, offset)

        present = raw.notna().to_numpy()
        if spec.numeric:
            numbers = pd.to_numeric(raw, errors="coerce") if raw.dtype.kind not in "iufb" else raw
            numbers = numbers.astype(np.float64)
            values = numbers.to_numpy()
            tally("type", present & np.isnan(values))
            tally("finite", np.isinf(values))
            finite = np.isfinite(values)
            if spec.type == "integer":
                tally("integer", finite & (np.floor(values) != values))
            if spec.min is not None:
                tally("range", finite & (values < spec.min))
            if spec.max is not None:
                tally("range", finite & (values > spec.max))
            typed[name] = numbers.where(~np.isinf(values))
        elif spec.type == "date":
            dates = [value for value in raw.dropna().unique() if is_date(value)]
            valid = raw.isin(dates).to_numpy()
            tally("type", present & ~valid)
            typed[name] = raw.where(valid)
        else:
            allowed = raw.isin(spec.categories).to_numpy()
            tally("category", present & ~allowed)
            typed[name] = raw.where(allowed)
        if not spec.nullable:
            tally("not_null", ~present)
    return pd.DataFrame(typed)


_RULES = {
    "type": "values that are not numbers",
    "finite": "infinite values",
    "integer": "values that are not whole numbers",
    "range": "values outside [{min}, {max}]",
    "category": "values outside the allowed categories {categories}",
    "not_null": "missing values in a column that is not nullable",
}
# A date column's "type" rule: the rule the DateParts transform reads dates by (mlops_core.dates).
_NOT_A_DATE = "values that are not ISO dates (YYYY-MM-DD naming a real day, optionally a time after 'T' or a space)"


def _tally_violations(tallies: dict, contract: Contract) -> list[Violation]:
    found = []
    for (rule, column), tally in tallies.items():
        spec = contract.columns[column]
        categories = list(spec.categories or ())[:10]
        what = _NOT_A_DATE if (rule, spec.type) == ("type", "date") else _RULES[rule]
        what = what.format(min=spec.min, max=spec.max, categories=categories)
        found.append(Violation(rule, column, f"{tally.rows} row(s) with {what}", tally.rows, tally.examples))
    return found


def _row_count_violations(rows: int, contract: Contract) -> list[Violation]:
    if rows < contract.min_rows:
        return [Violation("min_rows", None, f"{rows} rows, the contract needs at least {contract.min_rows}")]
    if contract.max_rows is not None and rows > contract.max_rows:
        return [Violation("max_rows", None, f"{rows} rows, the contract allows at most {contract.max_rows}")]
    return []
