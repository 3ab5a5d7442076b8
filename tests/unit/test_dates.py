import numpy as np
import pytest
from mlops_core.dates import is_date
from mlops_core.training.features import DateParts


@pytest.mark.parametrize("value", ["2024-03-05", "2024-02-29", "2000-02-29", "2024-03-05T10:11:12Z",
                                   "2024-03-05 10:11", "2024-12-31T", "0400-02-29"])
def test_an_iso_date_naming_a_real_day_is_a_date(value):
    assert is_date(value)


@pytest.mark.parametrize("value", ["2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                                   "2024-01-00", "2024-3-5", "05/03/2024", "2024-03-05x", "2024-03-05\\n",
                                   "2024-03-05T10\\n11", "\\u0662024-03-05", "", " 2024-03-05", None, 20240305])
def test_anything_else_is_not(value):
    if isinstance(value, str):
        value = value.encode().decode("unicode_escape")
    assert not is_date(value)


def test_is_date_agrees_with_date_parts_on_which_values_it_reads():
    values = ["2024-03-05", "2023-02-29", "2024-03-05T10:11", "2024-3-5", "", "1900-02-29", "2000-02-29",
              "2024-03-05\n", "٢024-03-05", "0000-02-29"]
    parts = DateParts(parts=("year",)).fit(np.array([["2024-01-01"]], dtype=object))

    read = ~np.isnan(parts.transform(np.array(values, dtype=object).reshape(-1, 1)).ravel())

    assert read.tolist() == [is_date(value) for value in values]
