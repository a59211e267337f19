#!/usr/bin/env bash
# Quick start 2: install gongkai with its test and OCR extras into .venv (plus the system
# packages the PDF fixtures and the corpus tests need), start a throw-away PostgreSQL on
# loopback for the corpus tests, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[test,ocr]' >/dev/null
if [ -z "${GONGKAI_TEST_PG:-}" ]; then
  GONGKAI_TEST_PG=$(bash scripts/pg-test.sh) || GONGKAI_TEST_PG=""
  export GONGKAI_TEST_PG
fi
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
