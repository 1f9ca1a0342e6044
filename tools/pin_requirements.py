"""Writes the fully pinned requirement files from the small declared ones, and checks they have not drifted.

Each deployable package declares its direct dependencies, unpinned, in a requirements.in beside its
requirements.txt. The versions come from constraints.txt (the dev venv's resolved set, the one the tests
run on). This script walks each package's dependency closure through the installed distributions'
metadata (Requires-Dist, markers evaluated for the environment the package runs in, extras followed) and
writes every transitive runtime dependency with `==` into requirements.txt, which is what `sam build`
installs:

- layers/common: the CommonLayer, for Lambda (Linux, arm64, CPython 3.13);
- functions/<service>: what the function needs beyond the layer (the layer's closure is left out: Lambda
  puts the layer's packages on the function's path);
- requirements-sam.txt: the SAM CLI venv's full resolved set, into constraints-sam.txt (markers evaluated
  for every machine the tools run on: Linux and macOS, x86_64 and arm64).

Nothing is downloaded: the closure is read from .venv (for the runtime packages, whose installed
versions must equal constraints.txt's) and .venv-sam. A dependency that constraints.txt does not pin, or
pins at a version outside what a dependent asks for, is an error.

    .venv/bin/python tools/pin_requirements.py          # rewrite the generated files
    .venv/bin/python tools/pin_requirements.py --check  # exit 1 when a generated file differs (make test)

The files carry no hashes, though `sam build` without containers accepts them (tried): its first
`pip download -r requirements.txt` checks them, but the arm64 wheels of compiled packages (pydantic-core,
pillow, wrapt, pygeohash) come from a second `pip download --platform ... name==version` that ignores
them, so the hashes would have to list every platform's wheels a builder's first pass may fetch while
guarding none of what Lambda runs. And any hash turns on pip's hash-checking mode for the whole install:
requirements-dev.txt includes these files, so `make install` would then need a hash on every dev tool too.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import Distribution, distributions
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "tools/pin_requirements.py"


def _env(system: str, machine: str) -> dict[str, str]:
    """A PEP 508 marker environment for CPython 3.13 on the given OS and machine."""
    return {
        "implementation_name": "cpython",
        "implementation_version": "3.13.0",
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": "3.13.0",
        "python_version": "3.13",
        "sys_platform": {"Linux": "linux", "Darwin": "darwin"}[system],
    }


LAMBDA_ARM64 = (_env("Linux", "aarch64"),)
# Where developers and CI run the SAM CLI: a constraints file may name packages a machine does not install.
TOOL_MACHINES = (
    _env("Linux", "x86_64"),
    _env("Linux", "aarch64"),
    _env("Darwin", "arm64"),
    _env("Darwin", "x86_64"),
)


class PinError(Exception):
    """The declared dependencies cannot be pinned from the pin set as it is."""


@dataclass(frozen=True)
class Declared:
    """One line of a requirements.in: the requirement and the comment written after it, if any."""

    requirement: Requirement
    comment: str


@dataclass
class Pinned:
    """A package of a closure: its pinned version, the extras asked of it, and who asked for it (normalized
    names, or the file that declares it)."""

    version: str
    extras: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)


def read_declared(path: Path) -> list[Declared]:
    """The requirements of a requirements.in (`name[extras]`, no versions: those come from the pin set)."""
    declared = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line, _, comment = raw.partition("#")
        if not line.strip():
            continue
        requirement = Requirement(line.strip())
        if requirement.specifier or requirement.url:
            raise PinError(f"{path.relative_to(ROOT)}:{number}: declare {requirement.name} without a version")
        declared.append(Declared(requirement, comment.strip()))
    return declared


def read_pins(path: Path) -> dict[NormalizedName, str]:
    """`name==version` lines of a constraints file, by normalized name."""
    pins = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.partition("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        versions = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if len(versions) != 1 or len(requirement.specifier) != 1:
            raise PinError(f"{path.relative_to(ROOT)}:{number}: expected name==version, got {line!r}")
        pins[canonicalize_name(requirement.name)] = versions[0]
    return pins


def installed(venv: Path) -> dict[NormalizedName, Distribution]:
    """The distributions installed in a venv, by normalized name (the first on the path wins, as at import)."""
    sites = sorted(venv.glob("lib/python3.*/site-packages"))
    if not sites:
        raise PinError(f"{venv.name} is not installed: run `make install`")
    found: dict[NormalizedName, Distribution] = {}
    for dist in distributions(path=[str(site) for site in sites]):
        found.setdefault(canonicalize_name(dist.metadata["Name"]), dist)
    return found


def _applies(requirement: Requirement, extras: Iterable[str], environments: Sequence[Mapping[str, str]]) -> bool:
    """Whether a Requires-Dist line holds in any of the environments, with the dependent's extras asked."""
    if requirement.marker is None:
        return True
    marker: Marker = requirement.marker
    asked = ["", *sorted(extras)]
    return any(marker.evaluate({**env, "extra": extra}) for env in environments for extra in asked)


