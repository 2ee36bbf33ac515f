#!/usr/bin/env bash
# Install the OS packages Muurtje needs, only when missing. Usage: system-deps.sh run|test
set -euo pipefail
want=(libsqlite3-mod-spatialite)
# Debian's own python3 needs python3-venv for `python3 -m venv` (pyenv and Homebrew Pythons have it).
python3 -c 'import ensurepip' 2>/dev/null || want+=(python3-venv)
if [ "${1:-run}" = "test" ]; then
  want+=(postgresql postgresql-15-postgis-3 chromium redis-server nginx openssl)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing OS packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
