#!/usr/bin/env bash
# Prints the path of a working python3.13: on PATH, or installed through pyenv (whose shim on PATH
# fails when 3.13 is not the selected version). Prints nothing when there is none.
set -u
candidates=()
command -v python3.13 >/dev/null 2>&1 && candidates+=("$(command -v python3.13)")
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.13*/bin/python3.13; do [ -x "$p" ] && candidates+=("$p"); done
fi
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
