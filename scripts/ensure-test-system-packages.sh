#!/usr/bin/env bash
# System packages the test suite needs besides Python ones: PostgreSQL server binaries (for the
# PostgreSQL run), Debian's Chromium (for the browser tests), Pango for WeasyPrint (letters as PDF) and nginx (the TLS proxy of the production topology
# test, docs/production.md). Installed only when missing.
set -euo pipefail

missing=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx-light)
fi
# WeasyPrint (letters as PDF, docs/regulation.md) loads Pango through ctypes; fonts for the text.
if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
  missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's own PostgreSQL cluster and nginx from starting: the tests start their own servers.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
  $sudo apt-get update >&2
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
if [ -n "$created_policy" ]; then $sudo rm -f /usr/sbin/policy-rc.d; fi
