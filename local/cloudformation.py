"""A SAM template transformed into plain CloudFormation by SAM's own translator, for local/template.py.

aws-sam-translator is the code behind the AWS::Serverless transform: it merges Globals, expands each
function's Events into event source mappings, rules, schedules, permissions and bucket notifications,
and turns an HttpApi into an AWS::ApiGatewayV2::Api whose OpenAPI body holds the routes and their
authorizers. It runs in the SAM CLI's venv (.venv-sam, pinned by constraints-sam.txt), the translator
`sam validate` and `sam build` run: it pins pydantic to its own minor version, which the functions'
layer (constraints.txt) does not share, so it cannot live in the dev venv.

The answer is cached under local/.state/cloudformation/, keyed by the template's bytes, the parameter
values and the translator's version: a start with an unchanged template reads one JSON file.

Run as a script (by .venv-sam's interpreter) it reads a request on stdin and writes the translation on
stdout; this module imports nothing but the standard library at the top for that reason."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / "local" / ".state" / "cloudformation"
SAM_PYTHON_VARIABLE = "SAM_PYTHON"  # the interpreter that has aws-sam-translator (default: .venv-sam's)
LOCAL_CODE_BUCKET = "local-code"  # a local CodeUri/ContentUri travels through the translator as s3://local-code/<path>
_CODE_KEYS = ("CodeUri", "ContentUri")
CACHE_ENTRIES = 64


class TranslationError(ValueError):
    """The translator refused the template, or could not be run; the message says which."""


def sam_python() -> Path:
    configured = os.environ.get(SAM_PYTHON_VARIABLE)
    return Path(configured) if configured else REPO_ROOT / ".venv-sam" / "bin" / "python"


def translate(template: Path, parameters: dict[str, Any], region: str) -> dict[str, Any]:
    """`{"cloudformation": <the transformed template>, "events": {function: {event id: type}}}`.

    `events` lists each AWS::Serverless::Function's events in template order: it names what the
    translator generated (`<function><event>` and `<function><event>Permission`, SAM's documented
    logical ids) and keeps that order; everything else comes from the CloudFormation."""
    python = sam_python()
    versions = sorted(p.name for p in python.parent.parent.glob("lib/python*/site-packages/aws_sam_translator-*"))
    if not python.exists() or not versions:
        raise TranslationError(f"no aws-sam-translator at {python}: run `make install` (or set {SAM_PYTHON_VARIABLE})")
    request = {"template": str(template), "parameters": parameters, "region": region}
    key = hashlib.sha256()
    for part in (Path(__file__).read_bytes(), template.read_bytes(), json.dumps([request, versions]).encode()):
        key.update(hashlib.sha256(part).digest())
    cached = CACHE_DIR / f"{key.hexdigest()[:32]}.json"
    if cached.is_file():
        result: dict[str, Any] = json.loads(cached.read_text())
        return result
    done = subprocess.run(  # -I: neither this directory nor the dev venv's environment on its path
        [str(python), "-I", __file__], input=json.dumps(request), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise TranslationError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "translator failed")
    result = json.loads(done.stdout)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=CACHE_DIR, suffix=".tmp", delete=False) as handle:
        handle.write(done.stdout)
    os.replace(handle.name, cached)  # atomic: concurrent starts (pytest-xdist) never read half a file
    try:  # keep the newest entries: tests translate templates of their own on every run
        entries = sorted(CACHE_DIR.glob("*.json"), key=lambda f: f.stat().st_mtime)
    except OSError:  # another start pruned one meanwhile
        entries = []
    for stale in entries[:-CACHE_ENTRIES]:
        stale.unlink(missing_ok=True)
    return result


def _main() -> int:
    """In .venv-sam: translate the request's template the way the AWS::Serverless transform does."""
    import boto3  # type: ignore[import-not-found,unused-ignore]
    from samtranslator.model.exceptions import InvalidDocumentException  # type: ignore[import-not-found]
    from samtranslator.parser.parser import Parser  # type: ignore[import-not-found]
    from samtranslator.translator.translator import Translator  # type: ignore[import-not-found]
    from samtranslator.yaml_helper import yaml_parse  # type: ignore[import-not-found]

    request = json.load(sys.stdin)
    path = Path(request["template"])
    try:
        body = yaml_parse(path.read_text())
    except Exception as exc:
        print(f"{path}: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    resources = body.get("Resources") if isinstance(body, dict) else None
    if not isinstance(resources, dict):
        print(f"{path}: no Resources", file=sys.stderr)
        return 2
    # The translator wants code in S3; a local path goes through as a key of a bucket that names it local.
    sections = [r.get("Properties") for r in resources.values() if isinstance(r, dict)]
    sections.append((body.get("Globals") or {}).get("Function"))
    for props in (p for p in sections if isinstance(p, dict)):
        for key in _CODE_KEYS:
            value = props.get(key)
            if isinstance(value, str) and not value.startswith("s3://"):
                props[key] = f"s3://{LOCAL_CODE_BUCKET}/{value}"
    events = {
        logical_id: {
            event_id: str((event or {}).get("Type"))
            for event_id, event in ((resource.get("Properties") or {}).get("Events") or {}).items()
        }
        for logical_id, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function"
    }
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=request["region"]))
    try:
        # Managed policy names resolve from the translator's bundled map; nothing is asked of IAM.
        cloudformation = translator.translate(body, dict(request["parameters"]), get_managed_policy_map=dict)
    except InvalidDocumentException as exc:
        causes = "; ".join(str(cause.message) for cause in exc.causes)
        print(f"{path}: {causes}".replace("\n", " "), file=sys.stderr)
        return 2
    json.dump({"cloudformation": cloudformation, "events": events}, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
