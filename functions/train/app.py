"""Train step: fit and record one trial (one iteration of the Train trials map)."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from mlops_candidates.registry import catalog
from mlops_core.pipeline.services import Services
from mlops_core.pipeline.steps.train import train_trial

logger = Logger()
tracer = Tracer()
services = Services.from_env()
candidates = catalog()


@logger.inject_lambda_context(correlation_id_path="run.run_id")
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    # Not a run step: the trial store, not the run record, holds each of up to hundreds of trials.
    logger.append_keys(trial=event["trial"]["trial_id"])
    with services.reported(f"train:{event['trial']['trial_id']}"):
        return train_trial(event, services, candidates)
