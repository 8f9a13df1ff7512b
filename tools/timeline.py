"""An OpenTimelineIO timeline of the cut, for editors (Resolve, Premiere via adapters, ...).

One video track, one clip per shot in film order, each pointing at its
take's file with the shot's planned duration; dissolves become OTIO
transitions (which overlap clips and do not change the track's length).
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


def build_timeline(title: str, clips: Sequence[TimelineClip], fps: int) -> otio.schema.Timeline:
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
    return timeline


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


def write_timeline(title: str, clips: Sequence[TimelineClip], fps: int, out: Path) -> None:
    """Write the timeline as an .otio file (JSON), atomically."""
    timeline = build_timeline(title, clips, fps)
    with replaced_when_written(out) as partial:
        otio.adapters.write_to_file(timeline, str(partial))
