"""Turning a backend's frames into a take file: the one encoder every executor uses.

A take is rendered the same way wherever it runs (this process or a cluster worker):
`write_take` encodes the frames a backend streams into an H.264 file (with the request's
sound, if any, and the shot's line spoken in it: renderer/speech.py) and keeps the two
stills storyreel saves beside every take (the middle frame and the last one). A worker
on another machine cannot read the driver's files, so a request travels with the bytes
of every file it names (`pack_inputs`) and the worker writes them into a folder of its
own (`unpack_inputs`); the request's hashes are computed on the driver before it is
packed, so they are the same for both ways of rendering.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.renderer.request import RenderRequest

if TYPE_CHECKING:  # numpy is imported where frames are handled, not to start up
    import numpy as np


@dataclass
class MadeTake:
    """A rendered take file before it is registered.

    `path` is complete (a partial file of this process until the caller places it);
    `middle` and `last` are the frames saved as the take's stills.
    """

    path: Path
    frames: int
    middle: np.ndarray
    last: np.ndarray
    model: str
    render_s: float
    worker: str = ""
    """Which cluster worker rendered it ("" in this process)."""


def write_take(
    frames: Iterable[np.ndarray], request: RenderRequest, path: Path, backend: str
) -> tuple[int, np.ndarray, np.ndarray]:
    """Encode `frames` to `path` as the take of `request`; return (count, middle, last).

    The file is complete only when this returns; on any error (a cancel included) the
    encoder is stopped and the partial file removed before the error goes on.

    When `request.options` has "speech" (a line: {"text", "speaker", "voice"}), the line
    is spoken into the take's sound at its place, over `request.audio` when there is one
    (renderer/speech.py: `take_sound`); the temporary WAV this needs is written beside
    `path` and removed when the take is encoded (or fails).
    """
    from storyreel.renderer.video_io import VideoWriter

    middle: np.ndarray | None = None
    last: np.ndarray | None = None
    written = 0
    writer: VideoWriter | None = None
    spoken: Path | None = None
    try:
        sound = Path(request.audio) if request.audio else None
        if request.options.get("speech"):
            spoken = _spoken_sound(request, path, sound)
            sound = spoken or sound
        writer = VideoWriter(
            path,
            request.width,
            request.height,
            request.fps,
            sound,
            duration_s=request.frames / request.fps,
        )
        with writer:
            for frame in frames:
                writer.write(frame)
                written += 1
                if written == request.frames // 2 + 1:
                    middle = frame.copy()
                last = frame
            if last is None:
                raise RuntimeError(f"backend {backend!r} returned no frames")
    except BaseException:
        if writer is not None:  # ffmpeg is stopped before its file is deleted
            writer.abort()
        path.unlink(missing_ok=True)
        raise
    finally:
        if spoken is not None:
            spoken.unlink(missing_ok=True)
    return written, (middle if middle is not None else last), last


def _spoken_sound(request: RenderRequest, path: Path, audio: Path | None) -> Path | None:
    """The take's sound with its line spoken in it (renderer/speech.py), written as a WAV
    beside `path` for the encoder; None (the take keeps its own sound, and the log says
    why) when the offline voice is not installed and the line asked for no other voice.

    A voice the line asks for by name that cannot speak here (a neural model that is not
    on disk) is an error that says how to get it, not a take silently spoken by another.
    """
    from storyreel.renderer import speech

    options = request.options
    line = options["speech"]
    voice = speech.speech_voice(line)
    try:
        made, _ = speech.take_sound(
            line,
            request.frames / request.fps,
            path.parent,
            path.name,
            audio,
            speech.speaker_hint(options),
        )
    except speech.VoiceUnavailable as error:
        if voice.strict:
            raise
        speech.log.warning("the line %r is not spoken: %s", line.get("text"), error)
        return None
    return made


PackedFiles = dict[str, bytes]
"""A request's file path (as the driver names it) -> the file's bytes."""


def _named_paths(request: RenderRequest) -> list[str]:
    paths = [p for p in (request.first_frame, request.motion_video, request.audio) if p]
    return paths + [ref.path for ref in request.references]


def pack_inputs(request: RenderRequest) -> PackedFiles:
    """The bytes of every file `request` names (each file once). A missing file is left
    out: the backend reports it as it would on this machine."""
    packed: PackedFiles = {}
    for name in _named_paths(request):
        path = Path(name)
        if name not in packed and path.is_file():
            packed[name] = path.read_bytes()
    return packed


def unpack_inputs(request: RenderRequest, packed: PackedFiles, folder: Path) -> RenderRequest:
    """A copy of `request` whose file paths point at `packed` written into `folder`
    (under their own names, each in a numbered folder so equal names never collide).

    Files of the request that were not packed (missing on the driver) keep their path.
    """
    local: dict[str, str] = {}
    for number, (name, data) in enumerate(packed.items()):
        target = folder / str(number) / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        local[name] = str(target)

    def moved(path: str | None) -> str | None:
        return local.get(path, path) if path else path

    copy = request.model_copy(deep=True)
    copy.first_frame = moved(copy.first_frame)
    copy.motion_video = moved(copy.motion_video)
    copy.audio = moved(copy.audio)
    copy.references = [
        ref.model_copy(update={"path": local.get(ref.path, ref.path)}) for ref in copy.references
    ]
    return copy
