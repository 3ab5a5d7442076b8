"""Data contracts in the data bucket: contracts/<model>.json, every S3 version kept, each use pinned by sha256."""

from __future__ import annotations

from typing import Any

from mlops_core.aws.objects import ObjectStore, S3Object
from mlops_core.contract import Contract
from mlops_core.errors import ContractError, NotFoundError


def contract_location(bucket: str, model: str) -> S3Object:
    return S3Object(bucket, f"contracts/{model}.json")


def put_contract(store: ObjectStore, bucket: str, contract: Contract) -> str | None:
    """Store a contract as a new version of contracts/<model>.json; returns the S3 version id."""
    return store.put(contract_location(bucket, contract.model), contract.to_json(), "application/json")


def contract_at(ref: dict[str, Any], store: ObjectStore) -> Contract:
    """The exact contract version a run was validated against (its S3 version, checked by sha256)."""
    contract = Contract.from_json(store.get_bytes(S3Object.parse(ref["uri"], ref.get("version_id"))))
    if contract.sha256 != ref["sha256"]:
        raise ContractError(f"contract {ref['uri']} changed since it was recorded")
    return contract


def current_contract(model: str, store: ObjectStore, bucket: str) -> tuple[Contract, dict[str, Any]]:
    """The model's contract as stored now, and a reference pinning its S3 version and sha256."""
    location = contract_location(bucket, model)
    try:
        body, version_id = store.get_versioned(location)
    except NotFoundError as error:
        raise ContractError(f"no contract for model {model!r} at {location.uri}; "
                            "draft one with `mlops contract infer` and store it with `mlops contract put`") from error
    contract = Contract.from_json(body)
    if contract.model != model:
        raise ContractError(f"{location.uri} is the contract of {contract.model!r}, not {model!r}")
    return contract, {**contract.summary(), "uri": location.uri, "version_id": version_id}
