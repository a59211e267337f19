#!/usr/bin/env bash
# Quick start 2: install gongkai with its test and OCR extras into .venv (plus the system
# packages the PDF fixtures need) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test,ocr]' >/dev/null
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
