"""The background importer of the web app: a thread that, at start, puts items a stopped
server left running back in the queue (``jobs.recover``), then runs ``jobs.run_pending``
whenever an upload wakes it (and every ``interval`` seconds).  Parsing itself happens in
the importer's worker processes (or on a Dask cluster); this thread only dispatches and
stores."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger("gongkai.web")


class UploadWorker:
    def __init__(self, corpus, spool, limits, workers: int | None = None, executor: str = "process",
                 scheduler: str | None = None, interval: float = 5.0):
        self.corpus, self.spool, self.limits = corpus, spool, limits
        self.workers, self.executor, self.scheduler, self.interval = workers, executor, scheduler, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from ..corpus.jobs import recover
        n = recover(self.corpus, self.spool)
        if n:
            log.info("upload: %d item(s) left running by a stopped server queued again", n)
        self._thread = threading.Thread(target=self._loop, name="gongkai-upload", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        from ..corpus.jobs import run_pending
        while not self._stop.is_set():
            self._wake.clear()
            try:
                run_pending(self.corpus, self.spool, self.limits, workers=self.workers, executor=self.executor,
                            scheduler=self.scheduler, stop=self._stop.is_set)
            except Exception:          # the database is away, a bug …: logged, tried again later
                log.exception("upload worker")
            self._wake.wait(self.interval)
