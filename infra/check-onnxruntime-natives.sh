#!/usr/bin/env bash
# Run by `make test`: fails when a build output folder mixes ONNX Runtime native packages. The CPU package
# (Microsoft.ML.OnnxRuntime) and a GPU one ship a libonnxruntime.so of the same name; referenced together they build
# without a warning and one silently overwrites the other, leaving CUDA provider libraries beside a CPU library
# (or the reverse). The meta package Microsoft.ML.OnnxRuntime.Gpu adds Windows DLLs to a Linux output.
# Every libonnxruntime.so under bin/ must be the Gpu.Linux one pinned in Directory.Packages.props, with its
# provider libraries beside it, and no deps.json may name another ONNX Runtime native package.
#   infra/check-onnxruntime-natives.sh [DIR...]     # default: src tests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version="$(sed -n 's/.*Include="Microsoft\.ML\.OnnxRuntime\.Gpu\.Linux" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)"
[ -n "$version" ] || { echo "onnxruntime natives: no Microsoft.ML.OnnxRuntime.Gpu.Linux version in Directory.Packages.props" >&2; exit 1; }
package="${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime.gpu.linux/$version/runtimes/linux-x64/native"
[ -f "$package/libonnxruntime.so" ] || { echo "onnxruntime natives: $package is missing (restore first)" >&2; exit 1; }
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(src tests)

failures=0
fail() { echo "onnxruntime natives: $*" >&2; failures=$((failures + 1)); }

while IFS= read -r -d '' deps; do
  for other in Microsoft.ML.OnnxRuntime Microsoft.ML.OnnxRuntime.Gpu Microsoft.ML.OnnxRuntime.Gpu.Windows; do
    if grep -q "\"$other/" "$deps"; then
      fail "$deps names $other beside Microsoft.ML.OnnxRuntime.Gpu.Linux"
    fi
  done
done < <(find "${dirs[@]}" -path '*/bin/*' -name '*.deps.json' -print0)

folders=0
while IFS= read -r -d '' lib; do
  folder="$(dirname "$lib")"
  folders=$((folders + 1))
  if ! cmp -s "$lib" "$package/libonnxruntime.so"; then
    fail "$lib is not the libonnxruntime.so of Microsoft.ML.OnnxRuntime.Gpu.Linux $version (a CPU build beside GPU providers?)"
  fi
  for provider in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so; do
    # Size, not content: the CUDA provider is ~280 MB and sits in every output folder.
    if [ "$(stat -L -c %s "$folder/$provider" 2>/dev/null || echo missing)" != "$(stat -L -c %s "$package/$provider")" ]; then
      fail "$folder/$provider is missing or not the Gpu.Linux $version file"
    fi
  done
done < <(find "${dirs[@]}" -path '*/bin/*' \( -name 'libonnxruntime.so' -o -name 'libonnxruntime.so.*' \) -print0)

while IFS= read -r -d '' dll; do
  fail "$dll is a Windows ONNX Runtime library in a build output (the Microsoft.ML.OnnxRuntime.Gpu meta package?)"
done < <(find "${dirs[@]}" -path '*/bin/*' -iname 'onnxruntime*.dll' -print0)

if [ "$failures" -gt 0 ]; then
  exit 1
fi
echo "onnxruntime natives: $folders output folder(s), each with Microsoft.ML.OnnxRuntime.Gpu.Linux $version only"
