"""The API docs: Swagger UI from the pinned flask-swagger-ui wheel's dist/ (Swagger UI's own release files;
its Flask blueprint is never imported), served by the local stack at /docs and written as a static folder
for the deployed docs. The page loads nothing from elsewhere: no CDN, no inline script.

    python -m local.apidocs OUT --api-url https://<api-id>.execute-api.<region>.amazonaws.com
        writes OUT/index.html, OUT/assets/* and OUT/openapi.json (the merged document of the apps, read in
        a local stack on moto, with the deployed API as its server), to sync to the admin site's docs/."""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

SWAGGER_UI_PACKAGE = "flask_swagger_ui"  # requirements-dev.txt pins it; its dist/ is Swagger UI's release
PAGE_SCRIPT = Path(__file__).with_name("apidocs.js")
ASSETS = {  # what the page uses, with its content type; everything else in dist/ is never served
    "swagger-ui.css": "text/css; charset=utf-8",
    "index.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
    "LICENSE": "text/plain; charset=utf-8",
    "pmc-docs.js": "text/javascript; charset=utf-8",  # ours: starts Swagger UI (local/apidocs.js)
}
TITLE = "PuneConnect API"


class SwaggerUiMissing(RuntimeError):
    """The Swagger UI package is not installed (make install installs it)."""


@cache
def dist_dir() -> Path:
    """Swagger UI's dist/ inside the installed package, found without importing it (it would import Flask)."""
    spec = importlib.util.find_spec(SWAGGER_UI_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        if (Path(location) / "dist" / "swagger-ui-bundle.js").is_file():
            return Path(location) / "dist"
    raise SwaggerUiMissing(f"{SWAGGER_UI_PACKAGE} is not installed: run make install")


def swagger_ui_version() -> str:
    return (dist_dir() / "VERSION").read_text(encoding="utf-8").strip()


def page(assets_url: str, openapi_url: str) -> bytes:
    """The docs page; `assets_url` ends with a slash (`/docs/assets/` locally, `assets/` deployed)."""
    a, spec = html.escape(assets_url), html.escape(openapi_url)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<link rel="icon" type="image/png" href="{a}favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="{a}favicon-16x16.png" sizes="16x16">
<link rel="stylesheet" href="{a}swagger-ui.css">
<link rel="stylesheet" href="{a}index.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{spec}"></div>
<script src="{a}swagger-ui-bundle.js"></script>
<script src="{a}pmc-docs.js"></script>
</body>
</html>
""".encode()


def asset(name: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of one of the page's assets, or None for any other name."""
    content_type = ASSETS.get(name)
    if content_type is None:
        return None
    path = PAGE_SCRIPT if name == "pmc-docs.js" else dist_dir() / name
    return content_type, path.read_bytes()


def write_site(out: Path, document: dict[str, Any]) -> None:
    """index.html, assets/ and openapi.json in `out` (replaced), all by relative URLs: served from any folder."""
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    (out / "index.html").write_bytes(page("assets/", "openapi.json"))
    for name in ASSETS:
        found = asset(name)
        assert found is not None
        (out / "assets" / name).write_bytes(found[1])
    (out / "openapi.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def deployed_document(api_url: str) -> dict[str, Any]:
    """The merged OpenAPI document as /openapi.json serves it locally, with the deployed API as its server."""
    from local.stack import LocalStack

    with LocalStack(port=0, dynamodb_engine="moto") as stack:
        assert stack.gateway is not None
        document = dict(stack.gateway.openapi_document())
    document["servers"] = [{"url": api_url.rstrip("/")}]
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.apidocs", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (replaced)")
    parser.add_argument("--api-url", required=True, help="the ApiUrl output of the stack the docs describe")
    args = parser.parse_args(argv)
    write_site(args.out, deployed_document(args.api_url))
    print(f"{args.out}: Swagger UI {swagger_ui_version()} and openapi.json for {args.api_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
