#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those missing.
# As root it installs them with apt-get; otherwise it says what is missing
# (the tests that need a missing package then say so themselves).
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# The browser tests drive Debian's Chromium (Playwright never downloads one).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Rate limits shared by several servers are tested against a real Redis.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Lighthouse and axe-core (tools/package.json) run on Node.js, installed with npm.
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The production layout (nginx in front of gunicorn) is tested with a real nginx.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
for pkg in fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "sysdeps: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "sysdeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The tests start their own servers on free ports; the packaged services
# that apt starts are not needed.
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
  (service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
fi
if [[ " ${missing[*]} " == *" nginx "* ]]; then
  (service nginx stop || systemctl stop nginx) >/dev/null 2>&1 || true
fi
