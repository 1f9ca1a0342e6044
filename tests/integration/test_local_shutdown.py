"""`python -m local`'s stop request: a signal handler that never blocks, nested in itself or in the wait,
and a wait that wakes for a signal whichever thread the kernel delivers it to. The scenarios with real
signals run in a child interpreter, so a regression times out there instead of hanging the test run."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from local.shutdown import StopRequest

REPO_ROOT = Path(__file__).resolve().parents[2]
BOUND_SECONDS = 30  # a bound, not an expectation: each scenario takes well under a second


def run_child(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=BOUND_SECONDS,
        check=False,
    )


def with_nested_signals(stop: StopRequest, work: Callable[[], object]) -> bool:
    """Run `work` in a thread, delivering a "signal" (the handler, nested) at every line it executes,
    as CPython may between any two bytecodes; True when it finished."""

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            stop.handle(signal.SIGTERM, None)
        return trace

    def traced() -> None:
        sys.settrace(trace)
        try:
            work()
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=traced, daemon=True)
    thread.start()
    thread.join(BOUND_SECONDS)
    return not thread.is_alive()


def test_a_handler_interrupted_by_another_signal_never_blocks() -> None:
    stop = StopRequest()
    try:
        assert with_nested_signals(stop, lambda: stop.handle(signal.SIGINT, None))
        assert with_nested_signals(stop, lambda: stop.wait(0.5))
        assert with_nested_signals(stop, stop.request)
        assert stop.wait(0)
    finally:
        stop.close()


def test_a_signal_delivered_to_another_thread_wakes_the_waiting_main_thread() -> None:
    """The main thread blocks SIGTERM, so the kernel must deliver it to the other thread; the wait has no
    backstop poll here: only the wake-up pipe can end it."""
    result = run_child(
        """
        import os, signal, threading
        import local.shutdown as shutdown
        shutdown.POLL_SECONDS = 3600
        stop = shutdown.StopRequest()
        stop.install()
        go = threading.Event()
        def sender():
            go.wait()
            os.kill(os.getpid(), signal.SIGTERM)
        thread = threading.Thread(target=sender)
        thread.start()  # before the mask: it can take the signal
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        go.set()
        assert stop.wait()
        print("woken")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "woken"


def test_a_storm_of_stop_signals_never_deadlocks() -> None:
    """Signals by the thousand (SIGINT, SIGTERM, SIGHUP) while the main thread keeps asking whether to stop;
    with a handler that takes a lock (threading.Event.set()) this deadlocks within a second."""
    result = run_child(
        """
        import os, signal, threading, time
        from local.shutdown import StopRequest
        stop = StopRequest()
        stop.install()
        done = threading.Event()
        def storm():
            kinds = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
            for n in range(200_000):
                if done.is_set():
                    return
                os.kill(os.getpid(), kinds[n % 3])
        thread = threading.Thread(target=storm, daemon=True)
        thread.start()
        end = time.monotonic() + 2
        while thread.is_alive() and time.monotonic() < end:
            stop.wait(0.0001)
        done.set()
        thread.join()
        print("stopped", stop.requested)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped True"
