#!/usr/bin/env bash
# Places the official ONNX Runtime 1.30.0 native library (CPU build) at .local/onnxruntime/libonnxruntime.so.1.
# The managed NuGet package is not served to our build machines; the npm package onnxruntime-node ships the
# same native library, so we take it from there. Idempotent: a present file with the expected hash is kept.
# Prints the library's absolute path on stdout (everything else goes to stderr).
set -euo pipefail

ORT_VERSION="1.30.0"
TARBALL_URL="https://registry.npmjs.org/onnxruntime-node/-/onnxruntime-node-${ORT_VERSION}.tgz"
TARBALL_SHA1="8d4c4a75f31088ec846f08cccb62f3272a7bf44a"   # npm's dist.shasum for the tarball
MEMBER="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="$root/.local/onnxruntime"
dest="$dest_dir/libonnxruntime.so.1"
stamp="$dest_dir/libonnxruntime.so.1.sha256"

if [ -f "$dest" ] && [ -f "$stamp" ] && [ "$(sha256sum "$dest" | cut -d' ' -f1)" = "$(cat "$stamp")" ]; then
  echo "$dest"
  exit 0
fi

mkdir -p "$dest_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "onnxruntime: downloading onnxruntime-node ${ORT_VERSION} from the npm registry" >&2
curl -fsSL --retry 3 -o "$tmp/ort.tgz" "$TARBALL_URL"
echo "$TARBALL_SHA1  $tmp/ort.tgz" | sha1sum -c --quiet -
tar -xzf "$tmp/ort.tgz" -C "$tmp" "$MEMBER"
install -m 0755 "$tmp/$MEMBER" "$dest.partial"
mv "$dest.partial" "$dest"
sha256sum "$dest" | cut -d' ' -f1 >"$stamp"
echo "$dest"
