"""Compiled render requests and their hashes, kept while nothing they read has changed.

Deciding which shots need a render compiles every shot's request and hashes it
(sha256 over the request and the bytes of its input files); the render that
follows compiles the same requests again, and the chat app asks after every
event. This module keeps, in the process, what was compiled and hashed, keyed
by everything a request is compiled from, so the same inputs are compiled once:

- the plan's bible (title, style, characters, locations, references), the shot
  itself (every field but `selected_take`, which only the take bookkeeping
  reads), the seed, the backend, the model, the run's options and the retake
  hint (the key `rendering._Run.compile` builds);
- the shot it continues from: that shot's selected take and the last frame
  of it that becomes the first frame (path and bytes); or the shot's picked
  still (its number and file: tools/keyframes.py);
- the bytes of every file the request names (references, first frame, motion
  video, audio), checked again on every hit: a changed file misses.

`compile_request` reads only the bible and the shot (and the previous take
through `first_frame_of`, the picked still through `keyframe_of`); if it ever
reads other shots, they belong in the key
(tests/test_tui_redraw.py checks this on the demo story).

File bytes are known by their sha256, recomputed whenever the file's size,
modification or change time, inode or device differ from when it was hashed.
A file changed within a moment of being hashed could keep the same times
(coarse file-system clocks), so a digest is only trusted when the file had
not changed for `SETTLED_S` seconds before it was hashed (git's "racily clean"
rule).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from storyreel.renderer.request import RenderRequest

SETTLED_S = 2.0
"""A file unchanged for this long before it was hashed keeps its digest while its
stat is the same; a fresher one is hashed again on the next look."""

MAX_FILES = 65_536
MAX_REQUESTS = 8_192
"""Entries kept (least recently used dropped first): a 500-shot story on two
backends with a retake hint each is 2,000 requests."""


@dataclass(frozen=True)
class _Stat:
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int


@dataclass(frozen=True)
class _Digest:
    stat: _Stat
    digest: str
    trusted: bool


class FileDigests:
    """sha256 of files, reused while a settled file's stat is unchanged (thread-safe)."""

    def __init__(self, max_files: int = MAX_FILES) -> None:
        self._known: OrderedDict[str, _Digest] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_files
        self.hashed = 0
        """Files read and hashed (for tests and benchmarks)."""

    def digest(self, path: Path) -> str:
        """The file's sha256 ("missing:<path>" when it is not a file), as
        `renderer.request.file_digest` gives it."""
        key = str(path)
        before = time.time_ns()
        try:
            info = os.stat(path)
        except OSError:
            info = None
        if info is None or not S_ISREG(info.st_mode):
            with self._lock:
                self._known.pop(key, None)
            return f"missing:{path}"
        stat = _Stat(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        with self._lock:
            known = self._known.get(key)
            if known is not None and known.trusted and known.stat == stat:
                self._known.move_to_end(key)
                return known.digest
        digest = _sha256(path)
        if digest is None:  # gone between stat and read
            return f"missing:{path}"
        settled = before - max(stat.mtime_ns, stat.ctime_ns) > SETTLED_S * 1e9
        with self._lock:
            self.hashed += 1
            self._known[key] = _Digest(stat, digest, settled)
            self._known.move_to_end(key)
            while len(self._known) > self._max:
                self._known.popitem(last=False)
        return digest

    def settled(self, path: Path) -> str | None:
        """The digest of a settled file hashed before and unchanged since (its stat is
        the same), without reading it; None when it has to be hashed (or is missing).

        Only paths checked to be inside the project are ever hashed here, so a path
        found here was checked: `rendering.take_is_intact` skips resolving it again.
        """
        try:
            info = os.stat(path)
        except OSError:
            return None
        stat = _Stat(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        with self._lock:
            known = self._known.get(str(path))
        if known is not None and known.trusted and known.stat == stat:
            return known.digest
        return None

    def clear(self) -> None:
        with self._lock:
            self._known.clear()


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, IsADirectoryError):
        return None
    return digest.hexdigest()


FILES = FileDigests()
"""The process's file digests (take files, references, first frames)."""


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes ("missing:<path>" when it does not exist), reused while
    the file is unchanged."""
    return FILES.digest(path)


def request_files(request: RenderRequest) -> tuple[str, ...]:
    """Paths of the files a request names, in the order its hash reads them."""
    named = [request.first_frame, request.motion_video, request.audio]
    return tuple(
        [path for path in named if path] + [reference.path for reference in request.references]
    )


def request_hashes(request: RenderRequest) -> tuple[str, str]:
    """(content hash, request hash) of `request`: the same values as its `content_hash()`
    and `request_hash()`, with file bytes read through the digest cache."""
    data = request.model_dump(mode="json")
    for key in ("first_frame", "motion_video", "audio"):
        if data[key]:
            data[key] = file_digest(Path(data[key]))
    for reference in data["references"]:
        reference["path"] = file_digest(Path(reference["path"]))
    request_hash = _hash(data)
    data.pop("seed")
    return _hash(data), request_hash


def _hash(data: dict[str, object]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class CompiledRequest:
    """A compiled request and its hashes.

    `request` is shared by everyone who compiles the same inputs: read it, and give
    a backend `request.model_copy(deep=True)`, never the shared one.
    """

    request: RenderRequest
    content_hash: str
    request_hash: str
    files: tuple[tuple[str, str], ...]
    """(path, sha256) of every file the request names, as hashed."""

    @classmethod
    def of(cls, request: RenderRequest) -> CompiledRequest:
        """Hash `request` (its files through the digest cache)."""
        files = tuple((path, file_digest(Path(path))) for path in request_files(request))
        content_hash, request_hash = request_hashes(request)
        return cls(request, content_hash, request_hash, files)

    def files_unchanged(self) -> bool:
        """True when every file the request names still has the bytes it was hashed with."""
        return all(file_digest(Path(path)) == digest for path, digest in self.files)


class RequestCache:
    """Compiled requests by the key of their inputs (thread-safe, least recently used
    dropped first). `hits` and `misses` count lookups (for tests and benchmarks)."""

    def __init__(self, max_requests: int = MAX_REQUESTS) -> None:
        self._entries: OrderedDict[Hashable, CompiledRequest] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_requests
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compile: Callable[[], RenderRequest]) -> CompiledRequest:
        """The compiled request for `key`, compiled with `compile()` unless a request with
        the same key is kept and its files are unchanged. An error of `compile()` is
        raised and nothing is kept."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and entry.files_unchanged():
            with self._lock:
                self.hits += 1
            return entry
        compiled = CompiledRequest.of(compile())
        keep = compiled.files_unchanged()  # a file changed while hashing: keep nothing
        with self._lock:
            self.misses += 1
            if keep:
                self._entries[key] = compiled
                self._entries.move_to_end(key)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


REQUESTS = RequestCache()
"""The process's compiled requests: shared by the estimate, the render and the chat app."""
