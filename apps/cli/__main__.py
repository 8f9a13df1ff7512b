"""`python -m storyreel.apps.cli` runs the storyreel command."""

from storyreel.apps.cli.main import main

main()
