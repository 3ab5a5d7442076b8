"""samconfig.toml's environments: one template, only parameters differ, and every value is one the template allows."""

import json
import tomllib
from pathlib import Path

import pytest

from localcloud.template import load_template, prepare, samconfig_parameters

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text())
PARAMETERS = load_template(ROOT / "template.yaml")["Parameters"]


@pytest.fixture(autouse=True)
def region(monkeypatch):
    """samtranslator reads the region from the environment, as sam does."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def translated(environment: str) -> str:
    prepared = prepare(ROOT / "template.yaml", samconfig_parameters(ROOT / "samconfig.toml", environment),
                       "us-east-1", "123456789012")
    return json.dumps(prepared.body, sort_keys=True)


def test_dev_and_prod_deploy_the_same_template_with_different_parameters():
    dev, prod = (samconfig_parameters(ROOT / "samconfig.toml", env) for env in ("dev", "prod"))

    assert translated("dev") == translated("prod")
    assert dev != prod and set(dev) == set(prod)
    assert CONFIG["dev"]["global"]["parameters"]["stack_name"] != CONFIG["prod"]["global"]["parameters"]["stack_name"]
    assert not any("template" in key for env in ("dev", "prod") for key in CONFIG[env]["deploy"]["parameters"])


@pytest.mark.parametrize("environment", ["dev", "prod", "local"])
def test_every_override_is_a_template_parameter_with_an_allowed_value(environment):
    for name, value in samconfig_parameters(ROOT / "samconfig.toml", environment).items():
        spec = PARAMETERS[name]
        assert value in spec.get("AllowedValues", [value]), name
        if spec["Type"] == "Number":
            assert spec.get("MinValue", float("-inf")) <= float(value) <= spec.get("MaxValue", float("inf")), name


def test_production_is_signed_and_reviewed():
    prod = samconfig_parameters(ROOT / "samconfig.toml", "prod")

    assert prod["InferenceAuthType"] == "AWS_IAM"
    assert CONFIG["prod"]["deploy"]["parameters"]["confirm_changeset"] is True
