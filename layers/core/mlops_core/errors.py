"""Domain errors. Their class names become Step Functions error names, so the state machine can route them."""


class MlopsError(Exception):
    """Base class of every error the pipeline raises on purpose."""


class ContractError(MlopsError):
    """A data contract document is missing or malformed."""


class CandidateError(ContractError):
    """A candidate pipeline that cannot be exported to ONNX or loaded back; the message says what to use instead."""


class InvalidNameError(MlopsError):
    """A model or candidate name that is not valid in full (it would become an S3 key, a table key, an alarm)."""


class ContractViolationError(MlopsError):
    """A dataset does not satisfy its model's data contract."""


class ArtifactIntegrityError(MlopsError):
    """An artifact's bytes do not match the sha256 recorded for it."""


class ParityError(MlopsError):
    """The exported ONNX model does not reproduce the scikit-learn predictions."""


class AllCandidatesFailedError(MlopsError):
    """No candidate of a run produced a fitted model; the message names each and its error."""


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
