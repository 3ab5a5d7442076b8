"""Hyperparameter search: search spaces as JSON, the configurations tried from them, and a run's trial plan."""

from __future__ import annotations

import itertools
import math
import numbers
import random
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mlops_core.errors import ContractError

MAX_TRIALS_CAP = 200
DEFAULT_MAX_TRIALS = 8
# An integer range up to this many values is small enough to search exhaustively.
MAX_GRID_INTEGERS = 16
FORMS = '[v1, v2, ...], {"int": [low, high]}, {"float": [low, high]} or {"log": [low, high]}'
_BELOW_ONE = math.nextafter(1.0, 0.0)
# Halton digits scrambled in each base: enough to stratify a million points.
_SCRAMBLED_BITS = 20


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _is_number(value)


def _key(value: Any) -> tuple:
    """Equal for values JSON cannot tell apart (1 and 1.0), different for true and 1, which Python calls equal."""
    return (type(value) is bool, value)


@dataclass(frozen=True)
class Choice:
    """One of a few listed values."""

    values: tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise ContractError("a choice needs at least one value, got []")
        for value in self.values:
            if not _is_scalar(value):
                raise ContractError(f"choice values must be strings, finite numbers, true/false or null, "
                                    f"got {value!r}")
        keys = [_key(value) for value in self.values]
        repeated = [value for value, key in zip(self.values, keys, strict=True) if keys.count(key) > 1]
        if repeated:
            raise ContractError(f"choice values must be unique, {repeated[0]!r} is repeated")

    def contains(self, value: Any) -> bool:
        return _is_scalar(value) and _key(value) in {_key(own) for own in self.values}

    def to_data(self) -> list:
        return list(self.values)

    def grid(self) -> tuple:
        return self.values

    def at(self, u: float) -> Any:
        return self.values[min(int(u * len(self.values)), len(self.values) - 1)]

    def within(self, other: Dimension) -> bool:
        return all(other.contains(value) for value in self.values)


@dataclass(frozen=True)
class IntRange:
    """An integer from low to high, both included."""

    low: int
    high: int

    def __post_init__(self) -> None:
        for bound in (self.low, self.high):
            if not _is_integer(bound):
                raise ContractError(f"integer range bounds must be integers, got {bound!r}")
        object.__setattr__(self, "low", int(self.low))
        object.__setattr__(self, "high", int(self.high))
        if self.low > self.high:
            raise ContractError(f"integer range needs low <= high, got [{self.low}, {self.high}]")

    def contains(self, value: Any) -> bool:
        return _is_integer(value) and self.low <= value <= self.high

    def to_data(self) -> dict:
        return {"int": [self.low, self.high]}

    def grid(self) -> tuple | None:
        return tuple(range(self.low, self.high + 1)) if self.high - self.low + 1 <= MAX_GRID_INTEGERS else None

    def at(self, u: float) -> int:
        return min(self.low + int(u * (self.high - self.low + 1)), self.high)

    def within(self, other: Dimension) -> bool:
        if isinstance(other, IntRange):
            return other.low <= self.low and self.high <= other.high
        if isinstance(other, Choice):
            return (self.high - self.low < len(other.values)
                    and all(other.contains(value) for value in range(self.low, self.high + 1)))
        return other.contains(self.low) and other.contains(self.high)


def _check_real_bounds(low: Any, high: Any, kind: str) -> None:
    for bound in (low, high):
        if not _is_number(bound):
            raise ContractError(f"{kind} range bounds must be finite numbers, got {bound!r}")
    if not low < high:
        raise ContractError(f"{kind} range needs low < high, got [{low}, {high}]")


@dataclass(frozen=True)
class FloatRange:
    """A number drawn uniformly from low to high."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _check_real_bounds(self.low, self.high, "float")
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))

    def contains(self, value: Any) -> bool:
        return _is_number(value) and self.low <= value <= self.high

    def to_data(self) -> dict:
        return {"float": [self.low, self.high]}

    def grid(self) -> None:
        return None

    def at(self, u: float) -> float:
        return min(max(self.low + u * (self.high - self.low), self.low), self.high)

    def within(self, other: Dimension) -> bool:
        return isinstance(other, FloatRange | LogUniform) and other.low <= self.low and self.high <= other.high


@dataclass(frozen=True)
class LogUniform:
    """A positive number whose logarithm is drawn uniformly: each decade from low to high equally often."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _check_real_bounds(self.low, self.high, "log")
        if self.low <= 0:
            raise ContractError(f"log range needs 0 < low, got {self.low!r}")
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))

    def contains(self, value: Any) -> bool:
        return _is_number(value) and self.low <= value <= self.high

    def to_data(self) -> dict:
        return {"log": [self.low, self.high]}

    def grid(self) -> None:
        return None

    def at(self, u: float) -> float:
        # exp(log(low)) need not be low to the last bit: clamped so the value stays in its own range.
        value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return min(max(value, self.low), self.high)

    def within(self, other: Dimension) -> bool:
        return isinstance(other, FloatRange | LogUniform) and other.low <= self.low and self.high <= other.high


