"""What a backend is asked to render, and what it gives back.

A `RenderRequest` is complete: a backend needs nothing else (no story, no
database). Its `request_hash()` identifies the exact render (seed included),
its `content_hash()` identifies what the shot should look like (seed
excluded); both include the bytes of every input file, so changing a
reference image or a first frame changes the hash.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # numpy is imported where frames are handled, not to start up
    import numpy as np

MediaKindName = Literal["image", "video", "audio"]

ProgressCallback = Callable[[int, int, str], None]
"""Called as progress(step, total, message) while a backend works."""


class ReferenceInput(BaseModel):
    """One reference file given to a backend, with what it is for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    kind: MediaKindName
    role: str = Field(description="subject, location, style, motion, voice or soundtrack")
    handle: str = ""
    subject: str | None = Field(None, description="Name of the character/location it shows")


class RenderRequest(BaseModel):
    """Everything a backend needs to render one take.

    Args (fields):
        prompt: the full text prompt, entity descriptions included word for word.
        negative_prompt: what to avoid.
        width, height: frame size in pixels (multiples of 8).
        frames: number of frames to produce; fps: frames per second.
        seed: the random seed; the same request renders the same frames.
        first_frame: path of an image the take must open on (continuity).
        references: reference files with their roles.
        motion_video, audio: optional paths of a motion reference and a sound file.
        options: backend-specific settings, e.g. options["previz"] for the animatic.
    """

    model_config = ConfigDict(extra="forbid")

    prompt: str
    negative_prompt: str = ""
    width: int = Field(640, ge=16, le=4096)
    height: int = Field(360, ge=16, le=4096)
    frames: int = Field(96, ge=1, le=10_000)
    fps: int = Field(24, ge=1, le=120)
    seed: int = 0
    first_frame: str | None = None
    references: list[ReferenceInput] = Field(default_factory=list)
    motion_video: str | None = None
    audio: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    def _canonical(self, include_seed: bool) -> str:
        data = self.model_dump(mode="json")
        if not include_seed:
            data.pop("seed")
        for key in ("first_frame", "motion_video", "audio"):
            if data[key]:
                data[key] = file_digest(Path(data[key]))
        for ref in data["references"]:
            ref["path"] = file_digest(Path(ref["path"]))
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def request_hash(self) -> str:
        """Hash of the exact render (seed and input file bytes included)."""
        return hashlib.sha256(self._canonical(include_seed=True).encode()).hexdigest()

    def content_hash(self) -> str:
        """Hash of what the take should show: like `request_hash` but without the seed."""
        return hashlib.sha256(self._canonical(include_seed=False).encode()).hexdigest()

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes ("missing:<path>" when it does not exist)."""
    if not path.is_file():
        return f"missing:{path}"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class RenderResult:
    """What a backend produced: frames in memory (N, H, W, 3 uint8) or a video file."""

    frames: np.ndarray | None = None
    video_path: Path | None = None
    fps: int = 24
    timings: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.frames is None and self.video_path is None:
            raise ValueError("a RenderResult needs frames or a video_path")
        frames = self.frames
        if frames is not None and (
            str(frames.dtype) != "uint8" or frames.ndim != 4 or frames.shape[3] != 3
        ):
            raise ValueError(
                f"frames must be uint8 of shape (N, H, W, 3), got {frames.dtype} {frames.shape}"
            )


class RenderCancelled(Exception):
    """The render was cancelled through its CancelToken; nothing was produced."""


class CancelToken:
    """A flag a front end sets to stop a render; backends check it every step."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise RenderCancelled if cancellation was asked for."""
        if self._event.is_set():
            raise RenderCancelled("the render was cancelled")


def no_progress(step: int, total: int, message: str) -> None:
    """A progress callback that ignores progress."""
