"""Reading CSV and Parquet datasets in chunks, typed by a contract."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from fastparquet import ParquetFile

from mlops_core.aws.objects import ObjectStore, S3Object
from mlops_core.contract import MISSING_CATEGORY, Contract

CHUNK_ROWS = 100_000


class UnreadableDatasetError(ValueError):
    """The file cannot be parsed as the table it claims to be."""


def dataset_format(key: str) -> str:
    """Tell the format from the object key: Parquet by extension, CSV otherwise."""
    return "parquet" if key.lower().endswith((".parquet", ".pq")) else "csv"


# UTF-8, with or without the byte-order mark that Excel's "CSV UTF-8" writes before the first column's name.
TEXT_ENCODING = "utf-8-sig"


def read_header(path: Path, fmt: str) -> list[str]:
    """Column names as written in the file, duplicates kept."""
    if fmt == "parquet":
        return list(_parquet(path).columns)
    try:
        with path.open(newline="", encoding=TEXT_ENCODING) as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as error:
        raise UnreadableDatasetError(f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    except csv.Error as error:
        raise UnreadableDatasetError(f"not CSV: {error}") from error
    if not header:
        raise UnreadableDatasetError("the file is empty: no header row")
    return header


def iter_chunks(path: Path, fmt: str, contract: Contract, columns: list[str],
                chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Yield the given columns in chunks; category and date columns as text (categoricals of strings from CSV)."""
    text_columns = [c for c in columns if c in contract.columns and not contract.columns[c].numeric]
    try:
        if fmt == "parquet":
            for chunk in _parquet(path).iter_row_groups(columns=columns):
                for start in range(0, max(len(chunk), 1), chunk_rows):
                    part = chunk.iloc[start:start + chunk_rows]
                    yield _as_text(part.reset_index(drop=True), text_columns)
            return
        # No usecols: with it pandas silently drops the extra fields of a ragged row instead of failing.
        # Category and date columns are read as text (read_csv's own "category" dtype turns "007" into 7), then
        # made categoricals: checks and counts then work on the distinct values of a chunk, not a string per row.
        reader = pd.read_csv(path, dtype=dict.fromkeys(text_columns, str), chunksize=chunk_rows,
                             encoding=TEXT_ENCODING, skipinitialspace=True)
        with reader:
            for chunk in reader:
                yield chunk[columns].astype(dict.fromkeys(text_columns, "category"))
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as error:
        raise UnreadableDatasetError(str(error).strip().splitlines()[-1]) from error


def load_frame(path: Path, fmt: str, contract: Contract) -> pd.DataFrame:
    """The whole dataset as model-ready columns: floats for numbers, strings for categories and dates."""
    columns = [*contract.features, contract.target]
    frame = pd.concat(list(iter_chunks(path, fmt, contract, columns)), ignore_index=True)
    return model_frame(frame, contract)


def model_frame(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Cast columns to what the models see; a missing category or date becomes the empty string."""
    out = {}
    for name in frame.columns:
        column = contract.columns[name]
        if column.numeric:
            out[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
        else:
            out[name] = frame[name].astype(object).where(frame[name].notna(), MISSING_CATEGORY).astype(str)
    return pd.DataFrame(out)


def load_dataset(data: dict, contract: Contract, store: ObjectStore) -> pd.DataFrame:
    """The exact dataset version a run validated (sha256-checked), as model-ready columns."""
    path, _ = store.download(S3Object.parse(data["uri"], data.get("version_id")), data["sha256"])
    try:
        return load_frame(path, data["format"], contract)
    finally:
        path.unlink()


def _parquet(path: Path) -> ParquetFile:
    try:
        return ParquetFile(str(path))
    except Exception as error:  # fastparquet raises many types for a file that is not Parquet
        raise UnreadableDatasetError(f"not a Parquet file: {error}") from error


def _as_text(frame: pd.DataFrame, text_columns: list[str]) -> pd.DataFrame:
    for name in text_columns:
        values = frame[name]
        frame[name] = values.astype(object).where(values.isna(), values.astype(str))
    return frame
