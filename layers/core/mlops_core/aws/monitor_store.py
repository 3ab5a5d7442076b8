"""The monitor's table: each model's watermark (the end of its last pass) and the passes themselves."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mlops_core.aws.dynamo import from_item, is_conditional_failure, to_item

PASS_RETENTION = timedelta(days=90)


class MonitorStore:
    """Each model's watermark (the end of its last pass) and the passes themselves, in one table keyed (model, sk)."""

    def __init__(self, client, table: str) -> None:
        self.client, self.table = client, table

    def watermark(self, model: str) -> datetime | None:
        item = self.client.get_item(TableName=self.table, Key=to_item({"model": model, "sk": "STATE"}),
                                    ConsistentRead=True).get("Item")
        return datetime.fromisoformat(from_item(item)["watermark"]) if item else None

    def record(self, model: str, window_end: datetime, doc: dict[str, Any], previous: datetime | None) -> bool:
        """Store a pass and move the watermark to its end, only if no other pass moved it first; False if one did."""
        end = window_end.isoformat()
        condition = ({"ConditionExpression": "attribute_not_exists(sk)"} if previous is None else
                     {"ConditionExpression": "watermark = :previous",
                      "ExpressionAttributeValues": to_item({":previous": previous.isoformat()})})
        expires = int((window_end + PASS_RETENTION).timestamp())
        try:
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table, "Item": to_item({"model": model, "sk": "STATE",
                                                                   "watermark": end}), **condition}},
                {"Put": {"TableName": self.table, "ConditionExpression": "attribute_not_exists(sk)",
                         "Item": to_item({**doc, "model": model, "sk": f"PASS#{end}", "expires_at": expires})}},
            ])
        except Exception as error:
            if is_conditional_failure(error):
                return False
            raise
        return True

    def passes(self, model: str, limit: int = 20) -> list[dict[str, Any]]:
        """The model's passes, newest first."""
        items = self.client.query(
            TableName=self.table, KeyConditionExpression="model = :m AND begins_with(sk, :p)",
            ExpressionAttributeValues={":m": {"S": model}, ":p": {"S": "PASS#"}}, ScanIndexForward=False,
            Limit=limit, ConsistentRead=True)["Items"]
        return [from_item(item) for item in items]
