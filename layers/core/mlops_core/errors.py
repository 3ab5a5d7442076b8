"""Domain errors. Their class names become Step Functions error names, so the state machine can route them."""

import json


class MlopsError(Exception):
    """Base class of every error the pipeline raises on purpose."""


class ContractError(MlopsError):
    """A data contract document is missing or malformed."""


class InvalidNameError(MlopsError):
    """A model or candidate name that is not valid in full (it would become an S3 key, a table key, an alarm)."""


class ContractViolationError(MlopsError):
    """A dataset does not satisfy its model's data contract."""


class ArtifactIntegrityError(MlopsError):
    """An artifact's bytes do not match the sha256 recorded for it."""


class ParityError(MlopsError):
    """The exported ONNX model does not reproduce the scikit-learn predictions."""


class RegistryConflictError(MlopsError):
    """A registry write lost a race and could not be retried to success."""


class NotFoundError(MlopsError):
    """A model, version or run that was asked for does not exist."""


class RequestError(MlopsError):
    """A client request the service refuses; `status` is the HTTP status to answer with."""

    status = 400


class InvalidRequestError(RequestError):
    """A well-formed request whose fields do not match the model's request schema."""

    status = 422


class RequestTooLargeError(RequestError):
    """A request body or batch over the documented maximum."""

    status = 413


class UnsupportedMediaTypeError(RequestError):
    """A request body in a media type the service does not read."""

    status = 415


class ModelUnavailableError(MlopsError):
    """No version of a model can be served right now (none loaded, and the champion cannot be loaded)."""


class ServiceError(MlopsError):
    """An AWS service call failed; the message says what was being done."""


class CandidateError(MlopsError):
    """A candidate module, or the pipeline it builds, that the pipeline cannot fit, export or serve; says why."""


class TrialsMissingError(ServiceError):
    """A rung's trials are not all recorded (a write the store lost); the run stops rather than rank a part."""


class ExportFailedError(MlopsError):
    """Neither the best trial nor its runners-up could be exported within the serving budget; names each and why."""


class AllTrialsFailedError(MlopsError):
    """No trial of a run produced a fitted model; the message names them and their errors."""


def error_message(cause: str) -> str:
    """The message of a Lambda error's cause (a JSON document), or the cause itself when it is plain text."""
    try:
        return json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        return cause
