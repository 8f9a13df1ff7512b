"""The `storyreel` command: create a story, edit its plan, undo and redo, run the demo."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar

import typer

from storyreel.apps.cli import chat as chat_command
from storyreel.apps.cli import check as check_command
from storyreel.apps.cli import critique as critique_command
from storyreel.apps.cli import doctor as doctor_command
from storyreel.apps.cli import gpu as gpu_commands
from storyreel.apps.cli import llm as llm_command
from storyreel.apps.cli import music as music_command
from storyreel.apps.cli import render as render_commands
from storyreel.apps.cli import say as say_command
from storyreel.apps.cli import studio as studio_command
from storyreel.apps.cli.bible import character_app, location_app
from storyreel.apps.cli.common import (
    HERE,
    FriendlyGroup,
    ProjectOption,
    apply_and_report,
    echo,
    opened,
    remember_project_before_command,
)
from storyreel.apps.cli.keyframes import keyframes_app
from storyreel.apps.cli.refs import ref_app
from storyreel.apps.cli.shots import shot_app
from storyreel.apps.slack.command import slack as slack_command
from storyreel.tools.errors import InvalidInputError, ProjectError

if TYPE_CHECKING:
    from storyreel.tools.edits import EditModel


class StoryreelGroup(FriendlyGroup):
    """The `storyreel` command: its help lists the commands by purpose."""

    panels: ClassVar[dict[str, tuple[str, ...]]] = {
        "Story": ("new", "demo", "show", "style", "check", "history", "undo", "redo", "doctor"),
        "Bible": ("character", "location"),
        "Shots": ("shot",),
        "References": ("ref", "music"),
        "Conversation": ("say", "llm"),
        "Rendering": (
            "keyframes",
            "render",
            "finalize",
            "takes",
            "select",
            "critique",
            "export",
        ),
        "GPU": ("backends", "compare", "dev"),
        "Apps": ("chat", "studio", "slack"),
    }


app = typer.Typer(
    cls=StoryreelGroup,
    help=(
        "storyreel: direct a short film in plain words. Build a shot plan with characters, "
        "locations and shots; every change is a revision you can undo. "
        "Start with: storyreel demo, or storyreel new my-film."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.add_typer(character_app, name="character")
app.add_typer(location_app, name="location")
app.add_typer(shot_app, name="shot")
app.add_typer(ref_app, name="ref")
app.command("music")(music_command.music)
app.add_typer(keyframes_app, name="keyframes")
app.command("render")(render_commands.render)
app.command("finalize")(render_commands.finalize)
app.command("takes")(render_commands.takes)
app.command("select")(render_commands.select)
app.command("export")(render_commands.export)
app.command("say")(say_command.say)
app.command("llm")(llm_command.llm)
app.command("chat")(chat_command.chat)
app.command("studio")(studio_command.studio)
app.command("slack")(slack_command)
app.command("critique")(critique_command.critique)
app.command("check")(check_command.check)
app.command("doctor")(doctor_command.doctor)
app.command("backends")(gpu_commands.backends)
app.command("compare")(gpu_commands.compare)
app.add_typer(gpu_commands.dev_app, name="dev")


def _version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"storyreel {version('storyreel')}")
        except PackageNotFoundError:
            echo("storyreel (not installed)")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            "-p",
            help="Project folder for the command, before it or after it (default: the "
            "current folder; env STORYREEL_PROJECT).",
            show_default=False,
        ),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """storyreel: a chat-driven directing agent for AI video."""
    remember_project_before_command(ctx, project)


@app.command("new")
def new(
    folder: Annotated[Path, typer.Argument(help="Folder for the new story (created if missing).")],
    title: Annotated[str, typer.Option("--title", "-t", help="The film's title.")] = "Untitled",
    aspect: Annotated[str, typer.Option(help="Aspect ratio W:H, e.g. 16:9, 9:16, 1:1.")] = "16:9",
    fps: Annotated[int, typer.Option(help="Frames per second of the film.")] = 24,
) -> None:
    """Create a new story in FOLDER. Example: storyreel new my-film --title "The Letter"."""
    from storyreel.tools.project import Project

    project = Project.create(folder, title=title, aspect=aspect, fps=fps)
    plan = project.memory.plan()
    project.close()
    width, height = plan.style.frame_size()
    echo(
        f"Created {plan.title!r} in {folder} ({plan.style.aspect}, {width}x{height}, "
        f"{plan.style.fps} fps)."
    )
    echo(f'Next: cd {folder} && storyreel character add NAME -d "what they look like"')


@app.command("show")
def show(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the plan as stable JSON for scripts.")
    ] = False,
    project: ProjectOption = HERE,
) -> None:
    """Show the story: the bible (characters, locations, references) and the shot list.

    A shot with a picked still says "still N" (", stale" when the shot changed since the
    still was drawn: storyreel keyframes ID draws fresh ones)."""
    from storyreel.tools.plan_view import plan_json, plan_text

    with opened(project) as opened_project:
        plan = opened_project.memory.plan()
        takes = opened_project.memory.takes_by_shot()
        stills = {}
        if any(shot.keyframe is not None for shot in plan.shots):
            # the compiler (and numpy) load only when there is a pick to check
            from storyreel.tools.keyframes import picked_stills

            stills = picked_stills(opened_project, plan)
    shown = plan_json(plan, takes, stills) if as_json else plan_text(plan, takes, stills)
    typer.echo(shown, nl=False)


@app.command("style")
def style(
    title: Annotated[str | None, typer.Option(help="The film's title.")] = None,
    aspect: Annotated[str | None, typer.Option(help="Aspect ratio W:H, e.g. 16:9.")] = None,
    resolution: Annotated[
        str | None, typer.Option(help="Resolution preset: 180p (drafts), 360p, 480p, 720p, 1080p.")
    ] = None,
    fps: Annotated[int | None, typer.Option(help="Frames per second.")] = None,
    look: Annotated[str | None, typer.Option(help="Grade, film stock, era, in words.")] = None,
    negative_prompt: Annotated[
        str | None, typer.Option(help="What every shot should avoid.")
    ] = None,
    length: Annotated[
        str | None,
        typer.Option(
            "--length",
            help="How long the film should run: seconds (90), 1:30 or words (2 minutes); "
            "the script supervisor notes a plan far from it.",
        ),
    ] = None,
    no_length: Annotated[
        bool, typer.Option("--no-length", help="Remove the target length.")
    ] = False,
    project: ProjectOption = HERE,
) -> None:
    """Change the title or the style of the whole film (only the options given change), or
    its target length. Example: storyreel style --length "2 minutes"."""
    from storyreel.tools.edits import SetStyle, SetTargetLength
    from storyreel.tools.story import parse_length

    if length is not None and no_length:
        raise InvalidInputError("give --length or --no-length, not both")
    fields = {
        "title": title,
        "aspect": aspect,
        "resolution": resolution,
        "fps": fps,
        "look": look,
        "negative_prompt": negative_prompt,
    }
    edits: list[EditModel] = []
    if any(value is not None for value in fields.values()) or (length is None and not no_length):
        edits.append(SetStyle(**fields))
    if length is not None or no_length:
        edits.append(SetTargetLength(seconds=None if no_length else parse_length(length)))
    apply_and_report(project, edits)


@app.command("undo")
def undo(project: ProjectOption = HERE) -> None:
    """Undo the last change to the plan (renders are kept)."""
    with opened(project) as opened_project:
        undone = opened_project.memory.undo()
    echo(f"Undid revision {undone.id}: {undone.description}")


@app.command("redo")
def redo(project: ProjectOption = HERE) -> None:
    """Redo the change that was last undone."""
    with opened(project) as opened_project:
        redone = opened_project.memory.redo()
    echo(f"Redid revision {redone.id}: {redone.description}")


@app.command("history")
def history(project: ProjectOption = HERE) -> None:
    """List every revision of the plan; * marks the current one."""
    with opened(project) as opened_project:
        entries = opened_project.memory.history()
    for entry in entries:
        revision = entry.revision
        mark = "*" if entry.current else " "
        undone = "  (undone)" if entry.undone else ""
        when = revision.created_at.replace("T", " ")[:16]
        echo(
            f"{mark} {revision.id:>3}  {when}  {revision.source:<8} {revision.description}{undone}"
        )


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo project.")] = Path(
        "storyreel-demo"
    ),
    backend: render_commands.BackendOption = "previz",
) -> None:
    """Direct the demo story "The Letter" through the agent, render it, export it.

    A scripted conversation with the offline director, printed as it goes:
    direction -> plan -> render -> report. 7 shots, 2 characters, 2 locations,
    rendered with the previz animatic on any CPU. Run it again: the story and
    its takes are reused, and the film is exported again.
    """
    from storyreel.agent.demo_conversation import DEMO_CONVERSATION, DEMO_TITLE
    from storyreel.agent.session import Session
    from storyreel.apps.cli.say import EventPrinter
    from storyreel.tools.plan_view import plan_text
    from storyreel.tools.project import DB_NAME, Project

    script = DEMO_CONVERSATION
    if (out / DB_NAME).exists():
        project = Project.open(out)
        title = project.memory.plan().title
        project.close()
        if title != DEMO_TITLE:
            raise ProjectError(f"{out} holds another story; choose another folder with --out")
        echo(f"Using the demo project already in {out}.")
        script = ["render", "export"]
    else:
        Project.create(out, title=DEMO_TITLE).close()
        echo(f"Created a new story in {out}. Directing it with the offline director:")
    printer = EventPrinter(as_json=False)
    with Session(out, "demo", offline=True, autopilot=True, backend=backend) as agent:
        for message in script:
            echo(f"\n> {message}")
            for event in agent.send(message):
                printer.show(event)
        plan = agent.project.memory.plan()
    echo("")
    typer.echo(plan_text(plan), nl=False)
    exports = out / "exports"
    echo(f"\nThe film, its storyboard and its timeline are in {exports}/.")
    echo(f'Try: storyreel say "make shot 3 a close-up" -p {out}  (only shot 3 is rendered again)')


def main() -> None:
    """Entry point of the `storyreel` console script."""
    try:
        app()
    finally:
        # At exit the interpreter runs a last full garbage collection over every object
        # the imports made (after LangGraph, about a tenth of a second): frozen objects
        # are skipped. Nothing waits on that collection; files and databases are closed.
        gc.freeze()
