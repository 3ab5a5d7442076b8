"""The model registry on DynamoDB: immutable versions, conditional allocation, and aliases with history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mlops_core.aws.dynamo import from_item, is_conditional_failure, to_attribute, to_item
from mlops_core.errors import NotFoundError, RegistryConflictError

CHAMPION = "champion"
ATTEMPTS = 8


def _version_key(version: int) -> str:
    return f"V#{version:06d}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class AliasMove:
    """Who moved an alias, to which version, and why."""

    alias: str
    to_version: int
    who: str
    why: str
    action: str = "promote"


class Registry:
    """Registered models, their versions and aliases, in one table keyed by (model, sk)."""

    def __init__(self, client, table: str) -> None:
        self.client, self.table = client, table

    def register(self, model: str, run_id: str, record: dict[str, Any]) -> int:
        """Allocate the next version number with conditional writes; a re-run of the same run gets its version."""
        for _ in range(ATTEMPTS):
            existing = self._get(model, f"RUN#{run_id}")
            if existing:
                return existing["version"]
            version = self.latest_version(model) + 1
            item = {"model": model, "sk": _version_key(version), "version": version, "run_id": run_id,
                    "created_at": now_iso(), **record}
            try:
                self.client.transact_write_items(TransactItems=[
                    self._put_new(item),
                    self._put_new({"model": model, "sk": f"RUN#{run_id}", "version": version}),
                ])
                return version
            except Exception as error:
                if not is_conditional_failure(error):
                    raise
        raise RegistryConflictError(f"could not allocate a version of {model} after {ATTEMPTS} attempts")

    def latest_version(self, model: str) -> int:
        items = self.client.query(
            TableName=self.table, KeyConditionExpression="model = :m AND begins_with(sk, :v)",
            ExpressionAttributeValues={":m": {"S": model}, ":v": {"S": "V#"}},
            ScanIndexForward=False, Limit=1, ConsistentRead=True)["Items"]
        return from_item(items[0])["version"] if items else 0

    def get_version(self, model: str, version: int) -> dict[str, Any]:
        item = self._get(model, _version_key(version))
        if not item:
            raise NotFoundError(f"model {model} has no version {version}")
        return item

    def versions(self, model: str) -> list[dict[str, Any]]:
        return self._query(model, "V#")

    def models(self) -> list[str]:
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table, ProjectionExpression="model, sk")
        return sorted({item["model"]["S"] for page in pages for item in page["Items"]
                       if item["sk"]["S"].startswith("V#")})

    def alias(self, model: str, alias: str = CHAMPION) -> dict[str, Any] | None:
        return self._get(model, f"ALIAS#{alias}")

    def history(self, model: str, alias: str = CHAMPION) -> list[dict[str, Any]]:
        return self._query(model, f"HIST#{alias}#")

    def move_alias(self, model: str, move: AliasMove, expected_revision: int | None = None) -> int:
        """Point an alias at a version; fails if another writer moved it since `expected_revision`."""
        current = self.alias(model, move.alias)
        revision = current["revision"] if current else 0
        if expected_revision is not None and expected_revision != revision:
            raise RegistryConflictError(f"alias {move.alias} of {model} moved (revision {revision})")
        condition = ({"ConditionExpression": "attribute_not_exists(sk)"} if current is None else
                     {"ConditionExpression": "revision = :r",
                      "ExpressionAttributeValues": {":r": to_attribute(revision)}})
        when = now_iso()
        alias_item = {"model": model, "sk": f"ALIAS#{move.alias}", "version": move.to_version,
                      "revision": revision + 1, "updated_at": when, "updated_by": move.who, "reason": move.why}
        history_item = {"model": model, "sk": f"HIST#{move.alias}#{revision + 1:06d}", "alias": move.alias,
                        "from_version": current["version"] if current else None, "to_version": move.to_version,
                        "action": move.action, "who": move.who, "why": move.why, "when": when}
        try:
            self.client.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": self.table, "ConditionExpression": "attribute_exists(sk)",
                                    "Key": to_item({"model": model, "sk": _version_key(move.to_version)})}},
                {"Put": {"TableName": self.table, "Item": to_item(alias_item), **condition}},
                self._put_new(history_item),
            ])
        except Exception as error:
            if is_conditional_failure(error):
                self.get_version(model, move.to_version)
                raise RegistryConflictError(f"alias {move.alias} of {model} moved during the update") from error
            raise
        return revision + 1

    def rollback_target(self, model: str, alias: str = CHAMPION) -> int:
        """The version the alias held before its current version was promoted."""
        current = self.alias(model, alias)
        if not current:
            raise NotFoundError(f"model {model} has no {alias}")
        for entry in reversed(self.history(model, alias)):
            if entry["to_version"] == current["version"] and entry["action"] != "rollback":
                if entry.get("from_version") is None:
                    break
                return entry["from_version"]
        raise NotFoundError(f"{alias} v{current['version']} of {model} has no earlier version to roll back to")

    def _put_new(self, item: dict[str, Any]) -> dict:
        return {"Put": {"TableName": self.table, "Item": to_item(item),
                        "ConditionExpression": "attribute_not_exists(sk)"}}

    def _get(self, model: str, sk: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table, Key=to_item({"model": model, "sk": sk}),
                                    ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def _query(self, model: str, prefix: str) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression="model = :m AND begins_with(sk, :p)",
            ExpressionAttributeValues={":m": {"S": model}, ":p": {"S": prefix}}, ConsistentRead=True)
        return [from_item(item) for page in pages for item in page["Items"]]
