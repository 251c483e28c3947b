"""bangfu: an open platform for targeted rural assistance."""

__version__ = "0.1.0"
