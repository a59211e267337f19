#!/usr/bin/env bash
# Quick start 2: install gongkai with its test extras into .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test]' >/dev/null
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
