"""Jobs off the request path: one at a time per Slack thread, a few threads at a time.

Each key (a thread's key) has a FIFO queue; one thread's jobs never overlap.
At most `max_parallel` jobs run at once, on that many worker threads at most
(started when work comes, ended when none is left); a key whose next job waits
for a worker stands in one line with the others, first come first served, and
after each job a key with more work goes to the back of that line. `submit`
says where a new job stands so the person can be told. `wait_idle` lets tests
(and shutdown) wait for all work to end.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Job = Callable[[], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a submitted job stands.

    in_thread: jobs of the same key before it (they run first, one by one).
    behind: when in_thread is 0, jobs of other keys running or waiting for a
        worker before it (0: it starts now).
    """

    in_thread: int = 0
    behind: int = 0

    @property
    def starts_now(self) -> bool:
        return self.in_thread == 0 and self.behind == 0


class ThreadQueues:
    """Per-key serial job queues drained by a bounded pool of worker threads."""

    def __init__(self, max_parallel: int = 4, name: str = "slack") -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        self.max_parallel = max_parallel
        self.name = name
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queues: dict[str, deque[Job]] = {}
        self._ready: deque[str] = deque()  # keys whose next job waits for a worker
        self._running: set[str] = set()
        self._workers = 0
        self._started = 0
        self._closed = False

    def submit(self, key: str, job: Job) -> Place:
        """Queue `job` for `key` and say where it stands.

        Raises:
            RuntimeError: the queues were closed (the bot is shutting down).
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the bot is shutting down")
            queue = self._queues.get(key)
            if queue is not None:
                queue.append(job)
                # the job at the head of the queue is running or waiting for a worker
                return Place(in_thread=len(queue) - 1)
            self._queues[key] = deque([job])
            self._ready.append(key)
            ahead = len(self._running) + len(self._ready) - 1
            needed = len(self._running) + len(self._ready)
            start = self._workers < min(self.max_parallel, needed)
            if start:
                self._workers += 1
                self._started += 1
                number = self._started
        if start:
            threading.Thread(target=self._work, name=f"{self.name}-{number}", daemon=True).start()
        return Place(behind=ahead if ahead >= self.max_parallel else 0)

    def busy(self, key: str) -> bool:
        """True while `key` has a job running or waiting."""
        with self._lock:
            return key in self._queues

    @property
    def running(self) -> int:
        """How many jobs run right now."""
        with self._lock:
            return len(self._running)

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._ready:
                    self._workers -= 1
                    return
                key = self._ready.popleft()
                self._running.add(key)
                job = self._queues[key][0]
            try:
                job()
            except Exception:  # a job's own boundary should catch; never kill the worker
                log.exception("a Slack job for %s failed", key)
            with self._lock:
                self._running.discard(key)
                queue = self._queues[key]
                queue.popleft()
                if queue:
                    self._ready.append(key)  # its next job waits its turn behind the others
                else:
                    del self._queues[key]
                    if not self._queues:
                        self._changed.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is running or queued; False if `timeout` passed first."""
        with self._lock:
            return self._changed.wait_for(lambda: not self._queues, timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Refuse new jobs and wait for the queued ones to finish."""
        with self._lock:
            self._closed = True
        return self.wait_idle(timeout)
