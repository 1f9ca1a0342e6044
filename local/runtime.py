"""In-process Lambda runtime: imports each function's handler once and invokes it with a context.

Handlers run in the caller's thread (the gateway calls from a worker thread); this module never
changes a handler's event or result."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from local.events import LambdaContext
from local.template import Function

log = logging.getLogger("local.runtime")

Handler = Callable[[Any, Any], Any]


class LambdaRuntime:
    """Resolves `module.attribute` handlers lazily (first invocation is the cold start) and calls them."""

    def __init__(self, functions: dict[str, Function]):
        self.functions = functions
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def handler(self, logical_id: str) -> Handler:
        with self._lock:
            if logical_id not in self._handlers:
                function = self.functions[logical_id]
                module_name, _, attribute = function.handler.rpartition(".")
                started = time.perf_counter()
                module = importlib.import_module(module_name)
                self._handlers[logical_id] = getattr(module, attribute)
                log.info("init %s %dms", logical_id, (time.perf_counter() - started) * 1000)
            return self._handlers[logical_id]

    def invoke(self, logical_id: str, event: Any) -> Any:
        function = self.functions[logical_id]
        context = LambdaContext(function.logical_id, function.memory_size, function.timeout)
        handler = self.handler(logical_id)
        started = time.monotonic()
        try:
            return handler(event, context)
        finally:
            elapsed = time.monotonic() - started
            if elapsed > function.timeout:
                # Lambda would have killed the invocation; a thread cannot be, so say it loudly.
                log.warning("%s ran %.1fs, over its %ds Timeout", logical_id, elapsed, function.timeout)
