"""Turning a backend's frames into a take file: the one encoder every executor uses.

A take is rendered the same way wherever it runs (this process or a cluster worker):
`write_take` encodes the frames a backend streams into an H.264 file (with the request's
sound, if any) and keeps the two stills storyreel saves beside every take (the middle
frame and the last one). A worker on another machine cannot read the driver's files, so a
request travels with the bytes of every file it names (`pack_inputs`) and the worker
writes them into a folder of its own (`unpack_inputs`); the request's hashes are computed
on the driver before it is packed, so they are the same for both ways of rendering.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyreel.renderer.request import RenderRequest


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
    """
    from storyreel.renderer.video_io import VideoWriter

    middle: np.ndarray | None = None
    last: np.ndarray | None = None
    written = 0
    writer: VideoWriter | None = None
    try:
        writer = VideoWriter(
            path,
            request.width,
            request.height,
            request.fps,
            Path(request.audio) if request.audio else None,
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
    return written, (middle if middle is not None else last), last


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
