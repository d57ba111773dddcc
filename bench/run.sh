#!/usr/bin/env bash
# The inference benchmark of issue 4 (docs/inference.md): base-preset bundle, generated recordings,
# `emi bench throughput` (pipeline vs raw ONNX Runtime vs PyTorch eager) and `emi bench memory`
# (peak RSS for a short and a long recording, to show it is flat in the length).
#   bench/run.sh                 # throughput on 60 s + memory on 10 and 60 minutes
#   BENCH_LONG_MINUTES=20 bench/run.sh
#   bench/run.sh face            # only the face-stage throughput (builds its bundle and recording if missing)
#   bench/run.sh perception      # the face stage part by part (detector, landmarks, expression), one thread
# Then the same throughput with every pretrained stage (issues 15 and 22): the base bundle plus the reference bundle's
# BlazeFace detector, Silero VAD speech stage, FaceMesh and expression classifier, on a 60 s recording of a moving
# face (Debian python3-skimage's public-domain astronaut.png).
set -euo pipefail
only_face=false
[ "${1:-}" = face ] && only_face=true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ "${1:-}" = perception ]; then
  faces=.local/bench/perception-faces
  [ -f "$faces/astronaut.rgb" ] || /usr/bin/python3 tools/perception-faces/make_faces.py "$faces"
  dotnet build bench/FaceStageBench -c Release -v q -nologo >&2
  uptime
  bench/FaceStageBench/bin/Release/net10.0/FaceStageBench "$faces" "${BENCH_FRAMES:-300}"
  uptime
  exit 0
fi
bundle=.local/bundles/base
media=.local/bench
long_minutes="${BENCH_LONG_MINUTES:-60}"
mkdir -p "$media"

if ! $only_face && [ ! -f "$bundle/manifest.json" ]; then
  echo "bench: exporting the base preset bundle (untrained, seed 1234) to $bundle" >&2
  dotnet restore EmiPlatform.sln -v q >&2   # emi_ml runs the graphs on the NuGet package's native library
  PYTHONPATH=ml /usr/bin/python3 -m emi_ml.export --preset base --name bench-base --version 0.0.0 --out "$bundle" --force >&2
fi

face_bundle=.local/bundles/base-perception
if [ ! -f "$face_bundle/manifest.json" ]; then
  make --no-print-directory models >&2
  PYTHONPATH=ml /usr/bin/python3 -m emi_ml.export --preset base --name bench-base-perception --version 0.0.0 \
    --face-detector models/reference-tiny/face_detection_back_256x256.onnx --perception models/reference-tiny \
    --out "$face_bundle" --force >&2
fi

ff() { ffmpeg -nostdin -y -hide_banner -loglevel error "$@"; }
if [ ! -f "$media/speech.wav" ]; then
  espeak-ng -w "$media/speech.wav" "This is a benchmark recording for the emotional mimicry intensity scoring engine. It has speech, a tone and a moving test pattern."
fi
if [ ! -f "$media/bench-60s.mp4" ]; then
  ff -f lavfi -i testsrc2=size=640x360:rate=25 -stream_loop -1 -i "$media/speech.wav" -f lavfi -i sine=frequency=220:sample_rate=44100 \
     -filter_complex "[1:a]aresample=44100[s];[s][2:a]amix=inputs=2:duration=shortest[a]" -map 0:v -map "[a]" -t 60 \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac "$media/bench-60s.mp4"
fi
if [ ! -f "$media/bench-60s-face.mp4" ]; then
  ff -f lavfi -i testsrc2=size=640x360:rate=25 -loop 1 -i /usr/lib/python3/dist-packages/skimage/data/astronaut.png \
     -stream_loop -1 -i "$media/speech.wav" \
     -filter_complex "[1:v]scale=240:240[f];[0:v][f]overlay=x='200+150*sin(t/3)':y=60[v]" -map "[v]" -map 2:a -t 60 \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac "$media/bench-60s-face.mp4"
fi
for minutes in 10 "$long_minutes"; do
  $only_face && break
  f="$media/bench-${minutes}min.mp4"
  if [ ! -f "$f" ]; then
    echo "bench: generating a ${minutes}-minute recording" >&2
    ff -f lavfi -i testsrc2=size=320x240:rate=15 -f lavfi -i sine=frequency=220:sample_rate=16000 -t $((minutes * 60)) \
       -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 48k "$f"
  fi
done

dotnet build src/EmiPlatform.Cli -c Release -v q -nologo >&2
emi=src/EmiPlatform.Cli/bin/Release/net10.0/emi

if ! $only_face; then
echo "== throughput"
"$emi" bench throughput --model "$bundle" --recording "$media/bench-60s.mp4"
for minutes in 10 "$long_minutes"; do
  echo "== memory, ${minutes} minutes"
  "$emi" bench memory --model "$bundle" --recording "$media/bench-${minutes}min.mp4"
done
fi
echo "== throughput with the face stage"
uptime
"$emi" bench throughput --model "$face_bundle" --recording "$media/bench-60s-face.mp4" --pytorch-segments 0
