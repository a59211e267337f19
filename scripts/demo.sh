#!/usr/bin/env bash
# Quick start 1: install gongkai into .venv and parse + check the bundled sample reports.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e . >/dev/null
exec .venv/bin/gongkai demo "$@"
