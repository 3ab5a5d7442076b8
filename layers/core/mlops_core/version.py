"""The package version; a model version records it with a hash of the code that trained it."""

__version__ = "0.1.0"
