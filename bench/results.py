"""Writes one benchmark's section of bench/RESULTS.md, leaving the other sections as they are."""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = (
    "# Benchmark results\n\nEach section is rewritten by the script named in it; ratios compare against a\n"
    "baseline measured in the same run on the same machine.\n"
)


def write_section(name: str, command: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    section = (
        f"<!-- {name}:start -->\n## {name}\n\nCommand: `{command}` ({stamp}, {machine})\n\n{body.strip()}\n"
        f"<!-- {name}:end -->"
    )
    pattern = re.compile(rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")
