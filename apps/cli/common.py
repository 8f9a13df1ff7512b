"""What every CLI command shares: the project option, opening it, applying edits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer
from pydantic import ValidationError
from typer.core import TyperGroup, TyperOption

from storyreel.tools.errors import ProjectBusyError, StoryreelError, describe_validation_error
from storyreel.tools.text import without_controls

if TYPE_CHECKING:  # the story model loads when a command opens a project, not for --help
    from storyreel.tools.edits import EditModel
    from storyreel.tools.project import Project

HERE = Path(".")

PROJECT_BEFORE_COMMAND = "storyreel.project"
"""`ctx.meta` key of the -p/--project given before the command (`storyreel -p DIR show`)."""


def _given_after_command(ctx: typer.Context, name: str) -> bool:
    """Whether the option `name` of this command was typed on the command line (not taken
    from its default or the environment)."""
    source = ctx.get_parameter_source(name)
    # compared by name: the enum lives in typer's private copy of click
    return getattr(source, "name", None) == "COMMANDLINE"


def _project_folder(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    """Resolve a command's project folder: -p/--project after the command, else the one
    given before it, else STORYREEL_PROJECT, else the current folder."""
    if param.name is not None and _given_after_command(ctx, param.name):
        return value
    before = ctx.meta.get(PROJECT_BEFORE_COMMAND)
    return before if before is not None else value


ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        envvar="STORYREEL_PROJECT",
        callback=_project_folder,
        help="Project folder (default: the current folder; env STORYREEL_PROJECT). "
        "May also come before the command: storyreel -p DIR show.",
        show_default=False,
    ),
]


SessionOption = Annotated[
    str, typer.Option("--session", "-s", help="Conversation name; each is its own thread.")
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Autopilot: do not stop to ask for approval.")
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Use the built-in offline director, not an LLM.")
]
BackendOption = Annotated[
    str,
    typer.Option(
        "--backend",
        "-b",
        help="Renderer for automatic renders: previz, wan, ltx, cogvideox (storyreel backends).",
    ),
]
NoWaitOption = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="If another storyreel is rendering this story, do not wait for it: "
        "exit with code 3 at once, with nothing changed.",
    ),
]


def takes_project(command: object) -> bool:
    """Whether a command (or any command of a group) has the -p/--project option."""
    if isinstance(command, TyperGroup):
        return any(takes_project(sub) for sub in command.commands.values())
    params = getattr(command, "params", [])
    return any("--project" in getattr(param, "opts", ()) for param in params)


def remember_project_before_command(ctx: typer.Context, project: Path | None) -> None:
    """Keep the -p/--project given before the command for the command to use (a -p after
    the command wins); refuse it for a command that opens no project folder."""
    if project is None:
        return
    name = ctx.invoked_subcommand
    command = (
        ctx.command.get_command(ctx, name) if name and isinstance(ctx.command, TyperGroup) else None
    )
    if command is not None and not takes_project(command):
        raise typer.BadParameter(
            f"storyreel {name} does not take a project folder; see: storyreel {name} --help",
            ctx=ctx,
            param_hint="'-p' / '--project'",
        )
    ctx.meta[PROJECT_BEFORE_COMMAND] = project


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """`typer.echo` for text that may hold a story's words: escape sequences and control
    characters are removed (typed by anyone, they could rewrite the terminal)."""
    typer.echo(without_controls(message), err=err, nl=nl)


def _one_line_summary(help_text: str) -> str:
    """The first paragraph of a command's help on one line, for the list of commands (the
    rich help would keep the docstring's line breaks there)."""
    return " ".join(help_text.strip().split("\n\n")[0].split())


class FriendlyGroup(TyperGroup):
    """A command group that turns storyreel errors into one readable line and exit code 1.

    Its help lists each command with the first paragraph of its help reflowed (rich help
    would keep the docstring's line breaks); a subclass that sets `panels` (heading ->
    command names) lists the commands under those headings, in that order.
    """

    panels: ClassVar[Mapping[str, Sequence[str]]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        panel_of = {name: panel for panel, names in self.panels.items() for name in names}
        for name, command in self.commands.items():
            if command.short_help is None and command.help:
                command.short_help = _one_line_summary(command.help)
            if name in panel_of:
                command.rich_help_panel = panel_of[name]

    def list_commands(self, ctx: typer.Context) -> list[str]:
        """Command names in the order of `panels`; the others after them, as added."""
        order = [name for names in self.panels.values() for name in names]
        rank = {name: index for index, name in enumerate(order)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(order)))

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except ProjectBusyError as error:  # --no-wait and another storyreel renders
            echo(f"error: {error}", err=True)
            raise typer.Exit(ProjectBusyError.EXIT_CODE) from None
        except StoryreelError as error:
            echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        except ValidationError as error:
            echo(f"error: {describe_validation_error(error)}", err=True)
            raise typer.Exit(1) from None


def _hide_flag_types() -> None:
    """Show flags without a value type in the rich help (`--json`, not `--json <bool>`).

    typer 0.29's rich help prints a type after every option, flags included, although a
    flag takes no value; its plain help already leaves it out (`not is_flag and not count`).
    This applies the same rule to the rich help, once per process.
    """
    shown = TyperOption.display_type_rich
    if getattr(shown, "storyreel_hides_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: typer.Context) -> str | None:
        if self.is_flag and not self.count:
            return None
        return shown(self, ctx)

    display_type_rich.storyreel_hides_flags = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()


def new_group(help_text: str) -> typer.Typer:
    """A sub-command group with storyreel's error handling."""
    return typer.Typer(
        cls=FriendlyGroup,
        help=help_text,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        add_completion=False,
    )


@contextmanager
def opened(project_dir: Path) -> Iterator[Project]:
    """Open the project folder for one command and close it afterwards."""
    from storyreel.tools.project import Project

    project = Project.open(project_dir)
    try:
        yield project
    finally:
        project.close()


def apply_and_report(project_dir: Path, edits: Sequence[EditModel]) -> None:
    """Apply a batch of edits as one revision and print what changed."""
    with opened(project_dir) as project:
        batch = project.memory.apply(edits, source="cli")
    for line in batch.lines:
        echo(line)
    typer.echo(f"(revision {batch.revision.id}; undo with: storyreel undo)")


def split_list(values: list[str] | None) -> list[str] | None:
    """Accept repeated options and comma-separated values alike ("a,b" -> ["a", "b"])."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
