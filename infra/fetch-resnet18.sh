#!/usr/bin/env bash
# Fetches the reference visual backbone: ImageNet ResNet18 as ONNX, from the NuGet package
# Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (MIT; its LICENSE travels with the files). Only the two ONNX files are
# taken (tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx, 63.7 MB, and ResNetPrepOnnx/ResNetPreprocess.onnx), never ML.NET.
# The package and both files are hash-checked; nothing is committed. Idempotent.
# Usage: infra/fetch-resnet18.sh [DIR]   (default .local/models/resnet18)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.local/models/resnet18}

package=microsoft.ml.dnnimagefeaturizer.resnet18
version=0.24.0
package_sha256=bedf0c5ce14b01c863ce6a859fa7e322277a1d073b24d88d22ff8dac4dad1525
model=tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx
model_sha256=e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f
prep=tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx
prep_sha256=84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004

if [ -f "$out/ResNet18.onnx" ] && [ -f "$out/ResNetPreprocess.onnx" ] \
   && echo "$model_sha256  $out/ResNet18.onnx" | sha256sum -c --status \
   && echo "$prep_sha256  $out/ResNetPreprocess.onnx" | sha256sum -c --status; then
  exit 0
fi

work=$root/.local/nuget-resnet18
mkdir -p "$work" "$out"
nupkg=$work/$package.$version.nupkg
if ! { [ -f "$nupkg" ] && echo "$package_sha256  $nupkg" | sha256sum -c --status; }; then
  # NuGet's v3 flat container: the package exactly as `dotnet restore` downloads it.
  curl -sSfL -o "$nupkg" "https://api.nuget.org/v3-flatcontainer/$package/$version/$package.$version.nupkg"
fi
echo "$package_sha256  $nupkg" | sha256sum -c --status \
  || { echo "fetch-resnet18: $package $version does not have the pinned sha256" >&2; exit 1; }
rm -rf "$work/x" && mkdir -p "$work/x"
unzip -q -o "$nupkg" "$model" "$prep" LICENSE -d "$work/x"
echo "$model_sha256  $work/x/$model" | sha256sum -c --status || { echo "fetch-resnet18: $model does not have the pinned sha256" >&2; exit 1; }
echo "$prep_sha256  $work/x/$prep" | sha256sum -c --status || { echo "fetch-resnet18: $prep does not have the pinned sha256" >&2; exit 1; }
cp "$work/x/$model" "$out/ResNet18.onnx"
cp "$work/x/$prep" "$out/ResNetPreprocess.onnx"
cp "$work/x/LICENSE" "$out/ResNet18.onnx.LICENSE"
echo "fetch-resnet18: $out/ResNet18.onnx, ResNetPreprocess.onnx ($package $version, MIT)"
