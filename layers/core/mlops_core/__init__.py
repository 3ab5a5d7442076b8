"""Domain package of serverless-mlops: contracts, validation, training, evaluation, registry and runs."""

__version__ = "0.1.0"
