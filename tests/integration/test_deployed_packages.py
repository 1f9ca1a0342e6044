"""What `sam build` packages for each function of template.yaml (as deployed, Environment=dev): its Python
workflow copies the whole CodeUri (less caches) and the layer's ContentUri, then installs their
requirements.txt. So every module under a CodeUri or the layer must import only the standard library, the
function's own packages, the layer's, and distributions its requirements.txt or the layer's pin. Local-only
code (the sandbox checkout app, which uses httpx, a development dependency) lives under local/, outside them.
No AWS needed."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", re.MULTILINE)
# Lambda's python3.13 runtime ships boto3/botocore; the layer pins them too, so they are covered either way.
RUNTIME_PROVIDED = {"boto3", "botocore"}


@pytest.fixture(scope="module")
def deployed() -> Template:
    return Template.load(ROOT / "template.yaml", {"Environment": "dev"})


def packaged(directory: Path) -> list[Path]:
    """The .py files sam build copies from a CodeUri/ContentUri (it leaves out caches and build metadata)."""
    return sorted(
        p
        for p in directory.rglob("*.py")
        if not {"__pycache__", ".aws-sam", ".pytest_cache"} & set(p.relative_to(directory).parts)
        and not any(part.endswith(".egg-info") for part in p.relative_to(directory).parts)
    )


def type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of nodes under `if TYPE_CHECKING:` (never run, so never imported on Lambda)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    return skipped


def imported(path: Path) -> set[str]:
    """The top-level names of every absolute import in the file, at any depth (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = type_checking_only(tree)
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def normalised(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def pinned(directory: Path) -> set[str]:
    requirements = directory / "requirements.txt"
    text = requirements.read_text(encoding="utf-8") if requirements.is_file() else ""
    return {normalised(name) for name in PIN.findall(text)}


def own_packages(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir() if (p / "__init__.py").is_file()} | {
        p.stem for p in directory.glob("*.py")
    }


def test_every_deployed_module_imports_only_what_its_package_ships(deployed: Template) -> None:
    distributions = {name: {normalised(d) for d in dists} for name, dists in packages_distributions().items()}
    checked = 0
    for function in deployed.functions.values():
        directories = (function.code_uri, *function.layers)
        available = set().union(*(pinned(d) for d in directories))
        own = set().union(*(own_packages(d) for d in directories))
        for directory in directories:
            for path in packaged(directory):
                checked += 1
                for name in imported(path) - set(sys.stdlib_module_names) - own - RUNTIME_PROVIDED:
                    shipped = distributions.get(name, set()) & available
                    where = f"{function.logical_id}: {path.relative_to(ROOT)} imports {name}"
                    assert shipped, f"{where}, which neither its requirements.txt nor the layer's pins"
    assert checked > 50  # every function's package and the layer were read


def test_no_deployed_module_imports_httpx_and_the_sandbox_app_is_outside_every_code_uri(deployed: Template) -> None:
    directories = {d for f in deployed.functions.values() for d in (f.code_uri, *f.layers)}
    assert (ROOT / "functions" / "payments") in directories
    assert [p for d in directories for p in packaged(d) if "httpx" in imported(p)] == []
    sandbox_app = ROOT / "local" / "sandbox_gateway.py"
    assert "httpx" in imported(sandbox_app)  # what this test keeps out of the build
    assert not [d for d in directories if sandbox_app.is_relative_to(d)]
    assert not (ROOT / "functions" / "payments" / "payments" / "sandbox.py").exists()


def test_the_check_sees_a_module_importing_an_unshipped_distribution(tmp_path: Path) -> None:
    """The check's own control: httpx is installed here (tests use it) but pinned by no function."""
    module = tmp_path / "leak.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import _typeshed\n"
        "def f():\n    import httpx\n    from pydantic import BaseModel\n",
        encoding="utf-8",
    )
    assert imported(module) == {"typing", "httpx", "pydantic"}
    distributions = packages_distributions()
    assert "httpx" in distributions
    layer, payments = ROOT / "layers" / "common", ROOT / "functions" / "payments"
    assert not {normalised(d) for d in distributions["httpx"]} & (pinned(layer) | pinned(payments))
    assert {normalised(d) for d in distributions["pydantic"]} & pinned(layer)
