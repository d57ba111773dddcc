#!/usr/bin/env bash
# Run by `make test` (and `make tool`): the emi .NET tool package stays installable and small. It must be at most
# 60 MB, carry ONNX Runtime's Gpu.Linux libonnxruntime.so (which runs on the CPU) without the CUDA and TensorRT
# provider libraries (src/EmiPlatform.Cli/EmiPlatform.Cli.csproj leaves them out), install with `dotnet tool install`
# and answer `emi --version`.
#   infra/check-tool-package.sh            # packs the Debug build (no rebuild) into a temporary folder and checks it
#   infra/check-tool-package.sh PACKAGE    # checks that .nupkg
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
limit=$((60 * 1000 * 1000))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

package="${1:-}"
if [ -z "$package" ]; then
  dotnet pack src/EmiPlatform.Cli/EmiPlatform.Cli.csproj --no-build -c Debug -o "$work/pack" --nologo -v quiet -clp:NoSummary >"$work/pack.log" 2>&1 \
    || { cat "$work/pack.log" >&2; echo "emi tool: dotnet pack failed (build first: make build)" >&2; exit 1; }
  package="$(ls "$work"/pack/EmiPlatform.Cli.*.nupkg)"
fi
[ -f "$package" ] || { echo "emi tool: $package is missing" >&2; exit 1; }

failures=0
fail() { echo "emi tool: $*" >&2; failures=$((failures + 1)); }
size="$(stat -c %s "$package")"
[ "$size" -le "$limit" ] || fail "$(basename "$package") is $size bytes, over the 60 MB limit"
files="$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$package")"
grep -q '^tools/net10.0/any/runtimes/linux-x64/native/libonnxruntime.so$' <<<"$files" || fail "the package lacks libonnxruntime.so: emi score could not run"
if grep -E 'libonnxruntime_providers_(cuda|tensorrt)\.so' <<<"$files"; then
  fail "the package carries CUDA/TensorRT provider libraries"
fi

version="$(sed -n 's/.*EmiPlatform\.Cli\.\(.*\)\.nupkg$/\1/p' <<<"$(basename "$package")")"
dotnet tool install EmiPlatform.Cli --version "$version" --tool-path "$work/tools" --add-source "$(dirname "$package")" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "dotnet tool install failed"; }
if [ -x "$work/tools/emi" ]; then
  "$work/tools/emi" --version >/dev/null || fail "the installed emi does not answer --version"
fi

[ "$failures" -eq 0 ] || exit 1
echo "emi tool: $(basename "$package") is $((size / 1000 / 1000)) MB (limit 60), installs, and runs; no CUDA provider libraries"
