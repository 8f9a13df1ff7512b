"""Half-written files: unique per process, renamed into place when complete, swept when dead.

Every file storyreel writes (takes, stills, cuts, sheets, timelines, references) is
first written next to its destination under a name of its own,
`.NAME.PID-RANDOM.partial.EXT`, and renamed into place only when complete. Two
processes never write the same partial file, and a reader never sees half a file.
A process killed mid-write (kill -9, power loss) leaves its partial behind; the next
run removes the partials whose process is gone (`remove_dead_partials`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.partial(?:\.[^.]+)?$")
_LEGACY = re.compile(r"^\..+\.partial(?:\.[^.]+)?$")

LEGACY_AGE_S = 600.0
"""Partials without a pid in their name (older storyreel) are removed after this long."""

ANY_AGE_S = 24 * 3600.0
"""Any partial this old is removed, even if its pid is alive (a reused pid)."""


def partial_path(path: Path) -> Path:
    """A unique name next to `path` to write it under: `.NAME.PID-RANDOM.partial.EXT`.

    The extension is kept, so tools that pick a format by extension (OTIO, ffmpeg) work.
    """
    path = Path(path)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f".{path.name}.{token}.partial{path.suffix}")


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (zombies count as gone)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would terminate it there; assume alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # Linux: a killed child not yet reaped is a zombie
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def is_partial(path: Path) -> bool:
    """True for a partial file's name (this storyreel's or an older one's)."""
    return bool(_PARTIAL.match(path.name) or _LEGACY.match(path.name))


def remove_dead_partials(folder: Path, name: str | None = None) -> list[Path]:
    """Remove partial files in `folder` left by processes that are gone.

    Args:
        folder: where to look (not recursive); a missing folder is fine.
        name: only partials of this destination file name (for folders that are not
            storyreel's own, such as the folder of an `export --cut` path).

    Returns:
        The files removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    for path in folder.glob(".*.partial*"):
        match = _PARTIAL.match(path.name)
        if name is not None and (match is None or match["name"] != name):
            continue
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if match is not None:
            dead = not pid_alive(int(match["pid"])) or age > ANY_AGE_S
        else:
            dead = bool(_LEGACY.match(path.name)) and age > LEGACY_AGE_S
        if dead:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def write_problem(path: Path) -> str | None:
    """Why a file cannot be written at `path`, or None: tried for real (a partial file is
    created next to it and removed), since `os.access` says yes to root even where the
    write fails (a read-only file system, a folder root may not write into)."""
    path = Path(path)
    probe = partial_path(path)
    try:
        with probe.open("xb") as handle:
            handle.write(b"\0")
    except OSError as error:
        return error.strerror or type(error).__name__
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    if path.exists() and not path.is_dir() and not os.access(path, os.W_OK):
        return "the file is read-only"
    return None


@contextmanager
def replaced_when_written(path: Path) -> Iterator[Path]:
    """Yield a partial name to write `path` under; when the block ends without an error the
    partial replaces `path` (an atomic rename), otherwise it is removed and the error goes on.
    A reader never sees a half-written `path`."""
    partial = partial_path(path)
    try:
        yield partial
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
