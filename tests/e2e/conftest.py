"""End-to-end fixtures: the local stack started as a subprocess (`python -m local --port 0`), reached over HTTP.

`stack` runs the real template.yaml; `fixture_stack` runs tests/fixtures/local_stack with a signing key
the tests know, so they can forge expired, wrong-issuer and wrong-audience tokens.

Each stack serves DynamoDB from the engine DYNAMODB_ENGINE names (passed through): by default its own
DynamoDB Local, whose JVM must be gone once the stack has stopped (checked at every stop)."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROOT = REPO_ROOT / "tests" / "fixtures" / "local_stack"
START_TIMEOUT_SECONDS = 60
POLL_INTERVAL_SECONDS = 0.1
JVM_EXIT_SECONDS = 10
DYNAMODB_LOCAL_PID = re.compile(r"^dynamodb: DynamoDB Local .*\(pid (\d+)\)")

TokenFactory = Callable[..., str]


@dataclass
class RunningStack:
    base_url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # every line the stack printed

    def token(
        self, phone_number: str, groups: list[str] | None = None, ward: str | None = None, office: str | None = None
    ) -> str:
        return issue_token(self.base_url, phone_number, groups, ward, office)

    @property
    def dynamodb_local_pid(self) -> int | None:
        """The pid of the stack's DynamoDB Local (from its `dynamodb:` line), None on moto."""
        for line in self.output:
            if match := DYNAMODB_LOCAL_PID.match(line):
                return int(match.group(1))
        return None


def issue_token(
    base_url: str,
    phone_number: str,
    groups: list[str] | None = None,
    ward: str | None = None,
    office: str | None = None,
) -> str:
    body: dict[str, object] = {"phone_number": phone_number}
    if groups is not None:
        body["groups"] = groups
    if ward is not None:
        body["ward"] = ward
    if office is not None:
        body["office"] = office  # custom:office of a CFC clerk
    response = httpx.post(f"{base_url}/_local/token", json=body, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])


def start_stack(*args: str) -> RunningStack:
    """Start `python -m local --port 0 ARGS`, wait for the port and a healthy /_local/health."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {"PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", "0", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    base_url = None
    try:
        while base_url is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or process.poll() is not None:
                raise RuntimeError("local stack did not print its port:\n" + "\n".join(output))
            try:
                line = lines.get(timeout=min(remaining, 1))
            except queue.Empty:
                continue
            if line.startswith("listening on "):
                base_url = line.removeprefix("listening on ").strip()
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("local stack did not become healthy:\n" + "\n".join(output))
            try:
                if httpx.get(f"{base_url}/_local/health", timeout=2).status_code == 200:
                    running = RunningStack(base_url, process, output)
                    _stacks[process.pid] = running
                    return running
            except httpx.TransportError:
                pass
            time.sleep(POLL_INTERVAL_SECONDS)
    except BaseException:
        stop_stack(process)
        raise


_stacks: dict[int, RunningStack] = {}  # by the stack process's pid, for the JVM check at stop


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_stack(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    running = _stacks.pop(process.pid, None)
    jvm = running.dynamodb_local_pid if running else None
    if jvm is not None:
        deadline = time.monotonic() + JVM_EXIT_SECONDS
        while pid_alive(jvm) and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_SECONDS)
        if pid_alive(jvm):
            os.kill(jvm, signal.SIGKILL)
            raise AssertionError(f"the stack stopped but left its DynamoDB Local (pid {jvm}) running")
    return process.returncode


class Launcher:
    """Starts extra stacks for tests about the process itself; stops whatever is left at teardown."""

    fixture_root = FIXTURE_ROOT

    def __init__(self) -> None:
        self.started: list[RunningStack] = []

    def start(self, *args: str) -> RunningStack:
        running = start_stack(*args)
        self.started.append(running)
        return running

    @staticmethod
    def stop(running: RunningStack) -> int:
        return stop_stack(running.process)


@pytest.fixture
def launcher() -> Iterator[Launcher]:
    launcher = Launcher()
    yield launcher
    for running in launcher.started:
        stop_stack(running.process)


@pytest.fixture(scope="session")
def real_stack() -> Iterator[RunningStack]:
    """The local stack running the repository's template.yaml, with what it printed."""
    if not (REPO_ROOT / "template.yaml").is_file():
        pytest.skip("template.yaml does not exist yet")
    running = start_stack()
    try:
        yield running
    finally:
        stop_stack(running.process)


@pytest.fixture(scope="session")
def stack(real_stack: RunningStack) -> str:
    """Base URL of the local stack running the repository's template.yaml."""
    return real_stack.base_url


@pytest.fixture(scope="session")
def token(stack: str) -> TokenFactory:
    """token(phone, groups=None, ward=None, office=None) -> a bearer token from the stack's /_local/token."""

    def issue(
        phone_number: str, groups: list[str] | None = None, ward: str | None = None, office: str | None = None
    ) -> str:
        return issue_token(stack, phone_number, groups, ward, office)

    return issue


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def fixture_stack(tmp_path_factory: pytest.TempPathFactory, signing_key: rsa.RSAPrivateKey) -> Iterator[RunningStack]:
    """The local stack running tests/fixtures/local_stack, signing tokens with `signing_key`."""
    key_file = tmp_path_factory.mktemp("local-stack") / "signing-key.pem"
    key_file.write_bytes(
        signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    running = start_stack("--repo-root", str(FIXTURE_ROOT), "--signing-key", str(key_file))
    try:
        yield running
    finally:
        stop_stack(running.process)