Dimension = Choice | IntRange | FloatRange | LogUniform
RANGES = {"int": IntRange, "float": FloatRange, "log": LogUniform}


def parse_dimension(data: Any, where: str) -> Dimension:
    """The dimension a JSON value describes; a ContractError naming `where` and the value otherwise."""
    try:
        if isinstance(data, list):
            return Choice(tuple(data))
        if isinstance(data, dict) and len(data) == 1:
            (form, bounds), = data.items()
            if form in RANGES and isinstance(bounds, list) and len(bounds) == 2:
                return RANGES[form](*bounds)
    except ContractError as error:
        raise ContractError(f"{where}: {error}") from None
    raise ContractError(f"{where}: expected {FORMS}, got {data!r}")


@dataclass(frozen=True)
class SearchSpace:
    """Named dimensions, in the order they were given; `dimensions` is a read-only mapping, so the space hashes."""

    dimensions: Mapping[str, Dimension]

    def __post_init__(self) -> None:
        object.__setattr__(self, "dimensions", MappingProxyType(dict(self.dimensions)))

    def __hash__(self) -> int:
        return hash(tuple(self.dimensions.items()))

    @classmethod
    def parse(cls, data: Any, where: str) -> SearchSpace:
        """A space from its JSON object of parameter name to dimension."""
        if not isinstance(data, dict):
            raise ContractError(f"{where}: expected an object of parameter name to {FORMS}, got {data!r}")
        for name in data:
            if not isinstance(name, str) or not name:
                raise ContractError(f"{where}: parameter names must be non-empty strings, got {name!r}")
        return cls({name: parse_dimension(value, f"{where}.{name}") for name, value in data.items()})

    def to_data(self) -> dict:
        return {name: dimension.to_data() for name, dimension in self.dimensions.items()}

    def narrowed(self, data: Any, where: str) -> SearchSpace:
        """This space with some dimensions replaced by narrower ones; the others stay as they are."""
        narrower = SearchSpace.parse(data, where)
        for name, dimension in narrower.dimensions.items():
            if name not in self.dimensions:
                raise ContractError(f"unknown parameter {name!r} for {where}; known: {list(self.dimensions)}")
            own = self.dimensions[name]
            if not dimension.within(own):
                raise ContractError(f"{where}.{name}: {dimension.to_data()!r} is not within the allowed "
                                    f"{own.to_data()!r}")
        return SearchSpace({**self.dimensions, **narrower.dimensions})

    def check(self, params: Mapping[str, Any], where: str) -> None:
        """Each fixed value whose name is in the space lies inside its dimension; other names are not looked at."""
        for name, value in params.items():
            dimension = self.dimensions.get(name)
            if dimension is not None and not dimension.contains(value):
                raise ContractError(f"{where}.{name}: {value!r} is outside its search space {dimension.to_data()!r}")

    def grid_size(self) -> int | None:
        """How many configurations the full grid holds; None when a dimension is continuous or a large range."""
        size = 1
        for dimension in self.dimensions.values():
            grid = dimension.grid()
            if grid is None:
                return None
            size *= len(grid)
        return size

    def configurations(self, n: int, seed: int) -> list[dict]:
        """Up to n distinct configurations, the same for the same space, n and seed: the whole grid (shuffled)
        when it holds at most n, otherwise the first points of a scrambled Halton sequence."""
        if not _is_integer(n) or n < 0:
            raise ContractError(f"configurations: n must be a non-negative integer, got {n!r}")
        names = list(self.dimensions)
        dimensions = list(self.dimensions.values())
        size = self.grid_size()
        if size is not None and size <= n:
            grid = [dict(zip(names, values, strict=True))
                    for values in itertools.product(*(dimension.grid() for dimension in dimensions))]
            random.Random(seed).shuffle(grid)
            return grid
        chosen: list[dict] = []
        seen: set[tuple] = set()
        # Small discrete spaces repeat points; later points fill in, and the bound ends a space with fewer than n.
        for point in itertools.islice(_scrambled_halton(len(dimensions), seed), 10 * n + 100):
            if len(chosen) == n:
                break
            values = [dimension.at(u) for dimension, u in zip(dimensions, point, strict=True)]
            key = tuple(_key(value) for value in values)
            if key not in seen:
                seen.add(key)
                chosen.append(dict(zip(names, values, strict=True)))
        return chosen


