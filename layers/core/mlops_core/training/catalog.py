"""The candidates a deployment offers, each a module of the candidates package, and the trials a contract asks of them.

A candidate module defines NAME, TASKS, DEFAULTS (every parameter it takes), SPACE (the search space, as data) and
`build(params, contract)` returning an unfitted scikit-learn Pipeline: the feature engineering and the estimator.
Only modules deployed with the stack are ever run; a contract chooses among them by name.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sklearn.pipeline import Pipeline

from mlops_core.contract import CandidateSpec, Contract, check_name
from mlops_core.errors import CandidateError, ContractError
from mlops_core.training.exportability import check_exportable
from mlops_core.training.search import SearchSpace, plan_trials
from mlops_core.training.trial import Trial

TASKS = ("classification", "regression")
MODULE_ATTRIBUTES = ("NAME", "TASKS", "DEFAULTS", "SPACE", "build")


@dataclass(frozen=True)
class Candidate:
    """One registered candidate: what it is called, the tasks it takes, its parameters and how it is built."""

    name: str
    tasks: tuple[str, ...]
    defaults: dict[str, Any]
    space: SearchSpace
    build: Callable[[dict[str, Any], Contract], Pipeline] = field(repr=False)
    summary: str = ""
    source: str = field(default="", repr=False)

    @classmethod
    def from_module(cls, module: ModuleType) -> Candidate:
        """Read a candidate module, refusing one whose declarations do not hold together."""
        where = f"candidate module {module.__name__}"
        missing = [name for name in MODULE_ATTRIBUTES if not hasattr(module, name)]
        if missing:
            raise CandidateError(f"{where}: missing {missing}; a candidate module defines NAME, TASKS, DEFAULTS, "
                                 "SPACE and build(params, contract)")
        name = check_name(module.NAME, f"{where}: NAME", CandidateError)
        if not isinstance(module.TASKS, list | tuple) or not module.TASKS or set(module.TASKS) - set(TASKS):
            raise CandidateError(f"{where}: TASKS {module.TASKS!r} must be a non-empty tuple of {list(TASKS)}")
        tasks = tuple(module.TASKS)
        if not isinstance(module.DEFAULTS, dict):
            raise CandidateError(f"{where}: DEFAULTS must be a dict of every parameter build() takes")
        for key, value in module.DEFAULTS.items():
            if not _is_json(value):
                raise CandidateError(f"{where}: DEFAULTS[{key!r}] = {value!r} is not a JSON value (numbers, strings, "
                                     "true/false, None, lists, dicts; no tuples, NaN or NumPy types): trials travel "
                                     "as JSON")
        try:
            space = SearchSpace.parse(module.SPACE, f"{name}.SPACE")
            space.check(module.DEFAULTS, f"{name}.DEFAULTS")
        except ContractError as error:
            raise CandidateError(f"{where}: {error}") from error
        unknown = sorted(set(space.dimensions) - set(module.DEFAULTS))
        if unknown:
            raise CandidateError(f"{where}: SPACE searches {unknown}, which DEFAULTS lacks; give each a default")
        summary = (inspect.getdoc(module) or "").split("\n")[0]
        return cls(name, tasks, dict(module.DEFAULTS), space, module.build, summary, inspect.getsource(module))

    def pipeline(self, params: dict[str, Any], contract: Contract) -> Pipeline:
        """The unfitted pipeline for these parameters (over the defaults), checked to export; its estimator seeded."""
        pipeline = self.build({**self.defaults, **params}, contract)
        try:
            check_exportable(pipeline)
        except CandidateError as error:
            raise CandidateError(f"candidate {self.name}: {error}") from error
        estimator = pipeline.steps[-1][1]
        if "random_state" in estimator.get_params(deep=False) and estimator.random_state is None:
            estimator.set_params(random_state=contract.seed)
        return pipeline


@dataclass(frozen=True)
class Catalog:
    """The registered candidates, the ones a contract gets when it names none (per task), and the modules that could
    not be read: each refused with its reason when asked for, so one broken module costs only the contracts naming
    it."""

    candidates: dict[str, Candidate]
    defaults: dict[str, tuple[str, ...]]
    broken: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, modules: Iterable[ModuleType], defaults: dict[str, Iterable[str]]) -> Catalog:
        found, broken = [], {}
        for module in modules:
            try:
                found.append(Candidate.from_module(module))
            except CandidateError as error:
                name = getattr(module, "NAME", None)
                broken[name if isinstance(name, str) else module.__name__.rsplit(".", 1)[-1]] = str(error)
        names = [candidate.name for candidate in found]
        if len(set(names)) != len(names):
            raise CandidateError(f"registry: candidate names must be unique, got {names}")
        catalog = cls({candidate.name: candidate for candidate in found},
                      {task: tuple(names) for task, names in defaults.items()}, broken)
        for task, names in catalog.defaults.items():
            for name in names:
                if name not in broken and task not in catalog.get(name, f"registry defaults for {task}").tasks:
                    raise CandidateError(f"registry: default candidate {name!r} does not support {task}")
        return catalog

    @property
    def code_version(self) -> str:
        """A hash of every registered candidate's source: a version records which candidate code produced it."""
        digest = hashlib.sha256()
        for name in sorted(self.candidates):
            digest.update(f"{name}\n{self.candidates[name].source}\n".encode())
        return digest.hexdigest()[:12]

    def get(self, name: str, where: str = "candidate") -> Candidate:
        if name in self.broken:
            raise CandidateError(f"{where}: candidate {name!r} is registered but broken: {self.broken[name]}")
        if name not in self.candidates:
            raise ContractError(f"{where}: unknown candidate {name!r}; registered: {sorted(self.candidates)}")
        return self.candidates[name]

    def specs(self, contract: Contract) -> tuple[CandidateSpec, ...]:
        """The contract's candidates, or the registry's defaults for its task."""
        if contract.candidates:
            return contract.candidates
        if not self.defaults.get(contract.task):
            raise ContractError(f"candidates: the registry names no default candidates for {contract.task}; name "
                                f"them in the contract (registered: {sorted(self.candidates)})")
        return tuple(CandidateSpec(name, name) for name in self.defaults[contract.task])

    def trials(self, contract: Contract) -> list[Trial]:
        """Every trial a run of this contract fits first, refusing an unknown candidate, parameter or value.

        Without a `search`, each candidate once, at its defaults and the contract's fixed parameters; with one,
        `max_trials` configurations shared over the candidates, sampled from their (narrowed) spaces, seeded."""
        spaces, fixed, candidates = {}, {}, {}
        for index, spec in enumerate(self.specs(contract)):
            where = f"candidates[{index}]"
            candidate = self.get(spec.candidate, f"{where}.candidate")
            if contract.task not in candidate.tasks:
                raise ContractError(f"{where}.candidate: {candidate.name!r} does not support {contract.task}; it "
                                    f"takes {list(candidate.tasks)}")
            unknown = sorted(set(spec.params) - set(candidate.defaults))
            if unknown:
                raise ContractError(f"{where}.params: unknown parameter {unknown[0]!r} for {candidate.name}; "
                                    f"it takes {sorted(candidate.defaults)}")
            candidate.space.check(spec.params, f"{where}.params")
            narrowed = candidate.space.narrowed(spec.space, f"{where}.space")
            clash = sorted(set(spec.params) & set(spec.space))
            if clash:
                raise ContractError(f"{where}: {clash[0]!r} is both fixed in params and searched in space; keep one")
            spaces[spec.label] = SearchSpace({k: v for k, v in narrowed.dimensions.items() if k not in spec.params})
            fixed[spec.label] = {**candidate.defaults, **spec.params}
            candidates[spec.label] = candidate.name
        if contract.search is None:
            planned = [(label, fixed[label]) for label in spaces]
        else:
            planned = [(spec.candidate, spec.params) for spec in
                       plan_trials(spaces, fixed, contract.search.max_trials, contract.seed)]
        return [Trial(f"t{index:03d}", label, candidates[label], params)
                for index, (label, params) in enumerate(planned)]

    def pipeline(self, trial: Trial, contract: Contract) -> Pipeline:
        return self.get(trial.candidate).pipeline(trial.params, contract)


def _is_json(value: Any) -> bool:
    """Whether a value survives JSON unchanged (so a trial's parameters are what its record says)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value and not _holds_tuple(value)
    except (TypeError, ValueError):
        return False


def _holds_tuple(value: Any) -> bool:
    if isinstance(value, tuple):
        return True
    if isinstance(value, list):
        return any(_holds_tuple(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_tuple(item) for item in value.values())
    return False
