"""Exports: the final cut (mp4), the storyboard sheet (png) and the timeline (otio).

All three are made from each shot's selected take, in film order. Nothing
is exported while a shot has no usable take: the error names the shots and
the command that fixes it. Every file is written next to its destination
under a name of this process's own and renamed into place when complete;
partial files that a killed export left behind are removed by the next one.
Exporting does not take the render lock: it reads registered takes, whose
files are never rewritten, so it runs while another process renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.tools.cut import CutClip, UnreadableTake, frame_counts, write_cut
from storyreel.tools.errors import InvalidInputError, StoryreelError
from storyreel.tools.partial_files import remove_dead_partials, write_problem
from storyreel.tools.project import Project
from storyreel.tools.rendering import (
    ensure_stills,
    keyframe_path,
    take_file,
    take_is_intact,
    takes_needing_render,
)
from storyreel.tools.story import Shot, StoryPlan, Take

if TYPE_CHECKING:
    from storyreel.tools.story import Reference
    from storyreel.tools.timeline import DialogueLine, MusicBed


@dataclass
class ExportResult:
    """What `export` wrote, how long the film is, shots whose take is out of date, and
    shots whose take is a draft (`tier_note` says so when there are any)."""

    cut: Path | None = None
    sheet: Path | None = None
    otio: Path | None = None
    frames: int = 0
    duration_s: float = 0.0
    stale: list[int] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    shots: int = 0

    @property
    def tier_note(self) -> str | None:
        """What to say about the cut's tiers ("the cut mixes draft and final takes: shot(s)
        2, 5 are drafts; ..."), None when every take in the cut is final."""
        from storyreel.tools.quality import tier_note

        return tier_note(self.drafts, self.shots)


