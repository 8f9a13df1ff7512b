"""Reference media: files people bring (photos, clips, sounds), stored by content hash.

`prepare_reference` copies a file into the project's media/refs/ under its
sha256, probes it (kind, size, duration, frame rate, sample rate) and returns
the `AddReference` edit that registers it with an automatic handle (@image1,
@video1, @audio1: numbered per kind) - or the existing handle when the same
bytes are already a reference.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from storyreel.renderer.video_io import decode_problem, probe_media
from storyreel.tools.edits import AddReference
from storyreel.tools.errors import InvalidInputError
from storyreel.tools.motion_ref import measure_motion
from storyreel.tools.partial_files import partial_path
from storyreel.tools.project import Project
from storyreel.tools.story import Reference, StoryPlan
from storyreel.tools.vocabulary import MediaKind, ReferenceRole

MAX_BYTES = 500 * 1024 * 1024
"""Largest reference file accepted (500 MB)."""
MAX_MEDIA_S = 120.0
"""Longest video or audio reference accepted, in seconds."""
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DEFAULT_ROLES = {
    MediaKind.IMAGE: ReferenceRole.SUBJECT,
    MediaKind.VIDEO: ReferenceRole.MOTION,
    MediaKind.AUDIO: ReferenceRole.SOUNDTRACK,
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _probe(path: Path) -> dict[str, object]:
    """Kind and measurements of a media file; raises a teaching error for anything else."""
    try:
        with Image.open(path) as image:
            if getattr(image, "n_frames", 1) == 1:
                return {"kind": MediaKind.IMAGE, "width": image.width, "height": image.height}
    except (UnidentifiedImageError, OSError):
        pass
    try:
        info = probe_media(path)
    except ValueError as error:
        raise InvalidInputError(
            f"{path.name} is not an image, video or audio file storyreel can read: "
            "use e.g. PNG/JPEG, MP4/MOV/WebM, WAV/MP3"
        ) from error
    if info.has_video and not info.width:
        raise InvalidInputError(f"{path.name} uses a video codec storyreel cannot read")
    problem = decode_problem(path, "v" if info.has_video else "a")
    if problem is not None:
        what = "video" if info.has_video else "sound"
        example = "-c:v libx264 out.mp4" if info.has_video else "out.wav"
        raise InvalidInputError(
            f"{path.name}: its {what} cannot be decoded here ({problem.split('] ')[-1]}); "
            f"convert it first, e.g. ffmpeg -i {path.name} {example}"
        )
    if info.has_video:
        return {
            "kind": MediaKind.VIDEO,
            "width": info.width,
            "height": info.height,
            "fps": info.fps,
            "duration_s": info.duration_s,
            "motion": measure_motion(path, info.width or 0, info.height or 0, info.fps or 0),
        }
    return {"kind": MediaKind.AUDIO, "duration_s": info.duration_s, "sample_rate": info.sample_rate}


def next_handle(plan: StoryPlan, kind: MediaKind) -> str:
    """The next automatic handle for a kind (@image3 after @image1 and @image2)."""
    numbers = [
        int(match.group(1))
        for ref in plan.references
        if (match := re.fullmatch(rf"@{kind.value}(\d+)", ref.handle))
    ]
    return f"@{kind.value}{max(numbers, default=0) + 1}"


def prepare_reference(
    project: Project,
    source: Path,
    *,
    name: str | None = None,
    role: str | None = None,
    entity: str | None = None,
    shot: int | None = None,
) -> tuple[AddReference | None, Reference]:
    """Copy `source` into the project and build the edit that registers it.

    Returns (edit, reference); edit is None when the same file is already a
    reference (then `reference` is the existing one).
    """
    source = Path(source)
    if not source.is_file():
        raise InvalidInputError(f"no file at {source}")
    if source.stat().st_size == 0:
        raise InvalidInputError(f"{source.name} is empty")
    if name is not None and not _NAME_RE.match(name.lstrip("@").lower()):
        raise InvalidInputError(
            f"the name {name!r} is not usable as a handle: use up to 40 lowercase letters, "
            "digits and hyphens, e.g. mara-face"
        )
    if source.stat().st_size > MAX_BYTES:
        raise InvalidInputError(
            f"{source.name} is larger than {MAX_BYTES // (1024 * 1024)} MB; use a shorter clip"
        )
    sha = _sha256(source)
    plan = project.memory.plan()
    existing = next((r for r in plan.references if r.sha256 == sha), None)
    if existing is not None:
        return None, existing
    probed = _probe(source)
    kind = probed.pop("kind")
    length = probed.get("duration_s")
    if isinstance(length, float) and length > MAX_MEDIA_S:
        raise InvalidInputError(
            f"{source.name} lasts {length:.0f} s; references may last at most "
            f"{MAX_MEDIA_S:.0f} s: trim it first"
        )
    target = project.refs_dir / f"{sha}{source.suffix.lower()}"
    if not target.exists():
        partial = partial_path(target)
        shutil.copyfile(source, partial)
        partial.replace(target)
    reference = Reference(
        handle=next_handle(plan, kind),
        kind=kind,
        role=ReferenceRole(role) if role else DEFAULT_ROLES[kind],
        sha256=sha,
        path=str(target.relative_to(project.root)),
        name=("@" + name.lstrip("@").lower()) if name else None,
        entity=entity,
        shot=shot,
        **probed,
    )
    return AddReference(reference=reference), reference


def attach_file(project: Project, path: Path, source: str) -> Reference:
    """Make the file at `path` a reference (one revision), or find the one it already is.

    Raises:
        StoryreelError: the file cannot be used (the message says why).
    """
    edit, reference = prepare_reference(project, Path(path))
    if edit is not None:
        project.memory.apply([edit], source=source)
    return reference
