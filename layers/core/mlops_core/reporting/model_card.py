"""A registered version's model card, with the field names of SageMaker's model card content schema."""

from __future__ import annotations

from typing import Any


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
            "objective_function": {"function": {"function": _direction(report), "facet": contract["metric"]}},
            "training_job_details": {
                "training_datasets": [provenance["data_uri"]],
                "training_metrics": [{"name": f"validation_{contract['metric']}",
                                      "value": version.get("metrics", {}).get(f"validation_{contract['metric']}")}],
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


def _direction(report: dict[str, Any]) -> str:
    metric = report.get("comparison") or {}
    return "Maximize" if metric.get("greater_is_better", True) else "Minimize"


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
