"""digestsite: turn run-together news digests into a browsable static website."""

__version__ = "0.1.0"
