"""Turning a turn's AgentEvents into Slack messages in the story's thread.

One turn produces, in the thread:
- one progress message, posted at the first render step and then edited in
  place (at most every `interval` seconds and at each new shot; always a
  final edit), with a Stop button while it runs;
- for each new take: the mp4 and its keyframe PNG, then Lock / Retake / Use
  this take buttons;
- the reply: notices (new reference handles), the agent's words, the critic's
  concerns, and a compact plan summary;
- a pending question with a button per choice;
- on export: the cut, the storyboard sheet and the timeline, as one message.
Failures to post are logged, never raised: a turn is not undone by Slack.
Everything posted (text, blocks, file titles and names) has its control
characters removed first (see text.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from storyreel.agent.events import AgentEvent
from storyreel.apps.slack import blocks
from storyreel.apps.slack.store import BotStore, ThreadRef
from storyreel.tools.plan_view import shot_line
from storyreel.tools.project import Project
from storyreel.tools.rendering import ensure_stills, keyframe_path, take_file
from storyreel.tools.text import cleaned, without_controls

log = logging.getLogger(__name__)
UPLOADED_ARTIFACTS = {
    "cut",
    "storyboard",
    "timeline",
    "comparison video",
    "comparison sheet",
    "candidate stills",
}
PLAN_LINES = 12
"""Shots listed in the plan summary before it says "and N more"."""


@dataclass(frozen=True)
class Attachment:
    """A file to upload: where it is, its title in Slack, and its name there (default: as is)."""

    path: Path
    title: str
    filename: str = ""


class ThreadPoster:
    """Posts, edits and uploads in one Slack thread; errors are logged, not raised.

    Text and blocks lose their control characters on the way out."""

    def __init__(self, client: WebClient, ref: ThreadRef) -> None:
        self.client = client
        self.ref = ref

    def say(self, text: str, blocks_: Sequence[blocks.Block] | None = None) -> str | None:
        """Post in the thread; return the message ts (None if Slack refused)."""
        try:
            response = self.client.chat_postMessage(
                channel=self.ref.channel,
                thread_ts=self.ref.thread_ts,
                text=blocks.clip(without_controls(text), 3900),
                blocks=cleaned(list(blocks_)) if blocks_ else None,
                unfurl_links=False,
            )
        except (SlackApiError, SlackClientError) as error:
            log.warning("could not post in %s: %s", self.ref.key, error)
            return None
        return str(response.get("ts"))

    def update(self, ts: str, text: str, blocks_: Sequence[blocks.Block] | None = None) -> bool:
        """Edit a message the bot posted."""
        try:
            self.client.chat_update(
                channel=self.ref.channel,
                ts=ts,
                text=blocks.clip(without_controls(text), 3900),
                blocks=cleaned(list(blocks_ or [])),
            )
        except (SlackApiError, SlackClientError) as error:
            log.warning("could not update %s in %s: %s", ts, self.ref.key, error)
            return False
        return True

    def whisper(self, user: str, text: str) -> None:
        """A message only `user` sees, in the thread."""
        try:
            self.client.chat_postEphemeral(
                channel=self.ref.channel,
                user=user,
                text=blocks.clip(without_controls(text), 3900),
                thread_ts=self.ref.thread_ts,
            )
        except (SlackApiError, SlackClientError) as error:
            log.warning("could not whisper to %s in %s: %s", user, self.ref.key, error)

    def upload(self, files: Sequence[Attachment], comment: str) -> bool:
        """Upload files into the thread as one message with `comment`."""
        uploads = [
            {
                "file": str(f.path),
                "filename": without_controls(f.filename or f.path.name),
                "title": without_controls(f.title),
            }
            for f in files
        ]
        try:
            self.client.files_upload_v2(
                file_uploads=uploads,
                channel=self.ref.channel,
                thread_ts=self.ref.thread_ts,
                initial_comment=without_controls(comment),
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("could not upload %s in %s: %s", comment, self.ref.key, error)
            return False
        return True


class ProgressMessage:
    """One message showing render progress, edited in place instead of flooding the thread."""

    def __init__(
        self,
        poster: ThreadPoster,
        store: BotStore,
        ts: str | None = None,
        *,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.poster = poster
        self.store = store
        self.ts = ts
        self.interval = interval
        self.clock = clock
        self._last = float("-inf")
        self._shots: set[object] = set()
        self.text = ""

    def show(self, event: AgentEvent) -> None:
        """Show a progress event (throttled; a shot's first event always shows). On a
        cluster several shots render at once: their events interleave, and the throttle
        holds across them (one message edit per interval, whichever shot it names)."""
        data = event.data
        shot = data.get("shot_id")
        now = self.clock()
        if shot in self._shots and now - self._last < self.interval:
            return
        self._shots.add(shot)
        self._last = now
        step, total = int(data.get("step") or 0), int(data.get("total") or 1)
        # index counts from 1, like the CLI's and the chat app's progress (RenderProgress)
        index, count = int(data.get("index") or 1), int(data.get("count") or 1)
        position = f" ({index} of {count})" if count > 1 else ""
        self.text = (
            f":clapper: Rendering shot {shot}{position}  {blocks.bar(step, total)}  {step}/{total}"
        )
        self._post(running=True)

    def finish(self, text: str) -> None:
        """The final edit (only if a progress message was shown); forget the message."""
        if self.ts is None:
            return
        self.text = text
        self._post(running=False)
        self.store.set_progress(self.poster.ref, None)
        self.ts = None

    def _post(self, running: bool) -> None:
        message = blocks.progress_blocks(self.poster.ref.thread_ts, self.text, running)
        if self.ts is None:
            self.ts = self.poster.say(self.text, message)
            if self.ts is not None:
                self.store.set_progress(self.poster.ref, self.ts)
        else:
            self.poster.update(self.ts, self.text, message)


def plan_summary(project: Project, limit: int = PLAN_LINES) -> str:
    """The plan in a few lines: title, shot count and length, one line per shot."""
    plan = project.memory.plan()
    shots = plan.ordered_shots()
    if not shots:
        return f"*{plan.title}*: no shots yet."
    total = sum(shot.duration_s for shot in shots)
    head = f"*{plan.title}*: {len(shots)} shot{'s' if len(shots) != 1 else ''}, {total:g} s"
    lines = [
        shot_line(plan, shot, len(project.memory.take_numbers(shot.id))) for shot in shots[:limit]
    ]
    if len(shots) > limit:
        lines.append(f"... and {len(shots) - limit} more")
    return head + "\n```\n" + "\n".join(lines) + "\n```"


class TurnReporter:
    """Shows one turn's events in the thread (see the module docstring for what goes where)."""

    def __init__(
        self, poster: ThreadPoster, project: Project, store: BotStore, progress_ts: str | None
    ) -> None:
        self.poster = poster
        self.project = project
        self.store = store
        self.progress = ProgressMessage(poster, store, progress_ts)
        self.notes: list[str] = []
        self.artifacts: list[Attachment] = []
        self.handles: dict[str, str] = {}
        self.rendered: list[str] = []
        self.stopped = False

    def show(self, event: AgentEvent) -> None:
        """Show one event (progress edits the progress message; others post or collect)."""
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    def note(self, text: str) -> None:
        """Add a line to the next reply (or to the turn's last message)."""
        self.notes.append(text)

    def finish(self) -> None:
        """End the turn: post what is still unsaid, give the progress message its last words."""
        self._upload_artifacts()
        if self.notes:
            self.poster.say("\n".join(self.notes))
            self.notes = []
        if self.stopped:
            self.progress.finish(":octagonal_sign: Stopped. Finished takes are kept.")
        elif self.rendered:
            self.progress.finish(f":white_check_mark: Rendered {', '.join(self.rendered)}.")
        else:
            self.progress.finish(":white_check_mark: Done.")

    def _on_progress(self, event: AgentEvent) -> None:
        self.progress.show(event)

    def _on_notice(self, event: AgentEvent) -> None:
        if event.data.get("cancelled"):
            self.stopped = True
        if event.data.get("handle"):
            self.handles[event.text] = str(event.data["handle"])
        self.note(event.text)

    def _on_problem(self, event: AgentEvent) -> None:
        self.note(f":warning: {event.text}")

    def _on_critique(self, event: AgentEvent) -> None:
        if event.data.get("verdict") != "accept":
            self.note(f"Critic: {event.text}")

    def _on_reply(self, event: AgentEvent) -> None:
        self._upload_artifacts()
        # a new reference is announced once: by the reply if it names the handle
        notes = [n for n in self.notes if self.handles.get(n, "\0") not in event.text]
        text = "\n".join([*notes, event.text])
        self.notes = []
        self.poster.say(text + "\n" + plan_summary(self.project))

    def _on_question(self, event: AgentEvent) -> None:
        choices = [str(choice) for choice in event.data.get("choices") or []]
        ts = self.poster.say(
            event.text, blocks.question_blocks(self.poster.ref.thread_ts, event.text, choices)
        )
        if ts is not None:
            self.store.set_question(self.poster.ref, ts)

    def _on_take(self, event: AgentEvent) -> None:
        data = event.data
        if data.get("status") not in ("rendered", "repaired") or data.get("take") is None:
            return
        shot_id, number = int(data["shot_id"]), int(data["take"])
        take = next((t for t in self.project.memory.takes(shot_id) if t.number == number), None)
        if take is None:
            return
        self.rendered.append(f"shot {shot_id} (take {number})")
        name = f"shot{shot_id}-take{number}"
        files = [
            Attachment(
                take_file(self.project, take), f"Shot {shot_id}, take {number}", f"{name}.mp4"
            )
        ]
        try:
            ensure_stills(self.project, take)
            key = keyframe_path(self.project, take)
            files.append(Attachment(key, f"Shot {shot_id}, take {number} keyframe", f"{name}.png"))
        except (OSError, ValueError) as error:
            log.warning("no keyframe for shot %s take %s: %s", shot_id, number, error)
        self.poster.upload(files, f"Shot {shot_id}, take {number} ({take.backend})")
        self.poster.say(
            f"Shot {shot_id}, take {number}",
            blocks.take_blocks(self.poster.ref.thread_ts, shot_id, number, take.backend),
        )

    def _on_artifact(self, event: AgentEvent) -> None:
        kind, path = str(event.data.get("kind", "")), event.data.get("path")
        if kind not in UPLOADED_ARTIFACTS or not path or not Path(path).is_file():
            self.note(event.text)
            return
        if kind == "candidate stills":  # one image, its caption the numbered choices
            caption = str(event.data.get("caption") or "Candidate stills.")
            self.poster.upload([Attachment(Path(path), "Candidate stills")], caption)
            return
        self.artifacts.append(Attachment(Path(path), kind.capitalize()))

    def _upload_artifacts(self) -> None:
        """Exports go up together, as one message."""
        if self.artifacts:
            kinds = ", ".join(f"the {a.title.lower()}" for a in self.artifacts)
            self.poster.upload(self.artifacts, f"Exported {kinds}.")
            self.artifacts = []
