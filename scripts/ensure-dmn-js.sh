#!/usr/bin/env bash
# dmn-js from npm for tests/feel/test_dmn_js.py: the library inside Camunda Modeler, to check that the
# shipped DMN files open cleanly there. Installed under tests/.dmn-js/ (not in git) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
target=tests/.dmn-js
[ -f "$target/node_modules/dmn-js/dist/dmn-modeler.development.js" ] && exit 0
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: tests/feel/test_dmn_js.py will be skipped" >&2
  exit 0
fi
mkdir -p "$target"
if ! npm install --prefix "$target" --no-audit --no-fund --silent dmn-js@17.10.2 >&2; then
  # A registry outage must not fail the whole suite: the dmn-js test then skips and says why.
  echo "npm install dmn-js failed: tests/feel/test_dmn_js.py will be skipped" >&2
fi
