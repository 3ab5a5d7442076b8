"""A registered version's model card, with the field names of SageMaker's model card content schema."""

from __future__ import annotations

from typing import Any

from mlops_core.scoring import METRICS

# The schema's objective facets, by the contract metric each one is.
FACETS = {"accuracy": "Accuracy", "roc_auc": "AUC", "log_loss": "Loss", "mae": "MAE", "rmse": "RMSE"}


def model_card(report: dict[str, Any], contract: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    """The card of the version `report`'s run registered, from the report, the contract and the registry record."""
    provenance, metrics = report["provenance"], report["metrics"]
    evidence = {figure["id"]: figure["data"] for figure in report["figures"]}
    return {
        "model_overview": {
            "model_name": report["model"], "model_version": version["version"],
            "model_description": f"{version.get('candidate')} ({version.get('estimator')}) trained by run "
                                 f"{report['run_id']}",
            "problem_type": report["task"], "algorithm_type": version.get("estimator"),
            "model_creator": "serverless-mlops pipeline",
            "model_artifact": [version["artifact"]["uri"]],
        },
        "intended_uses": {
            "intended_uses": contract.get("intended_use") or "not stated in the data contract",
            "risk_rating": contract.get("risk_rating") or "Unknown",
        },
        "training_details": {
            "objective_function": _objective(report, contract["metric"]),
            "training_job_details": {
                "training_datasets": [provenance["data_uri"]],
                "training_metrics": [{"name": name, "value": value}
                                     for name, value in sorted(version.get("metrics", {}).items())
                                     if name.startswith("validation_") and value is not None],
                "hyper_parameters": [{"name": name, "value": str(value)}
                                     for name, value in sorted(report["params"].items())],
            },
        },
        "evaluation_details": [{
            "name": f"holdout of run {report['run_id']}",
            "datasets": [provenance["data_uri"]],
            "metric_groups": [
                {"name": "holdout", "metric_data": [{"name": name, "type": "number", "value": value}
                                                    for name, value in sorted(metrics.items())]},
                *_curves(evidence),
            ],
        }],
        "additional_information": {"custom_details": {
            "run_id": report["run_id"], "data_sha256": str(provenance["data_sha256"]),
            "contract_version": str(provenance["contract_version"]),
            "code_version": str(provenance["code_version"]), "decision": report["decision"]["reason"],
        }},
    }


def _objective(report: dict[str, Any], metric: str) -> dict[str, Any]:
    """The contract's metric as the schema's objective; a metric the schema has no facet for is named in notes."""
    direction = "Maximize" if METRICS[metric].greater_is_better else "Minimize"
    function = {"function": direction, **({"facet": FACETS[metric]} if metric in FACETS else {})}
    return {"function": function, "notes": f"{direction.lower()} {metric} on the validation split"}


def _curves(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    groups = []
    if "roc" in evidence:
        groups.append({"name": "ROC", "metric_data": [
            {"name": f"ROC ({label})", "type": "linear_graph",
             "value": [list(point) for point in zip(c["fpr"], c["tpr"], strict=True)],
             "x_axis_name": "false positive rate", "y_axis_name": "true positive rate"}
            for label, c in evidence["roc"].items()]})
    if "confusion" in evidence:
        confusion = evidence["confusion"]
        groups.append({"name": "confusion", "metric_data": [
            {"name": "confusion matrix", "type": "matrix", "value": confusion["matrix"],
             "x_axis_name": confusion["classes"], "y_axis_name": confusion["classes"]}]})
    return groups
