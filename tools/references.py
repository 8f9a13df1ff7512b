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

from storyreel.renderer.video_io import (
    MAX_IMAGE_PIXELS,
    damage_problem,
    decode_problem,
    image_header_size,
    probe_media,
)
from storyreel.tools.edits import AddReference, EditContext, apply_edits
from storyreel.tools.errors import ConflictError, InvalidInputError, StoryreelError
from storyreel.tools.motion_ref import measure_motion
from storyreel.tools.partial_files import replaced_when_written
from storyreel.tools.project import Project
from storyreel.tools.story import Reference, StoryPlan
from storyreel.tools.vocabulary import MediaKind, ReferenceRole

MAX_BYTES = 500 * 1024 * 1024
"""Largest reference file accepted (500 MB)."""
MAX_MEDIA_S = 120.0
"""Longest video or audio reference accepted, in seconds."""
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
"""A --name, matched whole (fullmatch: "evil\\n" is refused, unlike with `$`)."""
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


def _image_too_large(path: Path, width: int, height: int) -> InvalidInputError:
    return InvalidInputError(
        f"{path.name} is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
        f"images may have at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels: scale it down "
        f"first, e.g. ffmpeg -i {path.name} -vf scale=1920:-2 smaller.png"
    )


def _probe(path: Path) -> dict[str, object]:
    """Kind and measurements of a media file; raises a teaching error for anything else.

    An image is measured from its header alone (nothing is decoded), so a small
    file that would decode to gigabytes is refused before it costs anything.
    """
    size = image_header_size(path)
    if size is not None:
        width, height, frames = size
        if width * height > MAX_IMAGE_PIXELS:
            raise _image_too_large(path, width, height)
        if frames == 1:
            try:  # chunk checksums and structure, without decoding the pixels
                with Image.open(path) as image:
                    image.verify()
            except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
                raise InvalidInputError(
                    f"{path.name} is a damaged image ({error}): save it again from an "
                    "image editor, as PNG or JPEG"
                ) from error
            return {"kind": MediaKind.IMAGE, "width": width, "height": height}
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
    damage = damage_problem(path, "v" if info.has_video else "a")
    if damage is not None:
        raise InvalidInputError(
            f"{path.name} is damaged or cut short, so not all of it can be decoded "
            f"({damage.split('] ')[-1]}); use the complete original file"
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


def taken_handles(plan: StoryPlan) -> set[str]:
    """Every @handle in use: references' handles and names, characters, locations."""
    taken = {r.handle for r in plan.references} | {r.name for r in plan.references if r.name}
    return taken | {c.handle for c in plan.characters} | {loc.handle for loc in plan.locations}


def next_handle(plan: StoryPlan, kind: MediaKind) -> str:
    """The next automatic handle for a kind (@image3 after @image1 and @image2).

    Handles taken otherwise (an audio reference named "image5") are skipped.
    """
    numbers = [
        int(match.group(1))
        for ref in plan.references
        if (match := re.fullmatch(rf"@{kind.value}(\d+)", ref.handle))
    ]
    number, taken = max(numbers, default=0) + 1, taken_handles(plan)
    while f"@{kind.value}{number}" in taken:
        number += 1
    return f"@{kind.value}{number}"


def _no_new_shot() -> int:
    raise AssertionError("adding a reference never adds a shot")


def _check_existing(
    plan: StoryPlan,
    source: Path,
    existing: Reference,
    name: str | None,
    entity: str | None,
    shot: int | None,
) -> None:
    """Refuse --name, --entity or --shot that the reference the file already is lacks."""
    handle = existing.handle
    already = f"{source.name} is already the reference {handle}"
    if name is not None and "@" + name.lstrip("@").lower() not in (existing.name, handle):
        raise ConflictError(
            f"{already}"
            + (f" (named {existing.name})" if existing.name else "")
            + "; a reference cannot be renamed: use its handle, or remove it (storyreel ref "
            f"remove {handle}) and add it again with --name"
        )
    if entity is not None:
        found = plan.find_character(entity) or plan.find_location(entity)
        if found is None or found.name != existing.entity:
            raise ConflictError(
                f"{already}, not bound to {entity}: bind it with storyreel ref bind {handle} "
                f"--entity {entity}"
            )
    if shot is not None and shot != existing.shot:
        raise ConflictError(
            f"{already}, not bound to shot {shot}: bind it with storyreel ref bind {handle} "
            f"--shot {shot}"
        )


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
    reference (then `reference` is the existing one; a --name, --entity or
    --shot it does not have is refused with the command that does it).

    Everything that can refuse the edit is checked before the file is copied:
    a refused reference leaves nothing behind in media/refs.
    """
    source = Path(source)
    if not source.is_file():
        raise InvalidInputError(f"no file at {source}")
    if source.stat().st_size == 0:
        raise InvalidInputError(f"{source.name} is empty")
    if name is not None and not _NAME_RE.fullmatch(name.lstrip("@").lower()):
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
        _check_existing(plan, source, existing, name, entity, shot)
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
    edit = AddReference(reference=reference)
    apply_edits(plan, [edit], EditContext(_no_new_shot))  # refused here: nothing copied yet
    if not target.exists():
        _copy_in(source, target)
    return edit, reference


def _copy_in(source: Path, target: Path) -> None:
    """Copy `source` to `target` through a partial file; a failed copy leaves nothing."""
    try:
        with replaced_when_written(target) as partial:
            shutil.copyfile(source, partial)
    except OSError as error:
        folder = target.parent
        why = error.strerror or type(error).__name__
        raise StoryreelError(
            f"cannot copy {source.name} into {folder} ({why}): make the folder writable "
            f"(e.g. chmod u+w {folder}) and free some disk space if it is full"
        ) from error


def attach_file(project: Project, path: Path, source: str) -> Reference:
    """Make the file at `path` a reference (one revision), or find the one it already is.

    Raises:
        StoryreelError: the file cannot be used (the message says why).
    """
    edit, reference = prepare_reference(project, Path(path))
    if edit is not None:
        project.memory.apply([edit], source=source)
    return reference
