#!/usr/bin/env bash
# Installs the Debian packages Comcen needs, only those that are missing.
#   .ci/system-packages.sh run    Qt's X11/EGL libraries and a font, for the console
#   .ci/system-packages.sh test   the above plus PostgreSQL 15, Xvfb and poppler for tests
#   .ci/system-packages.sh bench  the run packages plus Chromium, for the Leaflet comparison
#                                 of `comcen bench` only (tests and CI stay without it)
set -euo pipefail

run_pkgs=(python3-venv libegl1 libgl1 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
  libfontconfig1 libfreetype6 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libxcb-randr0 libxrender1 libx11-xcb1 fonts-dejavu-core)
test_pkgs=(postgresql xvfb xauth poppler-utils)
bench_pkgs=(chromium)

wanted=("${run_pkgs[@]}")
[ "${1:-run}" = "test" ] && wanted+=("${test_pkgs[@]}")
[ "${1:-run}" = "bench" ] && wanted+=("${bench_pkgs[@]}")

if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-packages: not a Debian system; install Qt's runtime libraries yourself" >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-packages: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
