"""The baseline a user would write first: the same SDK and Powertools set-up, pandas + scikit-learn + joblib.

It reads the same registry records, loads the same fitted pipeline (joblib, from the record's `baseline` artifact),
builds a DataFrame per request and calls predict_proba. No sha256 check, no capture and no per-request metrics: it
does less than the project's handler, which keeps the comparison conservative.
"""

import io
import os

import boto3
import joblib
import pandas as pd
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
app = LambdaFunctionUrlResolver()
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")
TABLE = os.environ["REGISTRY_TABLE"]
MODELS: dict = {}


def _item(model: str, sk: str) -> dict:
    return dynamodb.get_item(TableName=TABLE, Key={"model": {"S": model}, "sk": {"S": sk}})["Item"]


def _model(name: str):
    if name not in MODELS:
        version = _item(name, "ALIAS#champion")["version"]["N"]
        record = _item(name, f"V#{int(version):06d}")
        bucket, key = record["baseline"]["M"]["uri"]["S"][5:].split("/", 1)
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        MODELS[name] = (int(version), joblib.load(io.BytesIO(body)))  # noqa: TID251 - the baseline being measured
    return MODELS[name]


@app.post("/models/<name>/predict")
def predict(name: str) -> dict:
    version, pipeline = _model(name)
    frame = pd.DataFrame(app.current_event.json_body["records"])
    probabilities = pipeline.predict_proba(frame)
    labels = pipeline.classes_[probabilities.argmax(axis=1)]
    classes = [str(c) for c in pipeline.classes_]
    return {"model": name, "version": version, "predictions": [
        {"label": str(label), "probabilities": dict(zip(classes, map(float, row), strict=True))}
        for label, row in zip(labels, probabilities, strict=True)]}


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
