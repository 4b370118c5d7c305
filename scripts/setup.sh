#!/usr/bin/env bash
# Installs everything the studio needs on Debian/Ubuntu with Python 3.11, and is safe to run again:
# system packages (ffmpeg, CJK and colour-emoji fonts, espeak-ng for the offline voice; with --dev, Chromium for the browser tests, melt to render
# editor hand-offs and xmllint to parse them),
# then a virtualenv in .venv with torch 2.13.0 first (its CPU build), the pinned requirements, and the studio
# itself as an editable install (`.venv/bin/shortstudio`; `.venv/bin/python -m studio` from any directory).
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

packages=(ffmpeg fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core espeak-ng)
[ "$dev" = 1 ] && packages+=(chromium melt libxml2-utils)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi

requirements=requirements.txt
[ "$dev" = 1 ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt requirements-nodeps.txt "$requirements" pyproject.toml \
  | sha256sum | cut -c1-16)"
pip_install() {
  # Some machines configure local package indexes that may be absent; pip warns once per package
  # about them. Drop those lines only; pip's own exit status still decides (pipefail).
  .venv/bin/python -m pip install -q --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages from $requirements"
  pip_install --upgrade pip
  # torch first, exactly this version: it is the CPU build here; a looser spec pulls CUDA wheels.
  pip_install torch==2.13.0
  pip_install -r "$requirements"
  pip_install --no-deps -r requirements-nodeps.txt
  # The studio, editable (its dependencies are the pins above). setuptools 77 or newer builds pyproject.toml's
  # licence expression; it goes into .venv so the build needs no isolated environment (nor does the wheel that
  # tests/test_package.py builds). setuptools' banner about editable installs is shown only if this fails.
  pip_install "setuptools>=77"
  if ! log=$(pip_install --no-deps --no-build-isolation -e . 2>&1); then
    echo "$log" >&2
    exit 1
  fi
  touch "$stamp"
fi
