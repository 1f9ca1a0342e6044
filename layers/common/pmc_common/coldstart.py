"""The cold start's garbage-collection pause: the cyclic collector is off while a function imports and
answers its first invocation (begin, first thing in each service package), then everything that survived
is frozen out of later collections and the collector runs again (end, from pmc_common.instrument).

Import allocates hundreds of thousands of long-lived objects (modules, classes, pydantic validators) and
the collector would walk them again and again: about 300-400 ms of a cold start (bench/RESULTS.md). Only in
a Lambda environment (LAMBDA_TASK_ROOT), one process per function; the local stack and the tests run many
functions in one long process and keep the collector as it is. SnapStart-safe: creates nothing."""

from __future__ import annotations

import gc
import os

_paused = False


def begin() -> None:
    """Pause collection for the cold start, in a Lambda environment only."""
    global _paused
    if os.environ.get("LAMBDA_TASK_ROOT") and gc.isenabled():
        gc.disable()
        _paused = True


def end() -> None:
    """After the first invocation: freeze what init and the first request made, collect again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
