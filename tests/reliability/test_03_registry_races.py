"""Property 3: registry writes under scripted interleavings (moto is not thread-safe: the races are scripted).

Each writer, after its first read, lets the next writer run to completion first: every writer has read before any
has written, the worst interleaving for a read-then-write protocol.
"""

from mlops_core.aws.registry import CHAMPION, AliasMove, Registry
from mlops_core.errors import RegistryConflictError

WRITERS = 5


class ReadThenYield:
    """A DynamoDB client that runs `then` once, right after the first call of `method`."""

    def __init__(self, client, method: str, then):
        self._client, self._method, self._then = client, method, then

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name != self._method:
            return attribute

        def call(**kwargs):
            result = attribute(**kwargs)
            if self._then:
                then, self._then = self._then, None
                then()
            return result

        return call


def chain(stack, method: str, actions: list) -> list:
    """Run actions[0]; each one yields, after its first `method` call, to the rest of the chain. Returns outcomes."""
    outcomes: list = [None] * len(actions)

    def run(i: int) -> None:
        if i == len(actions):
            return
        registry = Registry(ReadThenYield(stack.registry.client, method, lambda: run(i + 1)), stack.registry.table)
        try:
            outcomes[i] = actions[i](registry)
        except Exception as error:  # the test asserts which errors the losers got
            outcomes[i] = error

    run(0)
    return outcomes


def test_writers_that_all_read_before_any_writes_get_unique_gap_free_versions(stack, model_name, figure):
    versions = chain(stack, "query", [lambda registry, i=i: registry.register(model_name, f"run-{i}", {})
                                      for i in range(WRITERS)])
    assert not [v for v in versions if isinstance(v, Exception)], versions

    stored = stack.registry.versions(model_name)
    assert sorted(versions) == list(range(1, WRITERS + 1))
    assert sorted(v["version"] for v in stored) == list(range(1, WRITERS + 1))
    assert {v["run_id"] for v in stored} == {f"run-{i}" for i in range(WRITERS)}
    figure(3, f"{WRITERS} writers, all reading before any writes: versions {sorted(versions)}, "
              "0 duplicate versions, 0 lost registrations")


def test_of_concurrent_promotions_from_one_revision_exactly_one_wins(stack, model_name, figure):
    for i in range(WRITERS + 1):
        stack.registry.register(model_name, f"run-{i}", {})
    stack.registry.move_alias(model_name, AliasMove(CHAMPION, 1, "test", "first"))

    outcomes = chain(stack, "get_item", [
        lambda registry, v=v: registry.move_alias(model_name, AliasMove(CHAMPION, v, "test", "race"),
                                                  expected_revision=1) for v in range(2, WRITERS + 2)])

    won = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, RegistryConflictError)]
    assert len(won) == 1 and len(refused) == WRITERS - 1, outcomes
    champion = stack.registry.alias(model_name)
    assert champion["revision"] == 2 and len(stack.registry.history(model_name)) == 2
    figure(3, f"{WRITERS} promotions from revision 1: {len(won)} won (v{champion['version']}), "
              f"{len(refused)} refused with RegistryConflictError")


def test_a_registration_retried_after_a_lost_response_keeps_its_version(stack, model_name, figure):
    first = stack.registry.register(model_name, "run-a", {})
    retried = [stack.registry.register(model_name, "run-a", {}) for _ in range(3)]

    versions = stack.registry.versions(model_name)
    assert retried == [first] * 3 and len(versions) == 1
    figure(3, f"a run registered {1 + len(retried)} times: {len(versions)} version")

