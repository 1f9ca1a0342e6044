"""The local Lambda runtime: each function is one execution environment (its own thread and event loop),
cold-started inside it, invoking one event at a time; failures are remembered for /_local/health until
the function's next success. Handlers here are small modules written to a temporary directory."""

from __future__ import annotations

import sys
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from local.runtime import LambdaRuntime, RuntimeClosed
from local.template import Function

BOUND_SECONDS = 30  # a bound for waits, never expected

WriteModule = Callable[[str], str]  # source -> the name of a new importable module
RuntimeOf = Callable[..., LambdaRuntime]  # functions -> a runtime, closed at teardown

HANDLER = """
import asyncio, threading, time

imported_in = threading.current_thread().name
running = 0
most_at_once = 0
lock = threading.Lock()

def handler(event, context):
    global running, most_at_once
    with lock:
        running += 1
        most_at_once = max(most_at_once, running)
    try:
        if event.get("asyncio_run"):
            asyncio.run(asyncio.sleep(0))  # leaves the thread without a current loop
            return "ran"
        if event.get("close_loop"):
            asyncio.get_event_loop().close()
            return "closed"
        if event.get("crash"):
            raise RuntimeError("asked to crash")
        if event.get("started"):
            event["started"].set()
        if event.get("wait_for"):
            assert event["wait_for"].wait(30)
        # What Mangum does on every call: run the ASGI cycle on the thread's current loop.
        loop = asyncio.get_event_loop()
        return {"thread": threading.current_thread().name, "loop": id(loop), "n": event.get("n"),
                "answer": loop.run_until_complete(asyncio.sleep(0.001, result=42))}
    finally:
        with lock:
            running -= 1
"""


@pytest.fixture
def write_module(tmp_path: Path) -> Iterator[WriteModule]:
    names: list[str] = []
    sys.path.insert(0, str(tmp_path))

    def write(source: str) -> str:
        name = f"local_runtime_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        names.append(name)
        return name

    yield write
    sys.path.remove(str(tmp_path))
    for name in names:
        sys.modules.pop(name, None)


def function(logical_id: str, module: str, tmp: Path = Path()) -> Function:
    return Function(logical_id=logical_id, code_uri=tmp, handler=f"{module}.handler", environment={}, timeout=30)


@pytest.fixture
def runtime_of() -> Iterator[RuntimeOf]:
    made: list[LambdaRuntime] = []

    def make(*functions: Function) -> LambdaRuntime:
        runtime = LambdaRuntime({f.logical_id: f for f in functions})
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()


def test_parallel_invocations_run_one_at_a_time_in_the_functions_own_thread_and_loop(
    write_module: WriteModule,
    runtime_of: RuntimeOf,
) -> None:
    module = write_module(HANDLER)
    runtime = runtime_of(function("Api", module))
    with ThreadPoolExecutor(max_workers=30) as callers:
        results = list(callers.map(lambda n: runtime.invoke("Api", {"n": n}), range(30)))
    assert [r["answer"] for r in results] == [42] * 30
    assert {r["thread"] for r in results} == {"lambda-Api"}
    assert len({r["loop"] for r in results}) == 1
    loaded = sys.modules[module]
    assert loaded.imported_in == "lambda-Api"  # the cold start happened inside the environment
    assert loaded.most_at_once == 1


def test_different_functions_run_in_parallel(write_module: WriteModule, runtime_of: RuntimeOf) -> None:
    runtime = runtime_of(function("Slow", write_module(HANDLER)), function("Quick", write_module(HANDLER)))
    release = threading.Event()
    slow = runtime.submit("Slow", {"wait_for": release})
    assert runtime.invoke("Quick", {"n": 1})["answer"] == 42  # not queued behind Slow
    release.set()
    assert slow.result(BOUND_SECONDS)["thread"] == "lambda-Slow"


def test_a_handler_that_unsets_or_closes_its_loop_does_not_break_the_next_invocation(
    write_module: WriteModule,
    runtime_of: RuntimeOf,
) -> None:
    runtime = runtime_of(function("Api", write_module(HANDLER)))
    assert runtime.invoke("Api", {"asyncio_run": True}) == "ran"
    assert runtime.invoke("Api", {"n": 2})["answer"] == 42
    assert runtime.invoke("Api", {"close_loop": True}) == "closed"
    assert runtime.invoke("Api", {"n": 3})["answer"] == 42
    assert runtime.failures() == []


def test_an_invocation_that_raises_is_reported_until_the_functions_next_success(
    write_module: WriteModule,
    runtime_of: RuntimeOf,
) -> None:
    runtime = runtime_of(function("Api", write_module(HANDLER)), function("Other", write_module(HANDLER)))
    with pytest.raises(RuntimeError, match="asked to crash"):
        runtime.invoke("Api", {"crash": True})
    [failure] = runtime.failures()
    assert (failure.function, failure.phase, failure.error) == ("Api", "invoke", "RuntimeError")
    runtime.invoke("Other", {})
    assert [f.function for f in runtime.failures()] == ["Api"]
    runtime.invoke("Api", {})
    assert runtime.failures() == []


def test_a_failed_init_is_reported_and_retried_on_the_next_invocation(
    write_module: WriteModule,
    runtime_of: RuntimeOf,
    tmp_path: Path,
) -> None:
    flag = tmp_path / "broken"
    flag.write_text("yes")
    module = write_module(
        f"""
        import pathlib
        if pathlib.Path({str(flag)!r}).exists():
            raise ImportError("a setting is missing")
        def handler(event, context):
            return "ok"
        """
    )
    runtime = runtime_of(function("Api", module))
    with pytest.raises(ImportError):
        runtime.invoke("Api", {})
    [failure] = runtime.failures()
    assert (failure.function, failure.phase, failure.error) == ("Api", "init", "ImportError")
    flag.unlink()
    assert runtime.invoke("Api", {}) == "ok"
    assert runtime.failures() == []


def test_closing_cancels_what_is_queued_and_refuses_more(
    write_module: WriteModule,
    runtime_of: RuntimeOf,
) -> None:
    runtime = runtime_of(function("Api", write_module(HANDLER)))
    started, release = threading.Event(), threading.Event()
    running = runtime.submit("Api", {"started": started, "wait_for": release})
    queued = runtime.submit("Api", {"n": 2})
    assert started.wait(BOUND_SECONDS)
    runtime.close(timeout=0)  # the stack stopping: nothing waits for the running one
    release.set()
    assert running.result(BOUND_SECONDS)["answer"] == 42
    assert queued.cancelled()
    with pytest.raises(RuntimeClosed):
        runtime.submit("Api", {})
