"""Malformed training datasets: each with the rules (and columns) its validation report must name."""

import io

from mlops_cli.samples import CHURN_CONTRACT, churn


def good_csv(rows: int = 300) -> str:
    return churn(rows, seed=7).to_csv(index=False)


def header_and(*lines: str) -> str:
    return ",".join(CHURN_CONTRACT["columns"]) + "\n" + "\n".join(lines) + "\n"


GOOD_ROW = "12,70.5,1,monthly,card,40,no"


def after_good_rows(row: str) -> str:
    return header_and(*[GOOD_ROW] * 120, row)


MALFORMED = {
    "empty file": ("", {("readable", None)}),
    "header only": (header_and(), {("min_rows", None)}),
    "semicolon separated": (good_csv().replace(",", ";"), {("readable", None)}),
    "utf-16": (good_csv().encode("utf-16"), {("readable", None)}),
    "binary garbage": (bytes(range(256)) * 10, {("readable", None)}),
    "missing column": (churn(300, 1).drop(columns="age").to_csv(index=False), {("column_present", "age")}),
    "extra column": (churn(300, 1).assign(x=1).to_csv(index=False), {("no_extra_columns", "x")}),
    "duplicate columns": (header_and(GOOD_ROW).replace("age", "tenure_months", 1),
                          {("unique_columns", "tenure_months")}),
    "ragged rows": (header_and(GOOD_ROW, GOOD_ROW + ",1,2"), {("readable", None)}),
    "text in a number column": (after_good_rows("12,abc,1,monthly,card,40,no"), {("type", "monthly_charges")}),
    "inf strings": (after_good_rows("12,inf,1,monthly,card,40,yes"), {("finite", "monthly_charges")}),
    "fraction in an integer column": (after_good_rows("12.5,70,1,monthly,card,40,yes"),
                                      {("integer", "tenure_months")}),
    "out of range": (after_good_rows("-3,70,1,monthly,card,40,yes"), {("range", "tenure_months")}),
    "unknown category": (after_good_rows("3,70,1,lifetime,card,40,yes"), {("category", "contract_type")}),
    "null in a required column": (after_good_rows("3,70,,monthly,card,40,yes"),
                                  {("not_null", "support_calls")}),
    "null target": (after_good_rows("3,70,1,monthly,card,40,"), {("not_null", "churned")}),
    "single class": (header_and(*[GOOD_ROW] * 150), {("target_classes", "churned")}),
    "too few rows": (header_and(GOOD_ROW, GOOD_ROW.replace(",no", ",yes")), {("min_rows", None)}),
}


def _parquet(frame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="fastparquet")
    return buffer.getvalue()


# Beyond the CSV cases: what else arrives in a data bucket. (name, content, expected rules); `max_rows` is 2,000.
MORE_MALFORMED = {
    "huge text cells": ("data.csv", after_good_rows("3,70,1," + "x" * 2_000_000 + ",card,40,yes"),
                        {("category", "contract_type")}),
    "more rows than the maximum": ("data.csv", good_csv(2500), {("max_rows", None)}),
    "parquet with text in a number column": (
        "data.parquet", _parquet(churn(300, 1).astype({"monthly_charges": str}).assign(monthly_charges="x")),
        {("type", "monthly_charges")}),
    "parquet with a float target": ("data.parquet", _parquet(churn(300, 1).assign(churned=0.5)),
                                    {("category", "churned")}),
    "truncated parquet": ("data.parquet", _parquet(churn(300, 1))[:-100], {("readable", None)}),
    "csv named .parquet": ("data.parquet", good_csv(), {("readable", None)}),
    "nul bytes": ("data.csv", after_good_rows(GOOD_ROW.replace("monthly", "mon\x00thly")) + "\x00" * 50,
                  {("category", "contract_type")}),
    "a zero-width space in a name after a byte order mark": (
        "data.csv", "\ufeff" + good_csv().replace("age", "age\u200b", 1),
        {("column_present", "age"), ("no_extra_columns", "age\u200b")}),
    "all-null target": ("data.csv", header_and(*["3,70,1,monthly,card,40,"] * 150), {("not_null", "churned")}),
}


# Model names each invalid the way a hostile or careless name is: whitespace a regex anchor lets through, a
# look-alike letter, path syntax, nothing, too long, the wrong case.
INVALID_NAMES = {
    "trailing newline": "churn\n",
    "tab": "churn\tv2",
    "Cyrillic look-alike": "\u0441hurn",
    "dot-dot": "..",
    "slash": "churn/v2",
    "empty": "",
    "300 characters": "c" * 300,
    "capitals": "Churn",
    "leading dash": "-churn",
    "accented letter": "ch\u00fcrn",
}
