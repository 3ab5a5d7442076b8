"""The inference URL of one model as an OpenAPI 3.1 document, derived from the champion's request schema."""

from __future__ import annotations

from typing import Any

from mlops_core.serving.request_schema import MAX_REQUEST_ID, RequestSchema, column_schema

ERROR = {"type": "object", "required": ["error", "request_id"],
         "properties": {"error": {"type": "string"}, "request_id": {"type": "string"}}}


def openapi_document(name: str, version: int, schema: RequestSchema) -> dict[str, Any]:
    """Paths for predict, feedback and describe; every error answer is the JSON error object."""
    target = schema.contract.columns[schema.contract.target]
    label = {"type": "object", "required": ["request_id", "row", "label"], "additionalProperties": False,
             "properties": {"request_id": {"type": "string", "minLength": 1, "maxLength": MAX_REQUEST_ID},
                            "row": {"type": "integer", "minimum": 0, "maximum": schema.max_records - 1},
                            "label": column_schema(target)}}
    feedback = {"type": "object", "required": ["labels"], "additionalProperties": False,
                "properties": {"labels": {"type": "array", "items": label, "minItems": 1,
                                          "maxItems": schema.max_records}}}
    errors = {str(status): {"description": text, "content": {"application/json": {"schema": ERROR}}}
              for status, text in ((400, "not JSON"), (404, "no such model"), (413, "too large"),
                                   (422, "a field does not match the schema"))}
    model = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": [name]}}]

    def post(summary: str, body: dict[str, Any], status: str) -> dict[str, Any]:
        return {"post": {"summary": summary, "parameters": model,
                         "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                         "responses": {status: {"description": "done", "content": {"application/json": {
                             "schema": {"type": "object"}}}}, **errors}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": f"{name} (champion v{version})", "version": str(version)},
        "paths": {
            "/models/{name}/predict": post("Score records with the champion", schema.json_schema(), "200"),
            "/models/{name}/feedback": post("Send ground-truth labels for earlier predictions", feedback, "202"),
            "/models/{name}": {"get": {"summary": "The champion, its lineage and request schema",
                                       "parameters": model, "responses": {"200": {"description": "the champion"},
                                                                          **errors}}},
        },
    }
