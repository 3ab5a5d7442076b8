"""Model and candidate names are valid only when they match the rule in full, wherever they enter."""

import pytest
from mlops_core.contract import NAME_RULE, Contract, check_name
from mlops_core.errors import ContractError, InvalidNameError
from mlops_core.monitoring.job import MonitorJob
from mlops_core.pipeline.triggers import InvalidTriggerError, is_upload_of, model_from_key, parse_trigger

from mlops_cli.samples import CHURN_CONTRACT
from tests.corpus import INVALID_NAMES

INVALID = INVALID_NAMES
VALID = ["churn", "c", "churn-v2_eu", "0abc", "a" * 63]


@pytest.mark.parametrize("name", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_name_is_refused_with_the_rule(name):
    with pytest.raises(InvalidNameError) as refused:
        check_name(name)

    assert NAME_RULE in str(refused.value)


@pytest.mark.parametrize("name", VALID)
def test_a_valid_name_is_accepted_as_it_is(name):
    assert check_name(name) == name


def test_the_message_makes_invisible_and_look_alike_characters_visible():
    with pytest.raises(InvalidNameError) as newline:
        check_name("churn\n")
    with pytest.raises(InvalidNameError) as cyrillic:
        check_name("\u0441hurn")

    assert "'churn\\n'" in str(newline.value) and "'\\u0441hurn'" in str(cyrillic.value)


@pytest.mark.parametrize("name", INVALID.values(), ids=INVALID.keys())
def test_a_contract_for_an_invalid_model_name_is_refused(name):
    with pytest.raises(ContractError, match="model: .* is not a valid name"):
        Contract.from_dict({**CHURN_CONTRACT, "model": name})


@pytest.mark.parametrize("name", INVALID.values(), ids=INVALID.keys())
def test_a_candidate_name_that_would_break_its_s3_key_is_refused(name):
    candidates = [{"name": name, "estimator": "logistic_regression"}]

    with pytest.raises(ContractError, match=r"candidates\[0\]\.name"):
        Contract.from_dict({**CHURN_CONTRACT, "candidates": candidates})


@pytest.mark.parametrize("name", [n for n in INVALID.values() if "/" not in n], ids=[
    k for k, n in INVALID.items() if "/" not in n])
def test_an_upload_key_naming_an_invalid_model_is_not_a_trigger(name):
    with pytest.raises(InvalidTriggerError, match="the model folder"):
        model_from_key(f"incoming/{name}/data.csv")


@pytest.mark.parametrize("key", ["incoming/churn/../data.csv", "incoming/churn//data.csv",
                                 "incoming/churn/./data.csv", "incoming/churn/sub/../data.csv"])
def test_an_upload_key_with_path_syntax_after_the_model_is_not_a_trigger(key):
    with pytest.raises(InvalidTriggerError, match="path segment"):
        model_from_key(key)
    assert not is_upload_of(key, "churn")


def test_a_nested_upload_key_names_its_model():
    assert model_from_key("incoming/churn/2026/11/data.csv") == "churn"


@pytest.mark.parametrize("event", [
    {"trigger": "manual", "model": "churn\n", "dataset_uri": "s3://b/incoming/churn/d.csv", "request_id": "r"},
    {"trigger": "schedule", "model": "\u0441hurn", "period": "p"},
    {"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", "id": "e", "detail": {
        "alarmName": "a", "state": {"value": "ALARM"},
        "configuration": {"metrics": [{"metricStat": {"metric": {"dimensions": {"Model": "churn\t"}}}}]}}},
], ids=["manual", "schedule", "alarm"])
def test_every_trigger_kind_refuses_an_invalid_model_name(event):
    with pytest.raises(InvalidTriggerError, match="is not a valid name"):
        parse_trigger(event)


@pytest.mark.parametrize("models", [["churn", "churn\n"], ["\u0441hurn"], "churn"])
def test_the_monitor_refuses_models_it_is_given_that_are_not_valid_names(models):
    job = MonitorJob(monitor=None, registry=None, runs=None, pipeline=None, alarms=None, alarm_settings=None)

    with pytest.raises(InvalidNameError, match="models"):
        job.run(models)
