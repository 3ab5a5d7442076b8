"""Registry, run and trial records go to DynamoDB and come back as the plain values they were (written without
boto3, so the inference function reads the registry without importing it)."""

import math

import pytest
from mlops_core.aws.dynamo import from_item, to_attribute, to_item


def test_a_record_comes_back_as_it_was_written():
    record = {"model": "churn", "version": 3, "score": 0.8125, "tiny": 1.5e-7, "big": 123456789012345678,
              "ok": True, "none": None, "metrics": {"auc": 0.9, "by_class": [0.1, {"n": 2}], "empty": []}}

    assert from_item(to_item(record)) == {key: value for key, value in record.items() if value is not None}


def test_numbers_travel_as_decimal_strings_and_come_back_as_int_or_float():
    assert to_attribute({"a": 2, "b": 0.5}) == {"M": {"a": {"N": "2"}, "b": {"N": "0.5"}}}
    assert from_item({"n": {"N": "2"}, "f": {"N": "2.50"}, "s": {"NS": ["1", "0.5"]}}) == {"n": 2, "f": 2.5,
                                                                                         "s": [1, 0.5]}


@pytest.mark.parametrize("value", [math.nan, math.inf, 10 ** 40 + 1])
def test_a_number_dynamodb_cannot_store_is_refused(value):
    with pytest.raises((TypeError, ArithmeticError)):
        to_attribute({"value": value})
