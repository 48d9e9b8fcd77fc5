#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's Chromium, Node.js, Hugo and Jekyll
# if absent, the Eleventy test site's npm packages),
# then runs the whole test suite: Python unit and end-to-end tests, the whoosh check,
# the Node parity tests and the Chromium tests.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# the real generators tests/test_generators.py builds sites with (Eleventy comes from npm, below)
command -v hugo >/dev/null 2>&1 || need_apt+=(hugo)
command -v jekyll >/dev/null 2>&1 || need_apt+=(jekyll)
# a Japanese font, so the demo screenshot the browser tests save shows text
fc-list 2>/dev/null | grep -qi ipa || need_apt+=(fonts-ipafont-gothic)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

# Eleventy, pinned by the test site's package-lock.json
[ -x tests/sites/eleventy/node_modules/.bin/eleventy ] || npm ci --prefix tests/sites/eleventy --silent --no-audit --no-fund
# axe-core, which the accessibility test runs in Chromium, pinned by tests/a11y/package-lock.json
[ -f tests/a11y/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/a11y --silent --no-audit --no-fund

python3 -m pytest "$@"
