"""An OpenTimelineIO timeline of the cut, for editors (Resolve, Premiere via adapters, ...).

One video track, one clip per shot in film order, each pointing at its
take's file with the shot's planned duration; dissolves become OTIO
transitions (which overlap clips and do not change the track's length).

Audio tracks beside it: "Audio 1", each take's own sound under its picture
(when any take has sound); one "Dialogue: NAME" track per speaker, a clip per
spoken line at its shot's place (named with the line, the speaker and shot in
its `storyreel` metadata, pointing at the take whose sound carries it); and a
"Music" track with the film-wide soundtrack (music bed) from the film's start,
ducked under the dialogue in the cut (its metadata says by how much).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio

from storyreel.tools.cut import dissolve_half
from storyreel.tools.partial_files import replaced_when_written


@dataclass(frozen=True)
class TimelineClip:
    """One shot on the timeline."""

    name: str
    path: Path
    frames: int
    available_frames: int
    transition: str = "cut"
    metadata: dict[str, object] = field(default_factory=dict)
    has_audio: bool = False


@dataclass(frozen=True)
class DialogueLine:
    """A spoken line on a speaker's dialogue track: `start` is its first frame in the film,
    `offset` where it starts in its take's file, `frames` how long it lasts."""

    text: str
    speaker: str
    path: Path
    start: int
    frames: int
    offset: int = 0
    metadata: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class MusicBed:
    """The film-wide soundtrack on the music track, from the film's first frame."""

    name: str
    path: Path
    frames: int
    available_frames: int | None = None
    metadata: dict[str, object] = field(default_factory=dict)


def build_timeline(
    title: str,
    clips: Sequence[TimelineClip],
    fps: int,
    dialogue: Sequence[DialogueLine] = (),
    music: MusicBed | None = None,
) -> otio.schema.Timeline:
    """The timeline object (see `write_timeline`)."""
    timeline = otio.schema.Timeline(name=title)
    track = otio.schema.Track(name="Video 1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for index, clip in enumerate(clips):
        if index > 0 and clip.transition == "dissolve":
            half = dissolve_half(clips[index - 1].frames, clip.frames, fps)
            track.append(
                otio.schema.Transition(
                    name="dissolve",
                    transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=otio.opentime.RationalTime(half, fps),
                    out_offset=otio.opentime.RationalTime(half, fps),
                )
            )
        reference = otio.schema.ExternalReference(
            target_url=clip.path.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, fps),
                otio.opentime.RationalTime(clip.available_frames, fps),
            ),
        )
        track.append(
            otio.schema.Clip(
                name=clip.name,
                media_reference=reference,
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(clip.frames, fps)
                ),
                metadata={"storyreel": dict(clip.metadata)},
            )
        )
    if any(clip.has_audio for clip in clips):
        timeline.tracks.append(_audio_track(clips, fps))
    for track in _dialogue_tracks(dialogue, fps):
        timeline.tracks.append(track)
    if music is not None and music.frames > 0:
        timeline.tracks.append(_music_track(music, fps))
    return timeline


def _audio_clip(
    name: str, path: Path, start: int, frames: int, fps: int, metadata: dict[str, object]
) -> otio.schema.Clip:
    return otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(target_url=path.resolve().as_uri()),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(frames, fps)
        ),
        metadata={"storyreel": dict(metadata)},
    )


def _dialogue_tracks(lines: Sequence[DialogueLine], fps: int) -> list[otio.schema.Track]:
    """One track per speaker (in order of first line), each line at its place, gaps between;
    a line that would overlap the speaker's previous one starts where that one ends."""
    tracks: dict[str, otio.schema.Track] = {}
    ends: dict[str, int] = {}
    for line in sorted(lines, key=lambda item: item.start):
        track = tracks.get(line.speaker)
        if track is None:
            track = otio.schema.Track(
                name=f"Dialogue: {line.speaker}", kind=otio.schema.TrackKind.Audio
            )
            tracks[line.speaker], ends[line.speaker] = track, 0
        start = max(line.start, ends[line.speaker])
        frames = line.frames - (start - line.start)
        if frames <= 0:
            continue
        if start > ends[line.speaker]:
            gap = otio.opentime.RationalTime(start - ends[line.speaker], fps)
            track.append(otio.schema.Gap(duration=gap))
        metadata = {"speaker": line.speaker, "text": line.text, **line.metadata}
        offset = line.offset + (start - line.start)
        track.append(_audio_clip(line.text, line.path, offset, frames, fps, metadata))
        ends[line.speaker] = start + frames
    return list(tracks.values())


def _music_track(music: MusicBed, fps: int) -> otio.schema.Track:
    """The soundtrack from the film's first frame, as long as the film or the music."""
    track = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    clip = _audio_clip(music.name, music.path, 0, music.frames, fps, music.metadata)
    if music.available_frames:
        clip.media_reference.available_range = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, fps),
            otio.opentime.RationalTime(music.available_frames, fps),
        )
    track.append(clip)
    return track


def _audio_track(clips: Sequence[TimelineClip], fps: int) -> otio.schema.Track:
    """Each take's sound at the same place as its picture (gaps where a shot is silent)."""
    track = otio.schema.Track(name="Audio 1", kind=otio.schema.TrackKind.Audio)
    for clip in clips:
        length = otio.opentime.RationalTime(clip.frames, fps)
        if not clip.has_audio:
            track.append(otio.schema.Gap(duration=length))
            continue
        track.append(
            otio.schema.Clip(
                name=f"{clip.name} (sound)",
                media_reference=otio.schema.ExternalReference(
                    target_url=clip.path.resolve().as_uri()
                ),
                source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, fps), length),
            )
        )
    return track


def write_timeline(
    title: str,
    clips: Sequence[TimelineClip],
    fps: int,
    out: Path,
    dialogue: Sequence[DialogueLine] = (),
    music: MusicBed | None = None,
) -> None:
    """Write the timeline as an .otio file (JSON), atomically."""
    timeline = build_timeline(title, clips, fps, dialogue, music)
    with replaced_when_written(out) as partial:
        otio.adapters.write_to_file(timeline, str(partial))
