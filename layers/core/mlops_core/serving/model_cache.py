"""The model an alias points at, loaded after its sha256 is checked, cached per version, the alias re-read every N s."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlops_core.aws.contract_store import contract_at
from mlops_core.aws.objects import ObjectStore, S3Object
from mlops_core.aws.registry import CHAMPION, Registry
from mlops_core.contract import check_name
from mlops_core.errors import ModelUnavailableError, NotFoundError, RequestError
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.serving.request_schema import RequestSchema

CHALLENGER = "challenger"
MAX_MODELS = 8
MAX_ALIASES = 256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServedModel:
    """One registered version, ready to score: the ONNX session, its request schema and its registry record."""

    name: str
    version: int
    record: dict[str, Any]
    model: OnnxModel
    schema: RequestSchema


@dataclass
class AliasState:
    """What an alias pointed at when last read, and a version that was refused since."""

    version: int | None
    checked_at: float
    refused: dict[str, Any] | None = None


@dataclass
class ModelCache:
    """Loads what aliases point at; a version that fails its checks is refused and the previous one keeps serving."""

    registry: Registry
    store: ObjectStore
    refresh_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _models: OrderedDict[tuple[str, int], ServedModel] = field(default_factory=OrderedDict)
    _aliases: OrderedDict[tuple[str, str], AliasState] = field(default_factory=OrderedDict)

    def resolve(self, name: str, alias: str = CHAMPION) -> ServedModel:
        """The version `alias` of `name` points at, as of at most `refresh_seconds` ago."""
        check_name(name, "name", RequestError)
        state = self._aliases.get((name, alias))
        now = self.clock()
        evicted = state is not None and state.version is not None and (name, state.version) not in self._models
        if state is None or evicted or now - state.checked_at >= self.refresh_seconds:
            state = self._refresh(name, alias, state, now)
        self._aliases.move_to_end((name, alias))
        if state.version is None:
            if state.refused:
                refused = state.refused["version"]
                raise ModelUnavailableError(f"model {name}: {alias}{f' v{refused}' if refused else ''} cannot be "
                                            f"served: {state.refused['error']}")
            raise NotFoundError(f"model {name!r} has no {alias}")
        self._models.move_to_end((name, state.version))
        return self._models[(name, state.version)]

    def state(self, name: str, alias: str = CHAMPION) -> AliasState | None:
        return self._aliases.get((name, alias))

    def loaded(self) -> list[str]:
        return [f"{name} v{version}" for name, version in self._models]

    def _refresh(self, name: str, alias: str, state: AliasState | None, now: float) -> AliasState:
        serving = state.version if state and (name, state.version) in self._models else None
        try:
            item = self.registry.alias(name, alias)
        except Exception as error:  # the registry is unreachable: keep serving what is loaded, else try again later
            log.warning("cannot re-read %s of %s, serving %s: %s", alias, name,
                        f"v{serving}" if serving else "nothing", error)
            refused = state.refused if serving else _refusal(None, error, "cannot read the registry: ")
            return self._remember(name, alias, AliasState(serving, now, refused))
        target = item["version"] if item else None
        refused = None
        if target is not None and (name, target) not in self._models:
            try:
                self._load(name, target)
            except MemoryError:
                raise
            except Exception as error:  # S3, the registry or ONNX Runtime: whatever fails, the version is refused
                log.error("refusing %s v%s of %s, still serving %s: %s", alias, target, name,
                          f"v{serving}" if serving else "nothing", error)
                refused = _refusal(target, error)
                target = serving
        return self._remember(name, alias, AliasState(target, now, refused))

    def _remember(self, name: str, alias: str, state: AliasState) -> AliasState:
        self._aliases[(name, alias)] = state
        while len(self._aliases) > MAX_ALIASES:
            self._aliases.popitem(last=False)
        return state

    def _load(self, name: str, version: int) -> None:
        record = self.registry.get_version(name, version)
        artifact = record["artifact"]
        model = OnnxModel.load(self.store.get_bytes(S3Object.parse(artifact["uri"]), artifact["sha256"]))
        contract = contract_at(record["contract"], self.store)
        self._models[(name, version)] = ServedModel(name, version, record, model, RequestSchema(contract, model.inputs))
        while len(self._models) > MAX_MODELS:
            self._models.popitem(last=False)


def _refusal(version: int | None, error: Exception, context: str = "") -> dict[str, Any]:
    return {"version": version, "error": f"{context}{error}", "error_type": type(error).__name__}
