"""The tables `mlops predict` reads and writes: CSV (UTF-8, with or without a byte-order mark) or Parquet in, cells
typed by the model's request schema, and the rows with their predictions out as CSV."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_core.contract import visible
from mlops_core.data.tabular import TEXT_ENCODING, dataset_format


@dataclass(frozen=True)
class Table:
    """Rows as read (text cells from CSV, values from Parquet or JSON), with the columns in the source's order;
    `typed`: whether cells are typed by the request schema (not JSON records, which are sent as they are)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    typed: bool = True

    @classmethod
    def of_records(cls, records: list[dict[str, Any]]) -> Table:
        return cls(list(dict.fromkeys(key for record in records for key in record)), records, typed=False)

    def records(self, request_schema: dict[str, Any], drop: str | None = None) -> list[dict[str, Any]]:
        """The rows as the inference URL takes them, `drop` left out."""
        properties = request_schema["properties"]["records"]["items"]["properties"]
        kinds = {name: _json_type(spec) for name, spec in properties.items()}
        return [{name: _typed(value, kinds.get(name)) if self.typed else value
                 for name, value in row.items() if name != drop} for row in self.rows]

    def labels(self, target: str, task: str) -> list[Any]:
        """The target column's values: text for a classifier, numbers for a regressor, None where it is empty."""
        labels = []
        for number, row in enumerate(self.rows, start=1):
            value = _typed(row.get(target), "string")
            if value is not None and task == "regression":
                try:
                    value = float(value)
                except ValueError:
                    raise ValueError(f"row {number}: the target {visible(target)} is {value[:40]!r}, "
                                     "not a number") from None
            labels.append(value)
        return labels


def read_table(path: Path) -> Table:
    """A CSV or Parquet file (by extension, as uploads are told apart)."""
    return _read_parquet(path) if dataset_format(path.name) == "parquet" else _read_csv(path)


def write_csv(path: Path, table: Table, columns: list[str], cells: list[list[Any]]) -> None:
    """The table's rows as read, each followed by its cells of the added columns."""
    clash = [name for name in columns if name in table.columns]
    if clash:
        raise ValueError(f"the input already has a column named '{visible(clash[0])}'; rename it to write {path}")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*table.columns, *columns])
        for row, extra in zip(table.rows, cells, strict=True):
            writer.writerow([_text(row.get(name)) for name in table.columns] + [_text(value) for value in extra])


def _read_csv(path: Path) -> Table:
    try:
        with path.open(newline="", encoding=TEXT_ENCODING) as handle:
            lines = csv.reader(handle)
            header = next(lines, None)
            if not header:
                raise ValueError(f"{path}: empty, no header row")
            rows = []
            for number, cells in enumerate(lines, start=2):
                if cells and len(cells) != len(header):
                    raise ValueError(f"{path}: line {number} has {len(cells)} fields, the header {len(header)}")
                if cells:
                    rows.append(dict(zip(header, cells, strict=True)))
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except csv.Error as error:
        raise ValueError(f"{path}: not CSV ({error})") from error
    duplicates = sorted(visible(name) for name, n in Counter(header).items() if n > 1)
    if duplicates:
        raise ValueError(f"{path}: columns named more than once: {', '.join(duplicates)}")
    return Table(header, rows)


def _read_parquet(path: Path) -> Table:
    import pandas as pd

    try:
        frame = pd.read_parquet(path, engine="fastparquet")
    except Exception as error:  # fastparquet raises many types for a file that is not Parquet
        raise ValueError(f"{path}: not a Parquet file ({error})") from error
    columns = [str(name) for name in frame.columns]
    cells = frame.astype(object).where(frame.notna(), None)  # Python values; NaN, NaT and NA as None
    return Table(columns, [dict(zip(columns, map(_plain, row), strict=True))
                           for row in cells.itertuples(index=False, name=None)])


def _plain(value: Any) -> Any:
    """A Parquet cell as JSON has it: numbers and text as they are, anything else (a timestamp) as text."""
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _json_type(spec: dict[str, Any]) -> str:
    options = spec.get("anyOf", [spec])
    return next(option["type"] for option in options if option.get("type") != "null")


def _typed(value: Any, kind: str | None) -> Any:
    """A cell as the request schema types it: text parsed as a number where a number is expected, empty as null."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return str(value) if kind == "string" and not isinstance(value, bool) else value
    if kind not in ("number", "integer"):
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if kind == "integer" and number.is_integer() else number


def _text(value: Any) -> str:
    return "" if value is None else str(value)
