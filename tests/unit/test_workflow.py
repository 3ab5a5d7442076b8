"""The users' CI/CD workflow: it cannot run here, so its shape is checked: gates, then staging, then approval."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text())
JOBS = WORKFLOW["jobs"]


def commands(job: str) -> list[str]:
    return [step["run"] for step in JOBS[job]["steps"] if "run" in step]


def test_the_gates_are_the_ones_ci_runs_here():
    ci = re.findall(r"^make \w+", (ROOT / ".ci/run").read_text(), re.M)

    assert [c for c in commands("check") if c.startswith("make")] == ci


def test_staging_is_smoke_tested_before_production_which_waits_for_approval():
    assert JOBS["staging"]["needs"] == "check" and JOBS["production"]["needs"] == "staging"
    assert JOBS["production"]["environment"] == "production"
    assert any("smoke_test.py" in c for c in commands("staging"))


def test_each_deploy_uses_a_samconfig_environment_and_short_lived_credentials():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for job, environment in (("staging", "dev"), ("production", "prod")):
        [deploy] = [c for c in commands(job) if "sam deploy" in c]
        assert f"--config-env {environment}" in deploy and environment in config
        assert any(step.get("uses", "").startswith("aws-actions/configure-aws-credentials")
                   for step in JOBS[job]["steps"])
    assert WORKFLOW["permissions"]["id-token"] == "write"


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag_beside_it():
    text = (ROOT / ".github/workflows/deploy.yml").read_text()
    uses = re.findall(r"^\s*-?\s*uses:\s*(\S+)(.*)$", text, re.M)

    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), (action, comment)