def slug(title: str) -> str:
    """A file-name friendly version of a title ("The Letter" -> "the-letter")."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "film"


def default_paths(project: Project, plan: StoryPlan) -> tuple[Path, Path, Path]:
    """Where the cut, the sheet and the timeline go when no path is given."""
    base = project.exports_dir / slug(plan.title)
    return base.with_suffix(".mp4"), Path(f"{base}-storyboard.png"), base.with_suffix(".otio")


def check_output_path(path: Path, suffix: str) -> Path:
    """Refuse an output path that cannot be written, before any work is done."""
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise InvalidInputError(f"{path} should end in {suffix}")
    parent = path.parent
    if not parent.is_dir():
        raise InvalidInputError(
            f"cannot write {path}: the folder {parent} does not exist (create it first)"
        )
    if path.is_dir():
        raise InvalidInputError(f"cannot write {path}: it is a folder")
    problem = write_problem(path)
    if problem is not None:
        raise InvalidInputError(
            f"cannot write {path} ({problem}): choose another folder or make {parent} writable"
        )
    return path


def selected_takes(project: Project, plan: StoryPlan) -> list[tuple[Shot, Take]]:
    """Each shot with its selected take, in film order; raises if any is missing or damaged."""
    takes = project.memory.takes_by_shot()
    shots = plan.ordered_shots()
    if not shots:
        raise StoryreelError("there are no shots to export yet: add some with storyreel shot add")
    pairs, missing, damaged = [], [], []
    for shot in shots:
        take = next((t for t in takes.get(shot.id, []) if t.number == shot.selected_take), None)
        if take is None:
            missing.append(shot.id)
        elif not take_is_intact(project, take):
            damaged.append(f"{shot.id} (take {take.number}, {take.path})")
        else:
            pairs.append((shot, take))
    if missing:
        ids = ", ".join(map(str, missing))
        command = "storyreel render " + " ".join(map(str, missing))
        raise StoryreelError(f"no rendered take for shot(s) {ids}: render them first ({command})")
    if damaged:
        raise StoryreelError(
            f"the take file of shot {'; '.join(damaged)} is missing or damaged on disk: "
            "re-render it with storyreel render"
        )
    return pairs


def export(
    project: Project,
    *,
    cut: Path | None = None,
    sheet: Path | None = None,
    otio: Path | None = None,
    soundtrack: Path | None = None,
) -> ExportResult:
    """Export the cut, the storyboard sheet and/or the timeline.

    Args:
        project: the open project.
        cut, sheet, otio: output paths; when all are None, all three go to
            the project's exports/ folder under the film's title.
        soundtrack: an audio file laid under the cut (AAC), trimmed or padded; by default
            the film-wide soundtrack reference (role soundtrack, bound to nothing: e.g.
            the music bed `storyreel music` makes). Each take's own sound (its spoken
            line, a shot's voice or soundtrack reference) plays in sync too, and the
            soundtrack is ducked under it (tools/cut_audio.py). The timeline gets a
            dialogue track per speaker and a music track besides the video.

    Raises:
        StoryreelError: a shot without a usable take, or an output path that
            cannot be written (checked before any work).
    """
    plan = project.memory.plan()
    if cut is None and sheet is None and otio is None:
        cut, sheet, otio = default_paths(project, plan)
    cut = check_output_path(cut, ".mp4") if cut else None
    sheet = check_output_path(sheet, ".png") if sheet else None
    otio = check_output_path(otio, ".otio") if otio else None
    pairs = selected_takes(project, plan)
    remove_dead_partials(project.exports_dir)
    for path in (cut, sheet, otio):
        if path is not None:  # a killed export's leftovers next to a path of the person's
            remove_dead_partials(path.parent, path.name)
    fps = plan.style.fps
    width, height = plan.style.frame_size()
    clips = [
        CutClip(take_file(project, take), shot.duration_s, shot.transition.value)
        for shot, take in pairs
    ]
    counts = frame_counts(clips, fps)
    result = ExportResult(
        frames=sum(counts),
        duration_s=sum(counts) / fps,
        stale=takes_needing_render(project, [shot for shot, _ in pairs]),
        drafts=[shot.id for shot, take in pairs if take.quality == "draft"],
        shots=len(pairs),
    )
    music_reference = None
    if soundtrack is None:
        film_wide = [
            r
            for r in plan.references
            if r.role.value == "soundtrack" and r.shot is None and r.entity is None
        ]
        music_reference = film_wide[0] if film_wide else None
        soundtrack = project.file_of(film_wide[0].path) if film_wide else None
    if cut:
        try:
            write_cut(clips, cut, width=width, height=height, fps=fps, soundtrack=soundtrack)
        except UnreadableTake as error:
            unreadable = [
                shot.id
                for (shot, _), clip in zip(pairs, clips, strict=True)
                if clip.path == error.path
            ]
            ids = " ".join(map(str, unreadable))
            raise StoryreelError(
                f"the take of shot {ids} could not be read ({error.reason}): "
                f"re-render it with storyreel render --force {ids}"
            ) from error
        result.cut = cut
    if sheet:  # Pillow and OpenTimelineIO are imported only for the files that need them
        from storyreel.tools.storyboard import SheetEntry, write_storyboard

        entries = []
        for shot, take in pairs:
            ensure_stills(project, take)
            heading = (
                f"#{shot.id}  {shot.size.value} · {shot.movement.value} · {shot.duration_s:g} s"
            )
            if take.critique is not None:
                heading += f" · {take.critique.verdict}"
            entries.append(SheetEntry(keyframe_path(project, take), heading, shot.action))
        write_storyboard(plan.title, entries, sheet)
        result.sheet = sheet
    if otio:
        from storyreel.tools.timeline import TimelineClip, write_timeline

        timeline_clips = [
            TimelineClip(
                name=f"Shot {shot.id}: {shot.action}",
                path=take_file(project, take),
                frames=count,
                available_frames=take.frames or count,
                transition=shot.transition.value,
                has_audio=bool(take.params.get("audio")),
                metadata={
                    "shot_id": shot.id,
                    "take": take.number,
                    "size": shot.size.value,
                    "movement": shot.movement.value,
                    "backend": take.backend,
                },
            )
            for (shot, take), count in zip(pairs, counts, strict=True)
        ]
        lines = dialogue_lines(project, pairs, counts, fps)
        music = music_bed(soundtrack, music_reference, result.frames, fps)
        write_timeline(plan.title, timeline_clips, fps, otio, lines, music)
        result.otio = otio
    return result


def dialogue_lines(
    project: Project, pairs: list[tuple[Shot, Take]], counts: list[int], fps: int
) -> list[DialogueLine]:
    """The film's spoken lines for the timeline: each shot's line (what its take spoke,
    `options["speech"]` of its request, else the shot's dialogue) at the shot's place,
    lasting the shot (or from `start_s` to `end_s` of the line when the take says)."""
    from storyreel.tools.timeline import DialogueLine

    lines, start = [], 0
    for (shot, take), count in zip(pairs, counts, strict=True):
        options = take.params.get("options") if isinstance(take.params, dict) else None
        speech = (options or {}).get("speech") if isinstance(options, dict) else None
        speech = speech if isinstance(speech, dict) else {}
        text = str(speech.get("text") or shot.dialogue or "").strip()
        if text:
            speaker = str(speech.get("speaker") or shot.dialogue_speaker or "Narrator")
            first, frames = 0, count
            if isinstance(speech.get("start_s"), int | float):
                first = min(count - 1, max(0, round(float(speech["start_s"]) * fps)))
                frames = count - first
                if isinstance(speech.get("end_s"), int | float):
                    frames = max(1, min(frames, round(float(speech["end_s"]) * fps) - first))
            metadata: dict[str, object] = {
                "shot_id": shot.id,
                "take": take.number,
                "spoken_in_take": bool(speech),  # False: a take made before it was spoken
            }
            if speech.get("voice"):
                metadata["voice"] = str(speech["voice"])
            path = take_file(project, take)
            lines.append(DialogueLine(text, speaker, path, start + first, frames, first, metadata))
        start += count
    return lines


def music_bed(
    soundtrack: Path | None, reference: Reference | None, frames: int, fps: int
) -> MusicBed | None:
    """The soundtrack for the timeline's music track (None without one): as long as the
    film, or as the music when it is shorter."""
    from storyreel.tools.cut_audio import DUCK_DB
    from storyreel.tools.timeline import MusicBed

    if soundtrack is None:
        return None
    length = reference.duration_s if reference is not None else None
    if length is None:
        from storyreel.renderer.video_io import probe_media

        try:
            length = probe_media(soundtrack).duration_s
        except ValueError:
            return None
    available = round(length * fps) if length else None
    used = min(frames, available) if available else frames
    name = "Music"
    metadata: dict[str, object] = {"ducked_db": DUCK_DB, "role": "soundtrack"}
    if reference is not None:
        name = f"Music {reference.name or reference.handle}"
        metadata["handle"] = reference.handle
    return MusicBed(name, soundtrack, used, available, metadata)
