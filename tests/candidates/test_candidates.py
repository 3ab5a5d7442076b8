"""CI for candidate code: every registered candidate, on every task it supports, passes every check that
`mlops candidates check` runs (search space, fitting gaps and unseen categories, beating a dummy baseline on a planted
signal, reproducibility, ONNX parity, size and latency budgets). A new module in the registry is covered by adding it.
"""

import pytest
from mlops_candidates.registry import catalog

from mlops_cli.candidate_checks import CHECKS, check_candidate

CATALOG = catalog()
CASES = [(name, task) for name, candidate in sorted(CATALOG.candidates.items()) for task in candidate.tasks]


def test_every_module_of_the_registry_registers():
    assert CATALOG.broken == {}


@pytest.fixture(scope="module", params=CASES, ids=[f"{name}-{task}" for name, task in CASES])
def checks(request):
    name, task = request.param
    return {check.name: check for check in check_candidate(CATALOG.get(name), task)}


@pytest.mark.parametrize("check", [name for name, _ in CHECKS])
def test_every_registered_candidate_passes(checks, check):
    result = checks[check]

    assert result.passed, f"{result.candidate} ({result.task}) {check}: {result.detail}"
