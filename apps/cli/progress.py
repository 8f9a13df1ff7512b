"""Render progress on the terminal: a live bar on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
import time

import typer

from storyreel.tools.rendering import RenderProgress, ShotOutcome


class ProgressPrinter:
    """Shows which shot is rendering and how far along it is, on stderr."""

    def __init__(self, outcomes_to_stderr: bool = False) -> None:
        """`outcomes_to_stderr`: each shot's outcome line goes to stderr too, so stdout
        stays free for machine output (`doctor --json --fix --rerender`)."""
        self.live = sys.stderr.isatty()
        self.outcomes_to_stderr = outcomes_to_stderr
        self._started: dict[int, float] = {}  # shot id -> when its first progress came
        self._last_draw = 0.0

    def progress(self, event: RenderProgress) -> None:
        """One line per shot when it starts (on a cluster several shots render at once,
        their events interleaved); on a TTY a bar for the shot the last event is about."""
        if event.shot_id not in self._started:
            self._started[event.shot_id] = time.perf_counter()
            if not self.live:
                typer.echo(
                    f"rendering shot {event.shot_id} ({event.index}/{event.count}) ...", err=True
                )
        if not self.live:
            return
        now = time.perf_counter()
        if event.step < event.total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        filled = int(24 * event.step / max(1, event.total))
        bar = "#" * filled + "-" * (24 - filled)
        elapsed = now - self._started[event.shot_id]
        sys.stderr.write(
            f"\rshot {event.shot_id} ({event.index}/{event.count}) [{bar}] "
            f"{event.step}/{event.total} frames {elapsed:4.1f}s"
        )
        sys.stderr.flush()

    def waiting(self, line: str) -> None:
        """Another storyreel is rendering this story: said once, then this one waits."""
        typer.echo(line, err=True)

    def outcome(self, outcome: ShotOutcome) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")
        typer.echo(outcome.message, err=self.outcomes_to_stderr)
