"""`make bench`: the project's speed and memory figures, each beside a naive baseline measured in the same run."""
