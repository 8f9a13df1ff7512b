"""One rendering process per project: an OS file lock on `render.lock` in the project folder.

The process that renders holds an exclusive `flock` on `<project>/render.lock` and
writes its pid into it. Another process that needs to render waits, saying once
"Another storyreel (pid N) is rendering this story; waiting…", or, asked not to wait,
refuses with `ProjectBusyError`. The kernel drops the lock when its holder exits,
however it exits (kill -9 included), so a stale lock never blocks a project; the
file itself stays (deleting a lock file races with the next holder).

Only rendering takes the lock. Plan edits, reading, critiquing and exporting go on
while a render runs: story.db writes are short transactions, and a registered take
file is never rewritten.

The lock is reentrant per `Project` object (a render inside a comparison inside an
agent turn holds it once). Two Project objects of one folder, such as two sessions
in one process, exclude each other as two processes do: flock locks belong to each
open file, not to the process.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from storyreel.tools.errors import ProjectBusyError, ProjectError

if TYPE_CHECKING:  # numpy loads only when something renders
    from storyreel.renderer.request import CancelToken

LOCK_NAME = "render.lock"
POLL_S = 0.1

WaitListener = Callable[[str], None]


def waiting_line(pid: int | None) -> str:
    """What a process says once when it waits for another one's render."""
    who = f"Another storyreel (pid {pid})" if pid else "Another storyreel"
    return f"{who} is rendering this story; waiting…"


def refusal_line(pid: int | None) -> str:
    """What a process that was asked not to wait says (nothing was changed)."""
    who = f"Another storyreel (pid {pid})" if pid else "Another storyreel"
    return (
        f"{who} is rendering this story; not waiting (--no-wait), nothing was changed: "
        "run it again when that render has finished, or without --no-wait to wait for it"
    )


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock on the first byte
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


class RenderLock:
    """The render lock of one project folder, as held by one `Project` object."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_NAME
        self._fd: int | None = None
        self._depth = 0
        self._mutex = threading.Lock()

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._depth > 0

    def holder_pid(self) -> int | None:
        """The pid written by the process holding the lock (None if unknown)."""
        for _ in range(5):  # a new holder writes its pid just after it got the lock
            try:
                text = self.path.read_text().strip()
            except OSError:
                return None
            if text.isdigit():
                return int(text)
            time.sleep(0.02)
        return None

    def acquire(
        self,
        *,
        wait: bool = True,
        on_wait: WaitListener | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        """Take the lock, waiting for another holder unless `wait` is False.

        Args:
            wait: False refuses at once when another process renders.
            on_wait: called once with `waiting_line(pid)` when this has to wait.
            cancel: stops the wait (raises RenderCancelled) when cancelled.

        Raises:
            ProjectBusyError: `wait` is False and another process holds the lock.
            RenderCancelled: `cancel` was set while waiting.
            ProjectError: the lock file cannot be created (a read-only project).
        """
        with self._mutex:
            if self._depth:
                self._depth += 1
                return
        fd = self._open()
        announced = False
        try:
            while not _try_lock(fd):
                pid = self.holder_pid()
                if not wait:
                    raise ProjectBusyError(refusal_line(pid), pid)
                if not announced:
                    announced = True
                    if on_wait is not None:
                        on_wait(waiting_line(pid))
                if cancel is not None and cancel.cancelled:
                    from storyreel.renderer.request import RenderCancelled

                    raise RenderCancelled("stopped while waiting for another render")
                time.sleep(POLL_S)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        with self._mutex:
            self._fd, self._depth = fd, 1

    def release(self) -> None:
        """Give the lock back (the outermost release of a reentrant hold unlocks)."""
        with self._mutex:
            if not self._depth:
                return
            self._depth -= 1
            if self._depth:
                return
            fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # no stale pid for the next reader
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)

    def close(self) -> None:
        """Release the lock whatever the depth (the project is being closed)."""
        with self._mutex:
            self._depth = min(self._depth, 1)
        self.release()

    @contextlib.contextmanager
    def holding(
        self,
        *,
        wait: bool = True,
        on_wait: WaitListener | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[None]:
        """Hold the lock for a block (see `acquire`)."""
        self.acquire(wait=wait, on_wait=on_wait, cancel=cancel)
        try:
            yield
        finally:
            self.release()

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ProjectError(
                f"cannot render in {self.path.parent}: the lock file {self.path.name} cannot "
                f"be opened ({error.strerror}); make the project folder writable"
            ) from error
