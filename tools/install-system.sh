#!/usr/bin/env bash
# System packages the tests need, from Debian's archive (never a browser download of a test tool).
# Idempotent: installs only what is missing.
set -euo pipefail

need=()
# Browser tests drive Debian's chromium through Playwright.
if compgen -G "tests/browser/test_*.py" >/dev/null && ! command -v chromium >/dev/null; then
  need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages: ok"
