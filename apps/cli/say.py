"""`storyreel say`: one turn of conversation with the directing agent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storyreel.apps.cli.common import (
    HERE,
    BackendOption,
    NoWaitOption,
    OfflineOption,
    ProjectOption,
    SessionOption,
    YesOption,
    echo,
)
from storyreel.tools.text import json_text

if TYPE_CHECKING:
    from storyreel.agent.events import AgentEvent


class EventPrinter:
    """Prints a turn's events for people (or as JSON lines for programs)."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.live = sys.stderr.isatty() and not as_json
        self._shot: int | None = None

    def show(self, event: AgentEvent) -> None:
        if self.as_json:
            typer.echo(json_text(event.model_dump(mode="json")))
            return
        if event.type == "progress":
            self._progress(event)
        elif event.type == "plan":
            self._clear()
            for line in event.data.get("lines") or [event.text]:
                echo(f"  • {line}")
        elif event.type in ("take", "artifact", "notice"):
            self._clear()
            echo(f"  {event.text}")
        elif event.type in ("reply", "problem"):
            self._clear()
            echo(event.text)
        elif event.type == "question":
            choices = event.data.get("choices") or []
            hint = f" [{'/'.join(choices)}]" if choices else ""
            echo(f"\n? {event.text}{hint}")
            example = choices[0] if choices else event.data.get("hint") or "your answer"
            echo(f'  Answer with: storyreel say "{example}"')

    def _progress(self, event: AgentEvent) -> None:
        shot = event.data.get("shot_id")
        if not self.live:
            if shot != self._shot:
                echo(f"  rendering shot {shot} ...", err=True)
            self._shot = shot
            return
        step, total = event.data.get("step", 0), max(1, event.data.get("total", 1))
        filled = int(20 * step / total)
        sys.stderr.write(f"\r  shot {shot} [{'#' * filled}{'-' * (20 - filled)}] {step}/{total}")
        sys.stderr.flush()

    def _clear(self) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")


def say(
    text: Annotated[str, typer.Argument(help="What you want, in plain words (or an answer).")],
    attach: Annotated[
        list[Path] | None,
        typer.Option("--attach", help="A photo, clip or sound to use as a reference; repeatable."),
    ] = None,
    session: SessionOption = "main",
    yes: YesOption = False,
    offline: OfflineOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per event, one per line.")
    ] = False,
    backend: BackendOption = "previz",
    no_wait: NoWaitOption = False,
    project: ProjectOption = HERE,
) -> None:
    """Tell the directing agent what you want; it changes the plan, renders and reports.

    If the agent asked a question, your next `say` answers it. Uses the LLM set
    by OPENAI_BASE_URL / OPENAI_API_KEY / STORYREEL_MODEL, or the offline director.
    Exits with 2 when the language model could not be reached or understood (the
    plan is untouched; `storyreel llm` checks the endpoint). When another storyreel
    is rendering this story, the turn waits for it (says so once); with --no-wait it
    exits with 3 at once, nothing changed.
    """
    from storyreel.agent.session import Session

    printer = EventPrinter(as_json)
    failed = False
    with Session(
        project,
        session,
        offline=offline,
        autopilot=yes,
        backend=backend,
        wait_for_render=not no_wait,
    ) as agent:
        try:
            for event in agent.send(text, [str(path) for path in attach or []]):
                printer.show(event)
                if event.type == "reply" and event.data.get("director_failed"):
                    failed = True
        except KeyboardInterrupt:
            echo("\nStopped. Finished takes are kept; the next storyreel say continues.", err=True)
            raise typer.Exit(130) from None
    if failed:  # the language model could not be reached or understood; the plan is untouched
        raise typer.Exit(2)
