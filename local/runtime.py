"""In-process Lambda runtime: every function runs in its own execution environment, as on Lambda.

An environment is one dedicated thread with its own asyncio event loop (Mangum asks for the thread's
loop on every call); the cold start (importing the handler) happens inside it, and invocations queue
to it and run one at a time, in arrival order. Different functions run in parallel. The runtime
remembers a function whose init failed or whose last invocation raised, for /_local/health, until
its next success. This module never changes a handler's event or result."""

from __future__ import annotations

import asyncio
import importlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from local.events import LambdaContext
from local.template import Function

log = logging.getLogger("local.runtime")

Handler = Callable[[Any, Any], Any]
T = TypeVar("T")
Phase = Literal["init", "invoke"]


class RuntimeClosed(RuntimeError):
    """The runtime was closed (the stack is stopping): no more invocations."""


@dataclass(frozen=True)
class FunctionFailure:
    """A function whose init failed or whose last invocation raised; `error` is the exception's class
    only, since a message may carry a request's personal data (the stack's log has the traceback)."""

    function: str
    phase: Phase
    error: str
    at: str


@dataclass
class _Work:
    future: Future[Any]
    run: Callable[[Handler], Any]
    invocation: bool


_STOP = object()


class ExecutionEnvironment:
    """One function's execution environment: a daemon thread that owns an event loop and the handler."""

    def __init__(self, function: Function, report: Callable[[str, FunctionFailure | None], None]):
        self.function = function
        self._report = report
        self._queue: queue.SimpleQueue[_Work | object] = queue.SimpleQueue()
        self._handler: Handler | None = None
        self._closed = False
        self._lock = threading.Lock()  # orders submit() against close(): nothing is queued after _STOP
        self._thread = threading.Thread(target=self._serve, name=f"lambda-{function.logical_id}", daemon=True)
        self._thread.start()

    def submit(self, run: Callable[[Handler], T], *, invocation: bool) -> Future[T]:
        """Queue `run(handler)` to this environment; the handler is imported first if it is not yet."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeClosed(f"{self.function.logical_id}: the local runtime is closed")
            self._queue.put(_Work(future, run, invocation))
        return future

    def close(self, timeout: float) -> None:
        """Cancel what is still queued and let the thread end; a handler still running is not waited for
        beyond `timeout` (Lambda would have frozen it; a thread cannot be)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(_STOP)
        self._thread.join(timeout)

    # ---------------------------------------------------------------- the thread

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            while True:
                work = self._queue.get()
                if not isinstance(work, _Work):
                    return
                if self._closed:
                    work.future.cancel()
                    continue
                if not work.future.set_running_or_notify_cancel():
                    continue  # its caller gave up (a client went away) before it started
                if loop.is_closed():  # a handler closed it: Lambda's next invocation would still work
                    loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)  # again each time: asyncio.run() in a handler unsets it
                self._run(work)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    def _run(self, work: _Work) -> None:
        try:
            handler = self._initialise()
        except BaseException as exc:
            self._report(self.function.logical_id, self._failure("init", exc))
            work.future.set_exception(exc)
            return
        try:
            result = work.run(handler)
        except BaseException as exc:
            if work.invocation:
                self._report(self.function.logical_id, self._failure("invoke", exc))
            work.future.set_exception(exc)
            return
        if work.invocation:
            self._report(self.function.logical_id, None)
        work.future.set_result(result)

    def _initialise(self) -> Handler:
        """The cold start, in this thread: import the handler's module (again after a failed init, as
        Lambda retries init on the next invocation)."""
        if self._handler is None:
            module_name, _, attribute = self.function.handler.rpartition(".")
            started = time.perf_counter()
            module = importlib.import_module(module_name)
            self._handler = getattr(module, attribute)
            log.info("init %s %dms", self.function.logical_id, (time.perf_counter() - started) * 1000)
        return self._handler

    def _failure(self, phase: Phase, exc: BaseException) -> FunctionFailure:
        at = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        return FunctionFailure(self.function.logical_id, phase, type(exc).__name__, at)


class LambdaRuntime:
    """Invokes the template's functions, each in its own execution environment (started on first use)."""

    def __init__(self, functions: dict[str, Function]):
        self.functions = functions
        self._environments: dict[str, ExecutionEnvironment] = {}
        self._failures: dict[str, FunctionFailure] = {}
        self._lock = threading.Lock()
        self._closed = False

    def environment(self, logical_id: str) -> ExecutionEnvironment:
        with self._lock:
            if self._closed:
                raise RuntimeClosed("the local runtime is closed")
            environment = self._environments.get(logical_id)
            if environment is None:
                environment = ExecutionEnvironment(self.functions[logical_id], self._record)
                self._environments[logical_id] = environment
            return environment

    def submit(self, logical_id: str, event: Any) -> Future[Any]:
        """Queue one invocation; the future holds the handler's result or its exception."""
        function = self.functions[logical_id]

        def invoke(handler: Handler) -> Any:
            # The context (and its deadline) starts with the invocation, not while it waits in the queue.
            context = LambdaContext(function.logical_id, function.memory_size, function.timeout)
            started = time.monotonic()
            try:
                return handler(event, context)
            finally:
                elapsed = time.monotonic() - started
                if elapsed > function.timeout:
                    # Lambda would have killed the invocation; a thread cannot be, so say it loudly.
                    log.warning("%s ran %.1fs, over its %ds Timeout", logical_id, elapsed, function.timeout)

        return self.environment(logical_id).submit(invoke, invocation=True)

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke and wait: the handler's result, or its exception raised here."""
        return self.submit(logical_id, event).result()

    def call(self, logical_id: str, work: Callable[[], T]) -> T:
        """Run `work` inside the function's environment, after its init (e.g. reading its app's OpenAPI)."""
        return self.submit_call(logical_id, work).result()

    def submit_call(self, logical_id: str, work: Callable[[], T]) -> Future[T]:
        """Queue `work` to the function's environment, after its init; not an invocation of its handler, so a
        failure of `work` is the caller's, not the function's (/_local/health does not count it)."""
        return self.environment(logical_id).submit(lambda handler: work(), invocation=False)

    def handler(self, logical_id: str) -> Handler:
        """The function's handler, initialised in its environment (a cold start if it was not yet)."""
        handler: Handler = self.environment(logical_id).submit(lambda loaded: loaded, invocation=False).result()
        return handler

    def failures(self) -> list[FunctionFailure]:
        """Functions whose init failed or whose last invocation raised, by logical id."""
        with self._lock:
            return [self._failures[name] for name in sorted(self._failures)]

    def close(self, timeout: float = 2.0) -> None:
        """Stop every environment: queued invocations are cancelled. Safe to call twice."""
        with self._lock:
            self._closed = True
            environments = list(self._environments.values())
            self._environments.clear()
        deadline = time.monotonic() + timeout
        for environment in environments:
            environment.close(max(0.0, deadline - time.monotonic()))

    def _record(self, logical_id: str, failure: FunctionFailure | None) -> None:
        with self._lock:
            if failure is None:
                self._failures.pop(logical_id, None)
            else:
                self._failures[logical_id] = failure
                log.debug("%s failed (%s): %s", logical_id, failure.phase, failure.error)