def closure(
    roots: Iterable[Requirement],
    *,
    dists: Mapping[NormalizedName, Distribution],
    pins: Mapping[NormalizedName, str] | None,
    environments: Sequence[Mapping[str, str]],
    source: str,
) -> dict[NormalizedName, Pinned]:
    """Every package the roots need in the environments, with the versions of `pins` (or, without pins,
    the installed ones); each dependency's version must satisfy every specifier that asks for it."""
    result: dict[NormalizedName, Pinned] = {}
    queue: list[tuple[Requirement, str]] = [(root, source) for root in roots]
    while queue:
        requirement, asked_by = queue.pop(0)
        key = canonicalize_name(requirement.name)
        dist = dists.get(key)
        if pins is not None and key not in pins:
            raise PinError(f"{requirement.name} (needed by {asked_by}) is not pinned in constraints.txt")
        if dist is None:
            raise PinError(f"{requirement.name} (needed by {asked_by}) is not installed: run `make install`")
        version = pins[key] if pins is not None else dist.version
        if pins is not None and Version(dist.version) != Version(version):
            raise PinError(
                f"{requirement.name} {dist.version} is installed but constraints.txt pins {version}: run `make install`"
            )
        if not requirement.specifier.contains(version, prereleases=True):
            raise PinError(f"{asked_by} asks for {requirement}, but the pin is {requirement.name}=={version}")
        pinned = result.get(key)
        first = pinned is None
        if pinned is None:
            pinned = result[key] = Pinned(version)
        pinned.via.add(asked_by)
        new_extras = set(requirement.extras) - pinned.extras
        if not first and not new_extras:
            continue  # its dependencies for these extras are queued already
        pinned.extras |= new_extras
        for line in dist.requires or []:
            dependency = Requirement(line)
            if _applies(dependency, pinned.extras, environments):
                dependency.marker = None
                queue.append((dependency, key))
    return result


def render(
    header: Sequence[str],
    pinned: Mapping[NormalizedName, Pinned],
    comments: Mapping[str, str],
    *,
    extras: bool = True,
) -> str:
    """A pinned requirements file: the header, then one `name[extras]==version` per package, sorted, with
    the packages that asked for it (and a declared requirement's own comment). A constraints file takes
    no extras (pip refuses them there)."""
    lines = [f"# {line}" if line else "#" for line in header]
    for key in sorted(pinned):
        item = pinned[key]
        asked = f"[{','.join(sorted(item.extras))}]" if extras and item.extras else ""
        lines.append(f"{key}{asked}=={item.version}")
        via = ", ".join(sorted(item.via))
        note = comments.get(key)
        lines.append(f"    # via {via}" + (f": {note}" if note else ""))
    return "\n".join(lines) + "\n"