def _primes(count: int) -> list[int]:
    primes: list[int] = []
    candidate = 2
    while len(primes) < count:
        if all(candidate % prime for prime in primes):
            primes.append(candidate)
        candidate += 1
    return primes


def _scrambled_halton(dimensions: int, seed: int) -> Iterator[list[float]]:
    """Halton points in [0, 1)^dimensions under Owen's nested scrambling.

    Each digit goes through a random permutation drawn for the digits before it, so every base keeps its
    stratification (the low discrepancy) while the larger bases lose plain Halton's correlation (bases 17 and 19
    put the first points on a line), and points lose shared lower digits (base 2 maps a log range to 0.07, 0.7,
    0.007: one mantissa). Permutations are drawn lazily, image by image, in the sequence's fixed order."""
    rng = random.Random(seed)
    bases = _primes(dimensions)
    depths = [math.ceil(_SCRAMBLED_BITS / math.log2(base)) for base in bases]
    permutations: list[dict[tuple[int, int], dict[int, int]]] = [{} for _ in bases]
    for index in itertools.count():
        point = []
        for base, depth, nodes in zip(bases, depths, permutations, strict=True):
            u, scale, width = 0.0, 1.0, 1
            for level in range(depth):
                images = nodes.setdefault((level, index % width), {})  # keyed by the index's lower digits
                digit = index // width % base
                if not images:
                    images[digit] = rng.randrange(base)
                elif digit not in images:
                    free = sorted(set(range(base)) - set(images.values()))
                    images[digit] = free[rng.randrange(len(free))]
                scale /= base
                u += images[digit] * scale
                width *= base
            # Past the scrambled digits each point has a cell of its own: a uniform place in it.
            point.append(min(u + rng.random() * scale, _BELOW_ONE))
        yield point


@dataclass(frozen=True)
class TrialSpec:
    """One configuration of one candidate to fit; `trial_id` is S3-key-safe and unique within a run."""

    trial_id: str
    candidate: str
    params: dict


def share_trials(max_trials: int, sizes: Mapping[str, int | None]) -> dict[str, int]:
    """A trial budget split evenly over candidates, none given more than its grid holds (None: no limit), what a
    small grid leaves going to the others; when the budget is below the candidate count the first ones get one."""
    for name, size in sizes.items():
        if size is not None and (not _is_integer(size) or size < 0):
            raise ContractError(f"share_trials: size of {name!r} must be a non-negative integer or None, got {size!r}")
    shares = dict.fromkeys(sizes, 0)
    remaining = max(max_trials, 0)
    open_names = [name for name, size in sizes.items() if size is None or size > 0]
    while open_names and remaining:
        even = remaining // len(open_names)
        full = [name for name in open_names if sizes[name] is not None and sizes[name] <= even]
        if not full:
            for position, name in enumerate(open_names):
                shares[name] = even + (position < remaining % len(open_names))
            break
        for name in full:
            shares[name] = sizes[name]
            remaining -= sizes[name]
        open_names = [name for name in open_names if name not in full]
    return shares


def plan_trials(spaces: Mapping[str, SearchSpace], fixed: Mapping[str, Mapping[str, Any]], max_trials: int,
                seed: int) -> list[TrialSpec]:
    """Every trial of a run: each candidate's share of the budget as configurations of its space, sampled values
    over its fixed params, numbered t000, t001, ... over all candidates in order."""
    if not _is_integer(max_trials) or not 1 <= max_trials <= MAX_TRIALS_CAP:
        raise ContractError(f"max_trials: must be an integer from 1 to {MAX_TRIALS_CAP}, got {max_trials!r}")
    shares = share_trials(max_trials, {name: space.grid_size() for name, space in spaces.items()})
    trials: list[TrialSpec] = []
    for name, space in spaces.items():
        # crc32, unlike hash(), is the same in every process: the plan must not change between Lambda invocations.
        for params in space.configurations(shares[name], seed + zlib.crc32(name.encode())):
            trials.append(TrialSpec(f"t{len(trials):03d}", name, {**fixed.get(name, {}), **params}))
    return trials
