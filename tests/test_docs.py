"""Every CLI command has help text and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer

from storyreel.apps.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _commands(group: object, prefix: str = "") -> list[tuple[str, object]]:
    """Every command under `group` with its full path ("shot add")."""
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        found.append((path, command))
        if hasattr(command, "commands"):
            found.extend(_commands(command, path + " "))
    return found


def test_every_command_has_help_and_readme_docs() -> None:
    root = typer.main.get_command(app)
    commands = _commands(root)
    assert len(commands) >= 20
    for path, command in commands:
        assert (command.help or "").strip(), f"storyreel {path} has no help text"
        assert f"storyreel {path}" in README, f"README does not document: storyreel {path}"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"storyreel {path} {param.opts} has no help"
