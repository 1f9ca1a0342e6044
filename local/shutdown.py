"""The stop request of `python -m local`: signal handlers that never block, however many signals arrive.

A Python signal handler runs in the main thread between two bytecodes, even inside another handler or
while the main thread holds a lock, so a handler that takes a lock (threading.Event.set() does) can wait
forever on one its own thread holds. This one only sets a flag. The main thread sleeps on a pipe that
the interpreter's C-level handler writes to (signal.set_wakeup_fd), so a signal the kernel delivers to
another thread still wakes it at once."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Iterable
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_SECONDS = 1.0  # a backstop only: the wake-up pipe ends the wait at once


class StopRequest:
    """Set by signals (or `request()` from any thread), awaited by the main thread with `wait()`."""

    def __init__(self) -> None:
        self.requested = False
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)  # a full pipe already holds a wake-up: never wait on it
        self._previous_wakeup_fd: int | None = None

    def install(self, signums: Iterable[int] = STOP_SIGNALS) -> None:
        """Handle `signums` and wake `wait()` on each (from the main thread, as Python requires)."""
        self._previous_wakeup_fd = signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
        for signum in signums:
            signal.signal(signum, self.handle)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: one assignment. No lock, no I/O, no logging, nothing that can block or raise."""
        self.requested = True

    def request(self) -> None:
        """Ask for the stop from code (any thread)."""
        self.requested = True
        with contextlib.suppress(OSError):  # full (a wake-up is pending) or closed meanwhile
            os.write(self._write_fd, b"\0")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested (True) or `timeout` seconds pass (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.requested:
            remaining = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
            if remaining <= 0:
                break
            try:
                readable, _, _ = select.select([self._read_fd], [], [], remaining)
            except (OSError, ValueError):  # closed meanwhile
                break
            if readable:
                self._drain()
            # The loop's next test runs after the interpreter has run any pending handler.
        return self.requested

    def close(self) -> None:
        """Give the wake-up fd back and close the pipe; later signals only set the flag. Safe to call twice."""
        if self._previous_wakeup_fd is not None:
            with contextlib.suppress(ValueError):  # not the main thread: leave the wake-up fd alone
                signal.set_wakeup_fd(self._previous_wakeup_fd)
            self._previous_wakeup_fd = None
        read_fd, write_fd = self._read_fd, self._write_fd
        self._read_fd = self._write_fd = -1
        for fd in (read_fd, write_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            while os.read(self._read_fd, 512):
                pass
