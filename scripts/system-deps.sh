#!/usr/bin/env bash
# System packages the test suite's PDF fixtures need (Debian): CJK fonts and the
# HarfBuzz subsetter for weasyprint, LibreOffice for DOCX→PDF fixtures and .doc input,
# PostgreSQL for the corpus tests (a throw-away server on loopback, scripts/pg-test.sh),
# poppler-utils (pdftotext) for the degradation corpus (gongkai.degrade, tests/test_degradation.py),
# chromium for the browser journeys (Playwright drives Debian's chromium: tests/test_browser.py).
# Installs only what is missing, and only when run as root (CI and this machine kind).
set -euo pipefail
need=()
for pkg in fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 libreoffice-writer-nogui postgresql poppler-utils chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages (run as root to install): ${need[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
