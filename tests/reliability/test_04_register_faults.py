"""Property 4: a fault at any point of register/promote leaves no version pointing at a missing or mismatched
artifact, the champion unchanged or fully moved, and a re-run of the step completes."""

import pytest
from mlops_core.aws.contract_store import current_contract
from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.aws.registry import CHAMPION, AliasMove, Registry
from mlops_core.config import Settings
from mlops_core.contract import Contract
from mlops_core.errors import RegistryConflictError
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.register import register_model

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT


class InjectedFault(RuntimeError):
    """The crash a test injects."""


class FaultyRegistry(Registry):
    """The stack's registry, failing once at `point`: before or after a registry call."""

    def __init__(self, registry: Registry, point: str) -> None:
        super().__init__(registry.client, registry.table)
        self.point = point

    def _fault(self, point: str) -> None:
        if self.point == point:
            self.point = "done"
            raise InjectedFault(point)

    def register(self, *args, **kwargs):
        self._fault("before version write")
        version = super().register(*args, **kwargs)
        self._fault("after version write")
        return version

    def move_alias(self, *args, **kwargs):
        self._fault("before alias move")
        revision = super().move_alias(*args, **kwargs)
        self._fault("after alias move")
        return revision


class FaultyStore:
    """The stack's object store, failing once right after the artifact's hash check."""

    def __init__(self, store, armed: bool) -> None:
        self.store, self.armed = store, armed

    def get_bytes(self, source, sha256=None):
        data = self.store.get_bytes(source, sha256)
        if self.armed:
            self.armed = False
            raise InjectedFault("after hash check")
        return data

    def __getattr__(self, name):
        return getattr(self.store, name)


def register_event(stack, model: str, run_id: str, body: bytes, champion_revision: int | None) -> dict:
    """What Evaluate hands Register: an exported artifact (already uploaded) that won."""
    _, contract = current_contract(model, stack.store, stack.data_bucket)
    artifact = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model}/{run_id}/model.onnx")
    stack.store.put_once(artifact, body)
    return {"run": {"model": model, "run_id": run_id, "trigger": "upload"},
            "validation": {"dataset": {"uri": f"s3://{stack.data_bucket}/incoming/{model}/d.csv", "rows": 1},
                           "contract": contract, "profile_uri": "s3://p", "report_uri": "s3://r",
                           "candidates_version": "0123456789ab"},
            "evaluation": {"artifact": {"uri": artifact.uri, "sha256": sha256_hex(body), "bytes": len(body)},
                           "best": {"trial_id": "t000", "label": "lr", "candidate": "logistic_regression",
                                    "params": {}, "score": 0.8},
                           "metric": "roc_auc", "score": 0.81, "holdout_metrics": {"accuracy": 0.8},
                           "parity": {"ok": True}, "champion_revision": champion_revision,
                           "decision": {"promote": True, "reason": "beats the champion"}}}


POINTS = ["after artifact upload", "after hash check", "before version write", "after version write",
          "before alias move", "after alias move"]


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_at_any_point_leaves_a_consistent_registry_and_a_rerun_completes(stack, model_name, point,
                                                                                  figure):
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": model_name}))
    settings = Settings(stack.data_bucket, stack.outputs["ArtifactBucketName"], stack.outputs["RegistryTableName"],
                        stack.outputs["RunsTableName"])
    healthy = Services(settings, stack.store, stack.registry, stack.runs)
    register_model(register_event(stack, model_name, "first", b"model one", None), healthy)
    event = register_event(stack, model_name, "second", b"model two", stack.registry.alias(model_name)["revision"])

    faulty = Services(settings, FaultyStore(stack.store, point == "after hash check"),
                      FaultyRegistry(stack.registry, point), stack.runs)
    if point != "after artifact upload":  # that crash happened before Register ran: the artifact is all there is
        with pytest.raises(InjectedFault):
            register_model(event, faulty)

    champion = stack.registry.alias(model_name)["version"]
    assert champion in (1, 2)
    for version in stack.registry.versions(model_name):
        artifact = version["artifact"]
        stack.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"])  # exists, and matches
    history = stack.registry.history(model_name)
    assert [entry["to_version"] for entry in history] == ([1, 2] if champion == 2 else [1])

    rerun = register_model(event, healthy)
    assert (rerun["version"], rerun["promoted"], stack.registry.alias(model_name)["version"]) == (2, True, 2)
    assert len(stack.registry.versions(model_name)) == 2
    figure(4, f"crash {point}: champion v{champion} afterwards (unchanged or fully moved), every version's artifact "
              "present with its sha256; the re-run registered v2 once and promoted it")


def test_an_alias_move_is_all_or_nothing(stack, model_name, figure):
    for run in ("a", "b"):
        stack.registry.register(model_name, run, {"artifact": {"uri": "s3://a/x", "sha256": "0" * 64}})
    stack.registry.move_alias(model_name, AliasMove(CHAMPION, 1, "t", "first"))
    # A history entry for revision 2 already exists, so the move's third write fails: the first two must not apply.
    stack.registry.client.put_item(TableName=stack.registry.table, Item={
        "model": {"S": model_name}, "sk": {"S": "HIST#champion#000002"}, "to_version": {"N": "2"}})

    with pytest.raises(RegistryConflictError):
        stack.registry.move_alias(model_name, AliasMove(CHAMPION, 2, "t", "second"))

    assert (stack.registry.alias(model_name)["version"], stack.registry.alias(model_name)["revision"]) == (1, 1)
    figure(4, "an alias move whose history write fails: alias and history unchanged (one transaction)")
