"""The `storyreel` command line."""

from storyreel.apps.cli.main import app, main

__all__ = ["app", "main"]
