"""The handler threads: a fixed set of threads that take tasks from one queue and run them,
without the per-task future and locking of ``concurrent.futures``."""

import logging
import queue
import threading

from .logs import log_event

# Put on the queue once per thread to end it.
_STOP = object()


class HandlerThreads:
    """Run tasks on ``count`` daemon threads, in the order they were submitted."""

    def __init__(self, count, run):
        self._run = run
        self._queue = queue.SimpleQueue()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._serve, name=f"handler_{index}", daemon=True)
            for index in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, task):
        """Queue ``task`` for the next free thread."""
        self._queue.put(task)

    def shutdown(self):
        """Drop the tasks still queued and end each thread after its current task."""
        self._stopped = True
        for _ in self._threads:
            self._queue.put(_STOP)

    def _serve(self):
        take = self._queue.get
        run = self._run
        while True:
            task = take()
            if task is _STOP or self._stopped:
                return
            try:
                run(task)
            except Exception as error:  # noqa: BLE001 - one failed task must not end the thread
                log_event(logging.ERROR, "bridge.task_crashed", error=error)
