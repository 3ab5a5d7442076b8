"""The Export step: the best trial is exported; one that cannot be, or whose graph is over the serving budget, gives
way to the next best, the reason recorded on it; when none can be, the run fails naming each."""

import json
from types import SimpleNamespace

import pytest
from mlops_candidates.registry import catalog
from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.contract import Contract
from mlops_core.data.tabular import model_frame
from mlops_core.errors import ArtifactIntegrityError, ExportFailedError
from mlops_core.pipeline.steps import export
from mlops_core.training.fitting import fit_trial
from mlops_core.training.preprocessing import tabular_features
from mlops_core.training.serialization import dump_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import SplineTransformer

from mlops_cli.samples import CHURN_CONTRACT, churn

CONTRACT = Contract.from_dict(CHURN_CONTRACT)
CONTRACT_URI = "s3://data/contracts/churn.json"


class Store:
    """Objects by URI, sha256-checked on read like the real store."""

    def __init__(self) -> None:
        self.objects = {CONTRACT_URI: CONTRACT.to_json()}

    def get_bytes(self, source: S3Object, sha256: str | None = None) -> bytes:
        data = self.objects[source.uri]
        if sha256 is not None and sha256_hex(data) != sha256:
            raise ArtifactIntegrityError(f"{source.uri} changed")
        return data

    def put_once(self, target: S3Object, body: bytes, content_type: str = "") -> str:
        self.objects[target.uri] = body
        return sha256_hex(body)


def trial(store: Store, trial_id: str, pipeline: Pipeline) -> dict:
    body = dump_pipeline(fit_trial(pipeline, model_frame(churn(400, seed=3), CONTRACT), CONTRACT).pipeline)
    uri = f"s3://artifacts/runs/churn/r1/trials/{trial_id}.skops"
    store.objects[uri] = body
    return {"trial_id": trial_id, "rung": 0, "label": trial_id, "uri": uri, "sha256": sha256_hex(body)}


@pytest.fixture
def step():
    store, updates = Store(), []
    services = SimpleNamespace(store=store, settings=SimpleNamespace(artifact_bucket="artifacts"),
                               trials=SimpleNamespace(update=lambda model, run_id, rung, trial_id, fields:
                                                      updates.append((trial_id, fields))))
    unservable = Pipeline([("features", tabular_features(CONTRACT, "linear")), ("spline", SplineTransformer()),
                           ("model", LogisticRegression())])
    trials = [trial(store, "t001", unservable),
              trial(store, "t002", catalog().get("logistic_regression").pipeline({}, CONTRACT))]
    event = {"run": {"model": "churn", "run_id": "r1"},
             "validation": {"contract": {"uri": CONTRACT_URI, "sha256": CONTRACT.sha256}},
             "selection": {"best": trials[0], "runners_up": trials[1:]}}
    return services, event, updates


def test_a_best_trial_that_cannot_be_exported_gives_way_to_the_next_best_with_its_reason_recorded(step):
    services, event, updates = step

    result = export.export_best(event, services)

    assert result["best"]["trial_id"] == "t002" and result["artifact"]["bytes"] > 0
    [skipped] = result["skipped"]
    assert skipped["trial_id"] == "t001" and skipped["reason"]
    assert updates == [("t001", {"export_error": skipped["reason"]}),
                       ("t002", {"onnx_bytes": result["artifact"]["bytes"]})]
    assert json.dumps(result)  # a state payload


def test_a_graph_over_the_serving_budget_is_not_exported_and_when_none_can_be_the_run_fails_naming_each(step,
                                                                                                      monkeypatch):
    services, event, _ = step
    monkeypatch.setattr(export, "MAX_ONNX_BYTES", 1024)

    with pytest.raises(ExportFailedError) as failed:
        export.export_best(event, services)

    assert "t001 t001 (" in str(failed.value)
    assert "t002 t002 (CandidateError: its ONNX graph is" in str(failed.value) and "serving budget" in str(failed.value)
