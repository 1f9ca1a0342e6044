"""LocalStack: starts and stops the whole local stack (gateway, moto and resources, seed data, pollers).

Owns the order of start-up and shutdown; the pieces themselves live in their own modules."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from local import openapi
from local.aws import LocalAws
from local.gateway import Gateway
from local.pollers import AsyncSources
from local.runtime import LambdaRuntime
from local.template import Template
from local.tokens import TokenAuthority, load_private_key

log = logging.getLogger("local.stack")

REPO_ROOT = Path(__file__).resolve().parent.parent


class LocalStack:
    """The local stack on 127.0.0.1:`port` (0 = a free port); use `with LocalStack(...) as stack:`."""

    def __init__(
        self,
        port: int = 0,
        repo_root: Path | str = REPO_ROOT,
        data_dir: Path | str | None = None,
        template_path: Path | str | None = None,
        signing_key: Path | str | None = None,
        parameter_overrides: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        dynamodb_engine: str | None = None,
    ):
        """`dynamodb_engine`: dynamodb-local or moto (default: DYNAMODB_ENGINE, else dynamodb-local); an
        AWS_ENDPOINT_URL_DYNAMODB already set (a test session's DynamoDB Local) is used as it is."""
        self.repo_root = Path(repo_root).resolve()
        self.data_dir = Path(data_dir).resolve() if data_dir else self.repo_root / "data"
        self.template_path = Path(template_path).resolve() if template_path else self.repo_root / "template.yaml"
        self.host = host
        self._requested_port = port
        self._signing_key = Path(signing_key) if signing_key else None
        self._parameter_overrides = dict(parameter_overrides or {})
        self._dynamodb_engine = dynamodb_engine
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._server_thread: threading.Thread | None = None
        self._aws: LocalAws | None = None
        self._saved_environ: dict[str, str] | None = None
        self._saved_sys_path: list[str] | None = None
        self._sources: AsyncSources | None = None
        self.template: Template | None = None
        self.gateway: Gateway | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws(self) -> LocalAws:
        assert self._aws is not None, "start() first"
        return self._aws

    # ------------------------------------------------------------------ life

    def listen(self) -> None:
        """Bind the port and serve (health answers 503 until start() finishes)."""
        if self._server is not None:
            return
        self.template = Template.load(self.template_path, self._parameter_overrides)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self.host, self._requested_port))
        self._socket.listen(128)
        self.port = self._socket.getsockname()[1]
        key = load_private_key(self._signing_key) if self._signing_key else None
        tokens = TokenAuthority(f"{self.base_url}/_local/issuer", key)
        runtime = LambdaRuntime(self.template.functions)
        template = self.template

        def document() -> dict[str, Any]:
            # Each app is read inside its function's execution environment, where its cold start belongs.
            return openapi.merged_document(
                template.api_functions(),
                lambda f: runtime.call(f.logical_id, lambda: openapi.app_document(f)),
                template.routes,  # which operations need a token: the authorizer's say
            )

        self.gateway = Gateway(template, runtime, tokens, self._admin_dir(), document)
        config = uvicorn.Config(
            self.gateway, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=5
        )
        self._server = uvicorn.Server(config)
        self._server_thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="gateway", daemon=True
        )
        self._server_thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._server_thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            raise RuntimeError("the gateway did not start")

    def start(self) -> LocalStack:
        """Everything: gateway, moto (and DynamoDB Local) with the template's resources, seed data, pollers.
        Returns when healthy."""
        started = time.perf_counter()
        self.listen()
        assert self.template is not None
        assert self.gateway is not None
        self._saved_environ, self._saved_sys_path = dict(os.environ), list(sys.path)
        # Where the sandbox gateway's checkout pages are (API.md 4.11): this stack, on whatever port it got.
        os.environ.setdefault("SANDBOX_BASE_URL", self.base_url)
        try:
            self._aws = LocalAws(self.template, dynamodb_engine=self._dynamodb_engine)
            self._aws.start()  # sets the process environment: before any handler is imported
            log.info("dynamodb: %s", self._aws.dynamodb_description)
            self._extend_sys_path()
            self._seed()
            self._sources = AsyncSources(self.template, self._aws, self.gateway.runtime)
            self._sources.start()
        except BaseException:
            self.stop()
            raise
        self.gateway.ready.set()
        log.info("ready in %.1fs at %s", time.perf_counter() - started, self.base_url)
        return self

    def stop(self) -> None:
        """Stop pollers, the gateway, moto and DynamoDB Local, joining threads and the JVM. Safe to call twice."""
        if self.gateway is not None:
            self.gateway.ready.clear()
        if self._sources is not None:
            self._sources.stop()
            self._sources = None
        if self._server is not None:
            self._server.should_exit = True
            if self._server_thread is not None:
                self._server_thread.join(timeout=10)
            self._server = None
            self._server_thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self.gateway is not None:
            self.gateway.runtime.close()  # after the gateway and pollers: nothing invokes any more
        if self._aws is not None:
            self._aws.stop()
            self._aws = None
        # An in-process stack (tests) leaves the process as it found it: no endpoint pointing at a dead moto.
        if self._saved_environ is not None:
            os.environ.clear()
            os.environ.update(self._saved_environ)
            self._saved_environ = None
        if self._saved_sys_path is not None:
            sys.path[:] = self._saved_sys_path
            self._saved_sys_path = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --------------------------------------------------------------- pieces

    def _admin_dir(self) -> Path | None:
        """The built staff page, admin/dist (`make admin`). A Vite project's admin/ holds sources, never served;
        one without package.json is a plain static page (the test fixture's) and is served as it is."""
        admin = self.repo_root / "admin"
        if (admin / "dist" / "index.html").is_file():
            return admin / "dist"
        if (admin / "package.json").is_file():
            log.warning("admin/dist is missing: `make admin` builds the staff page served at /admin/")
            return None
        return admin if (admin / "index.html").is_file() else None

    def _extend_sys_path(self) -> None:
        assert self.template is not None
        for path in self.template.code_paths():
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        importlib.invalidate_caches()

    def _seed(self) -> None:
        """Call `<package>.seed.load(data_dir)` for every function package that has one."""
        assert self.template is not None
        for package in dict.fromkeys(f.package for f in self.template.functions.values()):
            if importlib.util.find_spec(package) is None or importlib.util.find_spec(f"{package}.seed") is None:
                continue
            started = time.perf_counter()
            importlib.import_module(f"{package}.seed").load(self.data_dir)
            log.info("seeded %s in %dms", package, (time.perf_counter() - started) * 1000)
