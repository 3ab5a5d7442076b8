"""Validate: check the dataset against the model's contract; write the report and the drift-baseline profile; plan
the first rung of trials."""

from __future__ import annotations

from typing import Any

from mlops_core.aws.contract_store import current_contract
from mlops_core.aws.objects import S3Object
from mlops_core.aws.run_store import run_prefix
from mlops_core.data.tabular import dataset_format
from mlops_core.data.validation import validate
from mlops_core.errors import ContractViolationError
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.trials import write_rung
from mlops_core.training.catalog import Catalog


def validate_dataset(event: dict[str, Any], services: Services, catalog: Catalog) -> dict[str, Any]:
    run = event["run"]
    contract, contract_ref = current_contract(run["model"], services.store, services.settings.data_bucket)
    # Before the data is read: a contract the deployed candidates refuse fails here, naming what it asked for.
    trials = catalog.trials(contract)
    dataset = S3Object.parse(run["dataset"]["uri"], run["dataset"]["version_id"])
    path, sha256 = services.store.download(dataset)
    try:
        report, profile = validate(path, dataset_format(dataset.key), contract)
    finally:
        path.unlink()
    prefix = run_prefix(run)
    report_uri = S3Object(services.settings.artifact_bucket, f"{prefix}/validation.json")
    data = {**run["dataset"], "sha256": sha256, "rows": report.rows, "format": dataset_format(dataset.key)}
    services.store.put_json(report_uri, {**report.to_dict(), "text": report.render(), "contract": contract_ref,
                                         "dataset": data})
    if not report.passed:
        raise ContractViolationError(f"{report.render()}\nreport: {report_uri.uri}")
    profile_uri = S3Object(services.settings.artifact_bucket, f"{prefix}/profile.json")
    services.store.put_json(profile_uri, profile)
    sample_fraction = contract.search.sample_fraction if contract.search and contract.search.halving else 1.0
    return {"contract": contract_ref, "dataset": data, "report_uri": report_uri.uri,
            "profile_uri": profile_uri.uri, "candidates_version": catalog.code_version,
            "plan": write_rung(services, run, trials, 0, sample_fraction)}
