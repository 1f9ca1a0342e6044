"""The staff admin page's first-load JavaScript, gzipped, against its 200 KB budget (issue 21); writes its
section of bench/RESULTS.md. Reads admin/dist as `make admin` builds it (building it first when missing)."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT)]

from bench.results import write_section  # noqa: E402

DIST = REPO_ROOT / "admin" / "dist"
BUDGET_BYTES = 200 * 1024
# What index.html loads at once: its module script and the chunks it preloads. Chunks reached only
# through a dynamic import (the map and Leaflet; the charts and Chart.js) load later, when a screen needs them.
FIRST_LOAD = re.compile(r'<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\./([^"]+\.js)"')


@dataclass(frozen=True)
class Asset:
    path: str
    raw_bytes: int
    gzip_bytes: int
    first_load: bool


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def measure(dist: Path = DIST) -> list[Asset]:
    if not (dist / "index.html").is_file():
        subprocess.run(["make", "-s", "admin"], cwd=REPO_ROOT, check=True)
    first = set(FIRST_LOAD.findall((dist / "index.html").read_text(encoding="utf-8")))
    return [
        Asset(str(p.relative_to(dist)), p.stat().st_size, gzipped(p), str(p.relative_to(dist)) in first)
        for p in sorted(dist.rglob("*.js"))
    ]


def first_load_gzip_bytes(assets: list[Asset]) -> int:
    return sum(a.gzip_bytes for a in assets if a.first_load)


def charts_gzip_bytes(assets: list[Asset]) -> int:
    """The on-demand chunk with Chart.js (admin/src/charts.ts), fetched with the first chart shown."""
    return sum(a.gzip_bytes for a in assets if not a.first_load and Path(a.path).name.startswith("charts-"))


def main() -> int:
    assets = measure()
    first = first_load_gzip_bytes(assets)
    charts = charts_gzip_bytes(assets)
    rows = "\n".join(
        f"| `{a.path}` | {'first load' if a.first_load else 'on demand'} | {a.raw_bytes / 1024:.1f} "
        f"| {a.gzip_bytes / 1024:.1f} |"
        for a in assets
    )
    verdict = "within" if first <= BUDGET_BYTES else "OVER"
    body = (
        "admin/dist as built by `make admin` (Vite, production); gzip level 9 of each JavaScript file. The first\n"
        "load is what index.html loads at once (its module script and preloaded chunks); the chunk with Leaflet\n"
        "is fetched only when the map, or a grievance's location map, is first shown, and the one with Chart.js\n"
        "(`charts-*.js`) only when the scorecard or a survey's results are first shown.\n\n"
        "| file | when | raw KB | gzip KB |\n|---|---|---:|---:|\n"
        f"{rows}\n\n"
        f"First-load JavaScript: **{first / 1024:.1f} KB gzipped**, {verdict} the 200 KB budget; the chart chunk,\n"
        f"on demand: {charts / 1024:.1f} KB gzipped."
    )
    write_section("Admin page size", "python bench/admin_size.py", body)
    print(f"admin first-load JS: {first / 1024:.1f} KB gzipped (budget 200 KB); chart chunk {charts / 1024:.1f} KB")
    return 0 if first <= BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
