"""The studio's snapshot: everything the page shows, as one JSON-ready dict.

Built on the studio's reader thread from `read_story` (apps/tui/story_view.py, the same
read the chat app's film pane uses) and the session's transcript; the parts only the
server knows (busy, the question, the guide, render progress) are passed in.
The shape is the HTTP contract of GET /api/state and the `state` events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from storyreel.agent.events import Question
from storyreel.agent.transcript import Line
from storyreel.apps.tui.story_view import StoryView
from storyreel.tools.critic import verdict_sentence
from storyreel.tools.story import Take

POSTERS = ".studio/posters"
"""Where poster frames of takes are cached, inside the project folder."""

MEDIA_FOLDERS: tuple[str, ...] = ("media/takes", "media/keyframes", "exports", POSTERS)
"""The project's folders GET /media/ serves from (takes, stills, exports, posters)."""

TRANSCRIPT_LINES = 200

GUIDE_FIELDS = ("step", "question", "hint", "number", "total", "part")


def media_url(root: Path, path: Path) -> str | None:
    """The /media/ URL of a file under `root` in one of MEDIA_FOLDERS, else None."""
    try:
        relative = PurePosixPath(Path(path).relative_to(root).as_posix())
    except ValueError:
        return None
    text = relative.as_posix()
    if not any(text.startswith(folder + "/") for folder in MEDIA_FOLDERS):
        return None
    return "/media/" + quote(text)


def poster_url(shot_id: int, take: int) -> str:
    """The URL of a take's poster frame (made on first request)."""
    return f"/media/poster/{shot_id}/{take}.jpg"


def take_status(take: Take) -> str | None:
    """The critic's verdict as one word: error, warning, ok; None when not reviewed."""
    if take.critique is None:
        return None
    severities = {finding.severity for finding in take.critique.findings}
    if take.critique.verdict == "retake" or "error" in severities:
        return "error"
    if "warning" in severities or take.critique.verdict == "ask":
        return "warning"
    return "ok"


def take_verdict(take: Take) -> str:
    """The critic's plain words about a take ("" when not reviewed)."""
    if take.critique is None:
        return ""
    sentence = verdict_sentence(f"Take {take.number}", take.critique)
    warnings = [f.message for f in take.critique.findings if f.severity == "warning"]
    return " ".join([sentence, *warnings])


def take_json(root: Path, take: Take) -> dict[str, Any]:
    """One TAKE of the contract."""
    return {
        "number": take.number,
        "url": media_url(root, root / take.path) or "",
        "poster_url": poster_url(take.shot_id, take.number),
        "status": take_status(take),
        "verdict": take_verdict(take),
        "quality": take.quality,
        "backend": take.backend,
    }


def newest_cut(exports: Path, root: Path) -> dict[str, str] | None:
    """The newest exported film (exports/*.mp4), with a URL that changes when it does."""
    try:
        films = [p for p in exports.glob("*.mp4") if p.is_file()]
    except OSError:
        return None
    if not films:
        return None
    newest = max(films, key=lambda p: p.stat().st_mtime_ns)
    url = media_url(root, newest)
    if url is None:
        return None
    return {"url": f"{url}?v={newest.stat().st_mtime_ns}", "name": newest.name}


def question_json(question: Question | None, guide: Mapping[str, Any] | None) -> dict | None:
    """The question the page shows: the agent's, else the guide's current one."""
    if question is not None:
        return {
            "text": question.question,
            "choices": list(question.choices),
            "kind": question.kind,
            "hint": "",
        }
    if guide is not None and guide.get("question"):
        return {
            "text": str(guide["question"]),
            "choices": [],
            "kind": "guide",
            "hint": str(guide.get("hint") or ""),
        }
    return None


def guide_json(status: object) -> dict[str, Any] | None:
    """`Session.guide_status()`'s answer as the contract's dict (None: not guiding)."""
    if status is None:
        return None
    raw = asdict(status) if is_dataclass(status) and not isinstance(status, type) else {}
    values = {name: raw.get(name, getattr(status, name, None)) for name in GUIDE_FIELDS}
    return {
        "step": str(values["step"] or ""),
        "question": str(values["question"] or ""),
        "hint": str(values["hint"] or ""),
        "number": int(values["number"] or 0),
        "total": int(values["total"] or 0),
        "part": str(values["part"] or ""),
    }


def build_snapshot(
    root: Path,
    exports: Path,
    view: StoryView,
    transcript: Sequence[Line],
    *,
    version: int,
    busy: bool,
    busy_text: str,
    question: Question | None,
    guide: Mapping[str, Any] | None,
    progress: Mapping[int, tuple[int, int]],
) -> dict[str, Any]:
    """The whole snapshot of the contract (see the module docstring)."""
    plan = view.plan
    shots = []
    for number, shot in enumerate(plan.ordered_shots(), start=1):
        takes = sorted(view.takes.get(shot.id, []), key=lambda t: t.number)
        selected = next((t for t in takes if t.number == shot.selected_take), None)
        still = view.stills.get(shot.id)
        shots.append(
            {
                "id": shot.id,
                "number": number,
                "action": shot.action,
                "size": shot.size.value,
                "angle": shot.angle.value,
                "movement": shot.movement.value,
                "duration_s": shot.duration_s,
                "characters": list(shot.characters),
                "location": shot.location,
                "dialogue": shot.dialogue,
                "locked": shot.locked,
                "needs_render": shot.id in view.dirty,
                "take": take_json(root, selected) if selected is not None else None,
                "takes": [take_json(root, t) for t in takes],
                "still_url": media_url(root, still.path) if still is not None else None,
            }
        )
    return {
        "title": plan.title,
        "version": version,
        "busy": busy,
        "busy_text": busy_text,
        "question": question_json(question, guide),
        "guide": dict(guide) if guide is not None else None,
        "transcript": [
            {"who": line.role, "text": line.text} for line in transcript[-TRANSCRIPT_LINES:]
        ],
        "characters": [
            {
                "handle": c.handle,
                "name": c.name,
                "description": c.description,
                "wardrobe": c.wardrobe,
            }
            for c in plan.characters
        ],
        "locations": [
            {
                "handle": loc.handle,
                "name": loc.name,
                "description": loc.description,
                "time_of_day": _value(loc.time_of_day),
            }
            for loc in plan.locations
        ],
        "shots": shots,
        "cut": newest_cut(exports, root),
        "progress": {
            str(shot_id): {"step": step, "total": total}
            for shot_id, (step, total) in progress.items()
        },
    }


def _value(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))
