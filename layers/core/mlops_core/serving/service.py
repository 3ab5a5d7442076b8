"""The inference service behind the Function URL: predict, describe, feedback; the HTTP layer only routes to it."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from mlops_core.aws.clients import api_client
from mlops_core.aws.objects import ObjectStore
from mlops_core.aws.registry import Registry
from mlops_core.config import require_env
from mlops_core.errors import NotFoundError
from mlops_core.scoring import Prediction
from mlops_core.serving.capture import CaptureBuffer, write_feedback
from mlops_core.serving.model_cache import CHALLENGER, ModelCache, ServedModel
from mlops_core.serving.openapi import openapi_document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServingSettings:
    """The inference function's environment, as the template sets it."""

    registry_table: str
    capture_bucket: str
    alias_refresh_seconds: float = 30.0
    capture_sample_rate: float = 1.0
    capture_max_records: int = 500
    capture_flush_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> ServingSettings:
        return cls(registry_table=require_env("REGISTRY_TABLE"), capture_bucket=require_env("CAPTURE_BUCKET"),
                   alias_refresh_seconds=float(os.environ.get("ALIAS_REFRESH_SECONDS", "30")),
                   capture_sample_rate=float(os.environ.get("CAPTURE_SAMPLE_RATE", "1")),
                   capture_max_records=int(os.environ.get("CAPTURE_MAX_RECORDS", "500")),
                   capture_flush_seconds=float(os.environ.get("CAPTURE_FLUSH_SECONDS", "60")))


class InferenceService:
    """Scores requests with a model's champion, shadows its challenger, captures both, and stores feedback."""

    def __init__(self, cache: ModelCache, capture: CaptureBuffer, store: ObjectStore, capture_bucket: str) -> None:
        self.cache, self.capture, self.store, self.capture_bucket = cache, capture, store, capture_bucket
        self._shadow_failed: bool | None = None  # this request's challenger: None when it had none

    @classmethod
    def from_env(cls) -> InferenceService:
        settings = ServingSettings.from_env()
        store = ObjectStore(api_client("s3"))
        registry = Registry(api_client("dynamodb"), settings.registry_table)
        cache = ModelCache(registry, store, settings.alias_refresh_seconds)
        capture = CaptureBuffer(store, settings.capture_bucket, settings.capture_sample_rate,
                                settings.capture_max_records, settings.capture_flush_seconds)
        return cls(cache, capture, store, settings.capture_bucket)

    def predict(self, name: str, doc: Any, request_id: str) -> dict[str, Any]:
        """Validate the records against the champion's schema, score them, and capture the exchange."""
        champion = self.cache.resolve(name)
        batch = champion.schema.parse_predict(doc)
        prediction = champion.model.run(batch.feed)
        answers = _answers(prediction)
        if self.capture.sampled():
            entry = {"request_id": request_id, "time": _now(), "model": name, "version": champion.version,
                     "records": batch.records, "predictions": answers}
            self.capture.add(name, entry | self._shadow(champion, batch.records))
        return {"model": name, "version": champion.version, "request_id": request_id, "predictions": answers}

    def describe(self, name: str) -> dict[str, Any]:
        """The champion's version, metrics, training data, contract and request schema."""
        champion = self.cache.resolve(name)
        record = champion.record
        state = self.cache.state(name)
        return {"model": name, "version": champion.version, "run_id": record["run_id"],
                "created_at": record["created_at"], "estimator": record.get("estimator"),
                "metrics": record.get("metrics", {}), "data": record.get("data", {}),
                "contract": record.get("contract", {}), "artifact_sha256": record["artifact"]["sha256"],
                "refused": state.refused if state else None,
                "request_schema": champion.schema.json_schema()}

    def openapi(self, name: str) -> dict[str, Any]:
        """The model's endpoints as OpenAPI 3.1, from the champion's request schema (for clients and fuzzers)."""
        champion = self.cache.resolve(name)
        return openapi_document(name, champion.version, champion.schema)

    def feedback(self, name: str, doc: Any, request_id: str) -> dict[str, Any]:
        """Store ground-truth labels for earlier requests, checked against the champion's target column."""
        champion = self.cache.resolve(name)
        labels = champion.schema.parse_feedback(doc)
        received = _now()
        uri = write_feedback(self.store, self.capture_bucket, name,
                             [asdict(label) | {"received": received, "feedback_id": request_id} for label in labels])
        return {"model": name, "accepted": len(labels), "request_id": request_id, "stored": uri}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "loaded": self.cache.loaded(), "capture_buffered": self.capture.buffered,
                "capture_dropped": self.capture.dropped}

    def serves(self, name: str) -> bool:
        """Whether `name` is a model this function has served: only those become a metric dimension."""
        state = self.cache.state(name)
        return state is not None and state.version is not None

    def request_metrics(self, path: str, status: int, milliseconds: float) -> tuple[str | None, dict[str, float]]:
        """The model a request was for (if served here) and its metrics: count, latency, client and server errors."""
        parts = path.split("/")
        name = parts[2] if len(parts) > 2 and parts[1] == "models" and self.serves(parts[2]) else None
        values = {"Requests": 1.0, "Latency": milliseconds, "ClientErrors": float(400 <= status < 500),
                  "ServerErrors": float(status >= 500)}
        if self._shadow_failed is not None:
            values["ChallengerErrors"] = float(self._shadow_failed)
        self._shadow_failed = None
        return name, values

    def after_request(self) -> None:
        self.capture.flush_if_due()

    def _shadow(self, champion: ServedModel, records: list[dict[str, Any]]) -> dict[str, Any]:
        """Score the challenger on a captured request; whatever it raises is recorded and counted, never raised."""
        started = time.perf_counter()
        try:
            challenger = self.cache.resolve(champion.name, CHALLENGER)
        except NotFoundError:  # the model has no challenger
            return {}
        except MemoryError:
            raise
        except Exception as error:  # the registry, S3, ONNX Runtime: the champion answers regardless
            state = self.cache.state(champion.name, CHALLENGER)
            refused = state.refused if state and state.refused else {"version": None}
            return self._shadow_failure(champion.name, refused["version"], error, started,
                                        refused.get("error_type", type(error).__name__))
        if challenger.version == champion.version:
            return {}
        try:
            answers = _answers(challenger.model.run(challenger.schema.parse_predict({"records": records}).feed))
        except MemoryError:
            raise
        except Exception as error:  # ONNX Runtime, or records the challenger's contract refuses
            return self._shadow_failure(champion.name, challenger.version, error, started, type(error).__name__)
        self._shadow_failed = False
        return {"challenger": {"version": challenger.version, "predictions": answers, "ms": _since(started)}}

    def _shadow_failure(self, name: str, version: int | None, error: Exception, started: float,
                        error_type: str) -> dict[str, Any]:
        """The challenger's error as captured beside the request (`error_type`: the cause, when the cache refused
        the version), logged and counted."""
        log.warning("challenger%s of %s failed; the champion answered: %s: %s",
                    f" v{version}" if version else "", name, error_type, error)
        self._shadow_failed = True
        return {"challenger": {"version": version, "error": str(error), "error_type": error_type,
                               "ms": _since(started)}}


def _answers(prediction: Prediction) -> list[dict[str, Any]]:
    if prediction.probabilities is None:
        return [{"value": float(value)} for value in prediction.values]
    return [{"label": str(label), "probabilities": dict(zip(prediction.classes, map(float, row), strict=True))}
            for label, row in zip(prediction.values, prediction.probabilities, strict=True)]


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
