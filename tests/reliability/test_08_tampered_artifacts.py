"""Property 8: a tampered artifact (one byte flipped) is refused before anything deserialises it."""

import random

import pytest
from mlops_core.aws.objects import S3Object, sha256_hex
from mlops_core.aws.registry import CHAMPION, AliasMove
from mlops_core.errors import ArtifactIntegrityError, ModelUnavailableError
from mlops_core.serving.model_cache import ModelCache

FLIPS = 50


def test_every_single_byte_flip_is_refused_before_the_bytes_are_returned(stack, model_name, figure):
    original = random.Random(1).randbytes(4096)
    target = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model_name}/run/model.onnx")
    digest = sha256_hex(original)
    positions = random.Random(2).sample(range(len(original)), FLIPS)
    outcomes = []
    for i, position in enumerate(positions):
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        copy = S3Object(target.bucket, f"{target.key}.{i}")
        stack.store.client.put_object(Bucket=copy.bucket, Key=copy.key, Body=bytes(tampered))
        try:
            outcomes.append(stack.store.get_bytes(copy, digest))
        except ArtifactIntegrityError:
            outcomes.append("refused")
    refused = outcomes.count("refused")
    assert refused == FLIPS, [i for i, outcome in enumerate(outcomes) if outcome != "refused"]
    figure(8, f"{refused}/{FLIPS} single-bit flips at random positions refused by the sha256 check")


def test_the_serving_cache_never_hands_tampered_bytes_to_onnx_runtime(stack, model_name, figure, monkeypatch):
    from mlops_core.serving import model_cache

    body = b"not even an onnx model"
    target = S3Object(stack.outputs["ArtifactBucketName"], f"models/{model_name}/run/model.onnx")
    stack.store.client.put_object(Bucket=target.bucket, Key=target.key, Body=body[:-1] + b"?")
    stack.registry.register(model_name, "run", {"artifact": {"uri": target.uri, "sha256": sha256_hex(body)}})
    stack.registry.move_alias(model_name, AliasMove(CHAMPION, 1, "test", "tampered"))
    loaded = []
    monkeypatch.setattr(model_cache.OnnxModel, "load", lambda data: loaded.append(data))

    with pytest.raises(ModelUnavailableError):
        ModelCache(stack.registry, stack.store, refresh_seconds=0).resolve(model_name)
    assert loaded == []
    figure(8, "a champion whose artifact was altered: refused by the model cache, ONNX Runtime called 0 times")
