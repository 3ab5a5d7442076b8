"""Property 2: concurrent uploads of different objects for one model queue: one run at a time, versions unique and
gap-free, exactly one champion at every moment, each run judged against the champion the previous one left."""

import time

import pytest
from mlops_core.aws.registry import CHAMPION
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn

pytestmark = pytest.mark.e2e


def test_three_uploads_at_once_run_one_at_a_time_against_the_champion_left_before(stack, tmp_path, model_name,
                                                                                   figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    triggers = []
    for i, frame in enumerate([churn(1500, seed=1, noise=0.2), churn(3000, seed=2, noise=0.1),
                               churn(6000, seed=3, noise=0.05)]):
        path = tmp_path / f"part-{i}.csv"
        frame.to_csv(path, index=False)
        triggers.append(operations.upload(stack, path, model_name))

    seen, deadline = [], time.monotonic() + 600
    while time.monotonic() < deadline:
        champion = stack.registry.alias(model_name, CHAMPION)
        if champion:
            seen.append((champion["revision"], champion["version"]))
        runs = [stack.runs.get(model_name, t.run_id) for t in triggers]
        if all(r and r["status"] != "RUNNING" for r in runs):
            break
        time.sleep(0.2)

    assert all(r["status"] == "SUCCEEDED" for r in runs), [r.get("message") for r in runs]
    versions = sorted(r["version"] for r in runs)
    assert versions == [1, 2, 3] == sorted(v["version"] for v in stack.registry.versions(model_name))
    assert sum("queued_behind" in r for r in runs) >= 2  # the other two waited for the model's lease
    spans = sorted((r["steps"]["validate"]["started_at"], r["finished_at"]) for r in runs)
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:], strict=False))  # one at a time
    registered = {v["version"] for v in stack.registry.versions(model_name)}
    revisions = [revision for revision, _ in seen]
    assert revisions == sorted(revisions) and {version for _, version in seen} <= registered
    history = stack.registry.history(model_name)
    assert [h.get("from_version") for h in history][1:] == [h["to_version"] for h in history][:-1]
    assert set(revisions) <= set(range(1, len(history) + 1)) == {stack.registry.alias(model_name)["revision"],
                                                                 *range(1, len(history))}
    in_order = sorted(runs, key=lambda r: r["version"])
    for previous, run in zip(in_order, in_order[1:], strict=False):
        assert run["steps"]["evaluate"]["champion"]["version"] == previous["champion_version"]
    figure(2, f"3 uploads at once: runs one at a time ({sum('queued_behind' in r for r in runs)} queued behind the "
              f"model's lease), versions {versions}, {len(history)} champion moves with consecutive revisions, "
              f"{len(seen)} reads of the champion during the runs: always one registered version")
