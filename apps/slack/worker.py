"""One job at a time per Slack thread, off the request path.

Each key (a thread's key) has a FIFO queue and, while it has work, one daemon
thread draining it. Different threads run in parallel; one thread's turns
never overlap. `wait_idle` lets tests (and shutdown) wait for all work to end.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

Job = Callable[[], None]
log = logging.getLogger(__name__)


class ThreadQueues:
    """Per-key serial job queues, each drained by its own worker thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queues: dict[str, deque[Job]] = {}
        self._closed = False

    def submit(self, key: str, job: Job) -> int:
        """Queue `job` for `key`; return how many jobs run before it (0: it starts now).

        Raises:
            RuntimeError: the queues were closed (the bot is shutting down).
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the bot is shutting down")
            queue = self._queues.get(key)
            if queue is not None:
                queue.append(job)
                # the job at the head of the queue is the one running now
                return len(queue) - 1
            self._queues[key] = deque([job])
        threading.Thread(target=self._drain, args=(key,), name=f"slack:{key}", daemon=True).start()
        return 0

    def busy(self, key: str) -> bool:
        """True while `key` has a job running or waiting."""
        with self._lock:
            return key in self._queues

    def _drain(self, key: str) -> None:
        while True:
            with self._lock:
                job = self._queues[key][0]
            try:
                job()
            except Exception:  # a job's own boundary should catch; never kill the worker
                log.exception("a Slack job for %s failed", key)
            with self._lock:
                queue = self._queues[key]
                queue.popleft()
                if not queue:
                    del self._queues[key]
                    self._changed.notify_all()
                    return

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is running or queued; False if `timeout` passed first."""
        with self._lock:
            return self._changed.wait_for(lambda: not self._queues, timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Refuse new jobs and wait for the queued ones to finish."""
        with self._lock:
            self._closed = True
        return self.wait_idle(timeout)