GENERATED = f"Generated by {SCRIPT} (`make pins`) from {{source}}: do not edit."


def runtime_files() -> dict[Path, str]:
    """layers/common/requirements.txt and each functions/*/requirements.txt, as they should read."""
    pins = read_pins(ROOT / "constraints.txt")
    dists = installed(ROOT / ".venv")
    files: dict[Path, str] = {}

    layer_in = ROOT / "layers/common/requirements.in"
    layer_declared = read_declared(layer_in)
    layer = closure(
        (d.requirement for d in layer_declared),
        dists=dists,
        pins=pins,
        environments=LAMBDA_ARM64,
        source="requirements.in",
    )
    files[layer_in.with_suffix(".txt")] = render(
        [
            "CommonLayer runtime dependencies: every package the layer needs on Lambda (arm64, CPython 3.13),",
            "at the versions of constraints.txt. Installed into the layer by `sam build` and into the dev venv",
            "by `make install` (requirements-dev.txt).",
            GENERATED.format(source="requirements.in and constraints.txt"),
        ],
        layer,
        {canonicalize_name(d.requirement.name): d.comment for d in layer_declared},
    )

    for function_in in sorted(ROOT.glob("functions/*/requirements.in")):
        service = function_in.parent.name
        declared = read_declared(function_in)
        own = closure(
            (d.requirement for d in declared),
            dists=dists,
            pins=pins,
            environments=LAMBDA_ARM64,
            source="requirements.in",
        )
        beyond_layer = {key: item for key, item in own.items() if key not in layer}
        files[function_in.with_suffix(".txt")] = render(
            [
                f"{service.capitalize()} function dependencies beyond the CommonLayer (whose packages Lambda puts",
                "on the function's path): every package they need on Lambda (arm64, CPython 3.13), at the",
                "versions of constraints.txt." + ("" if beyond_layer else " None today."),
                GENERATED.format(source="requirements.in and constraints.txt"),
            ],
            beyond_layer,
            {canonicalize_name(d.requirement.name): d.comment for d in declared},
        )
    missing = sorted(p.parent.name for p in ROOT.glob("functions/*/requirements.txt") if p not in files)
    if missing:
        raise PinError(f"functions without a requirements.in: {', '.join(missing)}")
    return files


def sam_files() -> dict[Path, str]:
    """constraints-sam.txt: the closure of requirements-sam.txt as installed in .venv-sam."""
    source = ROOT / "requirements-sam.txt"
    roots = []
    for raw in source.read_text().splitlines():
        line = raw.partition("#")[0].strip()
        if line:
            roots.append(Requirement(line))
    resolved = closure(
        roots, dists=installed(ROOT / ".venv-sam"), pins=None, environments=TOOL_MACHINES, source="requirements-sam.txt"
    )
    return {
        ROOT / "constraints-sam.txt": render(
            [
                "The .venv-sam (SAM CLI, cfn-lint) full resolved set, the constraints `make install` installs",
                "requirements-sam.txt with.",
                GENERATED.format(source="requirements-sam.txt"),
                "To move a tool: change requirements-sam.txt, reinstall .venv-sam from it without this file",
                "(`.venv-sam/bin/python -m pip install -r requirements-sam.txt`), then `make pins`.",
            ],
            resolved,
            {},
            extras=False,
        )
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    try:
        files = {**runtime_files(), **sam_files()}
    except PinError as error:
        sys.stderr.write(f"pin_requirements: {error}\n")
        return 2
    stale = []
    for path, text in files.items():
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        stale.append(path)
        name = str(path.relative_to(ROOT))
        if args.check:
            sys.stderr.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True), name, name))
        else:
            path.write_text(text)
            sys.stdout.write(f"wrote {name}\n")
    if args.check and stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        sys.stderr.write(f"pin_requirements: {names} drifted from what {SCRIPT} writes: run `make pins`\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
