#!/usr/bin/env bash
# Installs every build and test dependency of sluiced on Debian 12 with apt-get.
# Idempotent: when everything is present it prints one line and changes nothing.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config ccache git
  libcurl4-openssl-dev libuv1-dev libyaml-cpp-dev libsimdjson-dev
  libspdlog-dev libfmt-dev doctest-dev libre2-dev libsystemd-dev
  libhowardhinnant-date-dev zlib1g-dev libbrotli-dev
  python3 python3-yaml python3-jsonschema python3-aiohttp
  iso-codes jq curl ca-certificates openssl tzdata util-linux
  dpkg-dev file systemd groff-base
  clang libclang-rt-14-dev llvm-14
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
