#!/usr/bin/env bash
# Installs the Debian 12 packages Artel needs. Does nothing when all are
# present; otherwise runs `apt-get update` first, then installs what is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  antlr4 libantlr4-runtime-dev
  llvm-19 llvm-19-dev clang-19 libclang-rt-19-dev
  librocksdb-dev libsodium-dev libboost-dev
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  etcd-server etcd-client
  curl
  libgraphviz-dev node-tweetnacl
  chromium python3-websocket fonts-dejavu-core
  neovim
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
