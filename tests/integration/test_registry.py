"""The registry against DynamoDB as moto serves it, through the stack's own table."""

import pytest
from mlops_core.aws.registry import CHAMPION, AliasMove
from mlops_core.errors import NotFoundError, RegistryConflictError


def register(stack, model, run_id):
    return stack.registry.register(model, run_id, {"artifact": {"uri": f"s3://a/{run_id}", "sha256": "0" * 64}})


def promote(stack, model, version, **kwargs):
    return stack.registry.move_alias(model, AliasMove(CHAMPION, version, "test", "because"), **kwargs)


def test_versions_are_numbered_from_one_without_gaps(stack, model_name):
    versions = [register(stack, model_name, f"run-{i}") for i in range(3)]

    assert versions == [1, 2, 3]


def test_registering_the_same_run_twice_returns_its_version(stack, model_name):
    first = register(stack, model_name, "run-a")

    assert register(stack, model_name, "run-a") == first
    assert stack.registry.latest_version(model_name) == 1


class InterleavingClient:
    """Runs `interloper` right after the first version lookup: A reads, B reads and writes, A writes."""

    def __init__(self, client, interloper):
        self._client, self._interloper = client, interloper

    def query(self, **kwargs):
        result = self._client.query(**kwargs)
        if self._interloper:
            interloper, self._interloper = self._interloper, None
            interloper()
        return result

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_a_writer_that_loses_the_race_takes_the_next_version(stack, model_name):
    from mlops_core.aws.registry import Registry

    other = stack.registry
    racing = Registry(InterleavingClient(other.client, lambda: register(stack, model_name, "run-b")), other.table)

    version = racing.register(model_name, "run-a", {})

    assert version == 2
    assert [v["run_id"] for v in other.versions(model_name)] == ["run-b", "run-a"]


def test_an_alias_move_records_who_and_why(stack, model_name):
    register(stack, model_name, "run-a")

    promote(stack, model_name, 1)

    [entry] = stack.registry.history(model_name)
    assert (entry.get("from_version"), entry["to_version"], entry["who"], entry["why"]) == (None, 1, "test", "because")
    assert stack.registry.alias(model_name)["version"] == 1


def test_of_two_promotions_from_the_same_revision_only_one_wins(stack, model_name):
    for run in ("a", "b", "c"):
        register(stack, model_name, run)
    promote(stack, model_name, 1)

    promote(stack, model_name, 2, expected_revision=1)
    with pytest.raises(RegistryConflictError):
        promote(stack, model_name, 3, expected_revision=1)

    assert stack.registry.alias(model_name)["version"] == 2


def test_an_alias_cannot_point_at_a_missing_version(stack, model_name):
    register(stack, model_name, "a")

    with pytest.raises(NotFoundError):
        promote(stack, model_name, 7)
    assert stack.registry.alias(model_name) is None


def test_rollback_walks_back_through_earlier_champions_and_moves_their_alarms(stack, model_name, monkeypatch):
    from mlops_cli import operations

    synced = []
    monkeypatch.setattr(operations, "sync_alarms", lambda _, model: synced.append(model))
    for run in ("a", "b", "c"):
        promote(stack, model_name, register(stack, model_name, run))

    assert operations.rollback(stack, model_name) == 2
    assert operations.rollback(stack, model_name) == 1
    with pytest.raises(NotFoundError, match="no earlier version"):
        operations.rollback(stack, model_name)
    assert synced == [model_name, model_name]
