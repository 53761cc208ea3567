#!/usr/bin/env bash
# Installs the Debian packages the project needs, if missing: gettext (compilemessages),
# Chromium (browser tests), CJK fonts (PDFs and screenshots), PostgreSQL client, Redis server,
# Node.js/npm (front-end libraries from the npm registry). Needs root or sudo for apt.
set -euo pipefail
need=()
command -v msgfmt >/dev/null || need+=(gettext)
command -v chromium >/dev/null || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
command -v psql >/dev/null || need+=(postgresql-client)
command -v npm >/dev/null || need+=(nodejs npm)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# (no grep -q after a pipe: with pipefail its early exit makes the left side fail)
fc-list 2>/dev/null | grep -i "wenquanyi\|wqy" >/dev/null || need+=(fonts-wqy-microhei)
# WeasyPrint's native libraries
ldconfig -p 2>/dev/null | grep libpango-1.0 >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
