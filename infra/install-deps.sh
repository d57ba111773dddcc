#!/usr/bin/env bash
# Installs the Debian packages the platform, its tests and the model tooling need.
# Idempotent: asks apt only for what is missing, so a second run takes a second.
set -euo pipefail

packages=(
  postgresql rabbitmq-server ffmpeg espeak-ng curl ca-certificates jq
  python3-torch python3-torchaudio python3-torchvision python3-onnx python3-pytest python3-numpy python3-jsonschema
  python3-skimage
  docker-compose chromium
  python3-pandas r-base-core
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node may come from outside Debian (a preinstalled toolchain); only ask apt when there is none.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"

if [ ${#missing[@]} -gt 0 ]; then
  echo "infra: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
