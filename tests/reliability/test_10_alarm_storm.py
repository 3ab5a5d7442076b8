"""Property 10: a burst of alarm events for one model makes one run; the others are recorded as suppressed."""

import pytest
from mlops_core.aws.run_store import RUNNING, SUPPRESSED

from mlops_cli import operations
from mlops_cli.samples import churn
from tests.e2e.conftest import automatic_runs, new_model, put_alarm_events, wait_for

pytestmark = pytest.mark.e2e
BURST = 10


def test_a_burst_of_ten_alarm_events_starts_exactly_one_run(cloud, tmp_path, figure):
    from mlops_cli.stack import Stack

    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path, "storm")
    operations.send_traffic(stack, model, churn(60, seed=5, noise=0.1), "churned")  # new labels: a run has work
    put_alarm_events(stack, model, BURST)

    def settled():
        runs = automatic_runs(stack, model)
        return runs if len(runs) == BURST and all(r["status"] != RUNNING for r in runs) else None

    runs = wait_for(settled)
    suppressed = [r for r in runs if r["status"] == SUPPRESSED]
    ran = [r for r in runs if r["status"] != SUPPRESSED]
    assert len(ran) == 1 and ran[0]["status"] == "SUCCEEDED", ran
    assert len(suppressed) == BURST - 1
    assert all(r["reason"] == f"run {ran[0]['run_id']} in progress" or r["reason"].startswith(
        f"retraining cooldown after run {ran[0]['run_id']}") for r in suppressed)
    figure(10, f"{BURST} alarm events for one model in one PutEvents call: 1 run (SUCCEEDED), {len(suppressed)} "
               "recorded as SUPPRESSED with the run that held the model")
