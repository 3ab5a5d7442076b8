"""Fitted candidates between the train and register steps, in skops format, loaded against a type allowlist."""

from __future__ import annotations

import skops.io
from sklearn.pipeline import Pipeline

from mlops_core.errors import ArtifactIntegrityError

# skops already trusts plain containers and most scikit-learn types; these are the few more a pipeline holds.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


def dump_pipeline(pipeline: Pipeline) -> bytes:
    return skops.io.dumps(pipeline)


def load_pipeline(data: bytes) -> Pipeline:
    """Refuse any type outside scikit-learn, NumPy and SciPy before anything is constructed."""
    untrusted = skops.io.get_untrusted_types(data=data)
    refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ArtifactIntegrityError(f"candidate holds types outside the allowlist: {refused}")
    return skops.io.loads(data, trusted=untrusted)
