"""`python -m local`: run the local stack on 127.0.0.1:$PORT (default 3000) until Ctrl-C or SIGTERM.

Prints `listening on http://127.0.0.1:<port>` first (so `--port 0` callers learn the port), then
`dynamodb: <engine>` (DynamoDB Local with its pid, or moto), then `ready`. Ctrl-C, SIGTERM and SIGHUP
stop everything, DynamoDB Local's JVM included, however many of them arrive (`make run` under a
process-group kill gets two: make forwards its own)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from local.dynamodb_local import DEFAULT_ENGINE, ENGINE_VARIABLE, ENGINES, DynamoDBLocalError
from local.shutdown import StopRequest
from local.stack import REPO_ROOT, LocalStack
from local.template import TemplateError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description="PuneConnect local stack")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")), help="0 picks a free port")
    parser.add_argument("--repo-root", type=Path, default=REPO_ROOT)
    parser.add_argument("--template", type=Path, default=None, help="default: <repo-root>/template.yaml")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: <repo-root>/data")
    parser.add_argument("--signing-key", type=Path, default=None, help="PEM RSA key for tokens (default: new per run)")
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="NAME=VALUE", help="template parameter override"
    )
    parser.add_argument(
        "--dynamodb-engine",
        choices=ENGINES,
        default=None,
        help=f"what serves DynamoDB (default: ${ENGINE_VARIABLE}, else {DEFAULT_ENGINE})",
    )
    parser.add_argument("--verbose", action="store_true", help="also log handler initialisation and seeding")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stdout, force=True
    )
    quiet = ["botocore", "werkzeug", "mangum", "pynamodb"]  # moto's and Mangum's per-call lines, credential chatter
    if not args.verbose:
        quiet += ["local.runtime", "local.stack", "local.aws", "uvicorn.error"]
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    overrides = dict(item.split("=", 1) for item in args.parameter)
    if not args.verbose:
        # the gateway logs one line per request; the functions' own JSON lines only when they warn
        overrides.setdefault("LogLevel", "WARNING")
    stop = StopRequest()
    stop.install()  # before the stack: DynamoDB Local's safety net then keeps these handlers
    stack = LocalStack(
        port=args.port,
        repo_root=args.repo_root,
        data_dir=args.data_dir,
        template_path=args.template,
        signing_key=args.signing_key,
        parameter_overrides=overrides,
        dynamodb_engine=args.dynamodb_engine,
    )
    try:
        stack.listen()
        print(f"listening on {stack.base_url}", flush=True)
        stack.start()
        print(f"dynamodb: {stack.aws.dynamodb_description}", flush=True)
        print(f"ready: {stack.base_url} (docs {stack.base_url}/docs, admin {stack.base_url}/admin/)", flush=True)
        stop.wait()
    except (TemplateError, DynamoDBLocalError) as exc:
        print(f"local stack: {exc}", file=sys.stderr, flush=True)
        return 2
    finally:
        stack.stop()
    print("stopped", flush=True)
    # Everything is stopped; spare the exit a multi-second final collection of moto's object graph.
    gc.freeze()
    return 0


if __name__ == "__main__":
    sys.exit(main())
