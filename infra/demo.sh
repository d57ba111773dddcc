#!/usr/bin/env bash
# `make demo`: the platform on the embedded default (one process, local PostgreSQL), driven through its HTTP API.
# Expects infra/up.sh to have run and .local/env.sh to be sourced (the Makefile does both).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port="${EMI_DEMO_PORT:-5080}"
url="http://127.0.0.1:$port"
log=".local/demo-api.log"

# The platform admin's key comes from configuration; keep one per checkout so a second run can reuse the server's data.
[ -f .local/demo-admin-key ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/emi-bootstrap-/' >.local/demo-admin-key
admin_key=$(cat .local/demo-admin-key)

if curl -fs "$url/healthz" >/dev/null 2>&1; then
  echo "demo: something already answers on $url; stop it or set EMI_DEMO_PORT" >&2
  exit 1
fi
# A webhook receiver on loopback for the story's last chapter (the study.completed event); the demo's platform may
# call loopback for that reason only (Webhooks__AllowPrivateNetworks), which production never allows.
hook_port=$((port + 1)); hooks=.local/demo-webhooks.jsonl; : >"$hooks"
python3 -c '
import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[1], "ab") as f: f.write(body + b"\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), Receiver).serve_forever()' "$hooks" "$hook_port" &
hook_pid=$!
# The demo scores with every pretrained part that is reachable: the ImageNet ResNet18 visual backbone (make models
# fetches it and builds .local/models/reference-resnet18; about 30-50 ms per face crop here, a few seconds per demo
# clip) beside the tiny untrained audio backbone (no wav2vec 2.0 is reachable). docs/inference.md has the figures.
bundle=.local/models/reference-resnet18
[ -f "$bundle/manifest.json" ] || { echo "demo: $bundle is missing (make models builds it); using models/reference-tiny"; bundle=models/reference-tiny; }
echo "demo: starting the platform on $url (log: $log), default bundle $bundle"
Scoring__DefaultBundle="$PWD/$bundle" Auth__BootstrapAdminKey="$admin_key" ASPNETCORE_URLS="$url" DOTNET_ENVIRONMENT=Production Webhooks__AllowPrivateNetworks=true OpenTelemetry__JobStatesInterval=00:00:02 \
  dotnet run --project src/EmiPlatform.Api --no-build --no-launch-profile >"$log" 2>&1 &
api_pid=$!
trap 'kill $api_pid $hook_pid ${sse_pid:-} 2>/dev/null; wait $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "$url/readyz" >/dev/null 2>&1 && break
  kill -0 $api_pid 2>/dev/null || { echo "demo: the platform failed to start:" >&2; tail -20 "$log" >&2; exit 1; }
  sleep 0.5
done
curl -fs "$url/readyz" >/dev/null || { echo "demo: the platform did not become ready in 60 s" >&2; tail -20 "$log" >&2; exit 1; }

call() { # method path key [json]
  local out; out=$(curl -sS -X "$1" "$url$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data "$4"} -w '\n%{http_code}')
  local code=${out##*$'\n'}; local body=${out%$'\n'*}
  if [ "${code:0:1}" != 2 ]; then echo "demo: $1 $2 answered $code: $body" >&2; exit 1; fi
  printf '%s' "$body"
}

stamp=$(date +%H%M%S)
tenant=$(call POST /v1/admin/tenants "$admin_key" "{\"name\":\"Demo lab $stamp\",\"maxStorageBytes\":10737418240,\"maxRecordings\":1000}")
tenant_id=$(jq -r .tenant.id <<<"$tenant"); lab_key=$(jq -r .adminKey.secret <<<"$tenant")
echo "1. created tenant 'Demo lab $stamp' ($tenant_id) as platform admin; its tenant-admin key (shown once): $lab_key"

uploader=$(call POST /v1/keys "$lab_key" '{"name":"demo uploader","role":"uploader"}')
uploader_key=$(jq -r .secret <<<"$uploader")
echo "2. the tenant admin created an uploader key: $(jq -r .key.prefix <<<"$uploader")_…"

study=$(call POST /v1/studies "$uploader_key" '{"name":"Mimicry pilot","description":"Participants mimic six short emotional stimuli."}')
study_id=$(jq -r .id <<<"$study")
echo "3. created study 'Mimicry pilot' ($study_id)"

declare -A participant_ids
for code in P01 P02 P03; do
  p=$(call POST "/v1/studies/$study_id/participants" "$uploader_key" "{\"code\":\"$code\",\"metadata\":{\"session\":1,\"condition\":\"mimic\"}}")
  participant_ids[$code]=$(jq -r .id <<<"$p")
  echo "4. created participant $code (${participant_ids[$code]})"
done

echo
echo "participants of the study, as the API lists them:"
call GET "/v1/studies/$study_id/participants" "$uploader_key" | jq -r '.items[] | "   \(.code)\t\(.id)\tmetadata=\(.metadata|tojson)"'
echo
echo "API:              $url  (platform admin key in .local/demo-admin-key)"
echo "OpenAPI document: $url/openapi/v1.json"
echo "health:           $url/healthz   readiness: $url/readyz"

# Sample recordings: skimage's public-domain astronaut photo (NASA; Debian python3-skimage) as the participant's face,
# then ffmpeg's test pattern (the face leaves for the last two seconds), with synthetic speech (espeak-ng) followed by
# silence; made once per checkout.
astronaut=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
media=.local/demo-media
mkdir -p "$media"
lines=("I really admire how calmly you handled that." "Ha, that was funny, let us do it again!" "We will finish this, no matter what it takes.")
i=0
for code in P01 P02 P03; do
  for take in 1 2; do
    f="$media/$code-take$take-face.mp4"
    if [ ! -s "$f" ]; then
      espeak-ng -s 150 -w "$media/$code-$take.wav" "${lines[$i]}" 2>/dev/null
      ffmpeg -nostdin -v error -y -loop 1 -t $((3 + take)) -i "$astronaut" -f lavfi -t 2 -i "testsrc=size=512x512:rate=25" \
        -i "$media/$code-$take.wav" \
        -filter_complex "[0:v]fps=25,format=yuv420p[f];[1:v]format=yuv420p[t];[f][t]concat=n=2:v=1[v];[2:a]aresample=16000,apad[a]" \
        -map "[v]" -map "[a]" -t $((5 + take)) \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -movflags +faststart "$f"
    fi
  done
  i=$((i + 1))
done

webhook=$(call POST /v1/webhooks "$lab_key" "{\"url\":\"http://127.0.0.1:$hook_port/emi\",\"description\":\"demo receiver\"}")
echo
echo "the tenant admin registered a webhook (job and study events, HMAC-signed) to a receiver on 127.0.0.1:$hook_port"

# Live progress is the study grain's Server-Sent Events stream; recorded here from before the first upload.
events=.local/demo-study-events.txt
curl -sS -N "$url/v1/studies/$study_id/events" -H "Authorization: Bearer $uploader_key" -H 'Accept: text/event-stream' >"$events" &
sse_pid=$!

echo
echo "5. uploading 6 sample recordings (a face, then a test pattern, + synthetic speech); each upload queues a scoring job in the same transaction"
declare -a recording_ids
for code in P01 P02 P03; do
  for take in 1 2; do
    out=$(curl -sS -X POST "$url/v1/studies/$study_id/participants/${participant_ids[$code]}/recordings?stimulus=joy-0$take&trial=$take&fileName=$code-take$take.mp4" \
      -H "Authorization: Bearer $uploader_key" -H 'Content-Type: video/mp4' --data-binary "@$media/$code-take$take-face.mp4" -w '\n%{http_code}')
    code_=${out##*$'\n'}; body=${out%$'\n'*}
    [ "${code_:0:1}" = 2 ] || { echo "demo: upload of $code take $take answered $code_: $body" >&2; exit 1; }
    recording_ids+=("$(jq -r .id <<<"$body")")
    echo "   $code take $take -> recording $(jq -r .id <<<"$body") ($(jq -r .durationSeconds <<<"$body") s)"
  done
done

echo
echo "6. scoring: the study grain registered each upload, the tenant grain releases the jobs within the tenant's share,"
echo "   the embedded silo scores them; live progress from GET /v1/studies/{id}/events (emi jobs watch):"
EMI_URL="$url" EMI_KEY="$uploader_key" dotnet src/EmiPlatform.Cli/bin/Debug/net10.0/emi.dll jobs watch --study "$study_id" --timeout 10m \
  || { echo "demo: the study's jobs did not all succeed" >&2; exit 1; }
jobs=$(call GET "/v1/studies/$study_id/jobs?pageSize=200" "$uploader_key")
echo
echo "   the SSE stream as it arrived (first lines of $events):"
grep '^event: \(snapshot\|job\|completed\)' -A1 "$events" | grep '^data:' | head -12 | cut -c7- |
  jq -r 'if .job then "   \(.type)\t\(.job.id)  \(.job.state)" else "   \(.type)\tqueued=\(.progress.queued) running=\(.progress.running) succeeded=\(.progress.succeeded)" end'
echo
echo "jobs of the study:"
jq -r '.items[] | "   \(.id)  \(.state)  attempts=\(.attempts)  bundle=\(.bundle.name)@\(.bundle.version) (trained: \(.bundle.trained))  worker=\(.worker)  provider=\(.executionProvider)  \((.finishedAt // "") )"' <<<"$jobs"
failed=$(jq '[.items[] | select(.state != "succeeded")] | length' <<<"$jobs")
[ "$failed" = 0 ] || { echo "demo: $failed job(s) did not succeed" >&2; exit 1; }

echo
echo "timeline of participant P01, take 1 (1 s windows; the reference model is UNTRAINED, its numbers are meaningless):"
call GET "/v1/recordings/${recording_ids[0]}/timeline" "$uploader_key" | jq -r '
  (["start_s","end_s","admiration","amusement","determination","empathic_pain","excitement","joy"] | @tsv),
  (.windows[] | [.start_s, .end_s, .admiration, .amusement, .determination, .empathic_pain, .excitement, .joy]
     | map(if type == "number" then (. * 1000 | round / 1000) else . end) | @tsv)' | column -t
echo
echo "what the pretrained stages measured in the same windows (speech: Silero VAD; face: BlazeFace, FaceMesh landmark"
echo "descriptors - not FACS-coded AUs - and a FER-2013 expression classifier; empty where the face left; docs/results.md):"
call GET "/v1/recordings/${recording_ids[0]}/timeline" "$uploader_key" | jq -r '
  (["start_s","speech_coverage","face_coverage","face_confidence","au12_lip_corner_pull","au26_jaw_drop","head_yaw_deg","expr_happy","expr_neutral"] | @tsv),
  (.windows[] | [.start_s, .speech_coverage, .face_coverage, .face_confidence, .au12_lip_corner_pull, .au26_jaw_drop, .head_yaw_deg, .expr_happy, .expr_neutral]
     | map(if type == "number" then (. * 1000 | round / 1000) elif . == null then "-" else . end) | @tsv)' | column -t

csv="$root/.local/demo-study-long.csv"
curl -sS -f "$url/v1/studies/$study_id/export?format=long" -H "Authorization: Bearer $uploader_key" -o "$csv"
echo
echo "7. CSV export (long format, one row per window; columns in docs/results.md): $csv ($(($(wc -l <"$csv") - 1)) rows)"
head -3 "$csv" | cut -c1-160 | sed 's/^/   /'
echo
echo "8. study.completed: each scoring run of the study ended with one signed webhook event (received on 127.0.0.1:$hook_port):"
for _ in $(seq 1 40); do grep -q '"study.completed"' "$hooks" && break; sleep 0.25; done
jq -r 'select(.type == "study.completed") | "   run \(.study.runId): \(.study.jobs.succeeded)/\(.study.jobs.total) succeeded, \(.study.recordingSecondsScored) s of recordings, \(.study.startedAt) -> \(.study.completedAt)"' "$hooks"
# --- Stimulus events (issue 26): one self-contained step; needs only $url, $uploader_key, $study_id and the emi CLI. ---
events_log="$root/.local/demo-events-log.csv"
cat >"$events_log" <<'LOG'
participant,recording,onset_s,offset_s,kind,stimulus,trial,condition
P01,P01-take2.mp4,0,1,baseline,,1,
P01,P01-take2.mp4,1,3,stimulus,joy-01,1,congruent
P01,P01-take2.mp4,3,4,baseline,,2,
P01,P01-take2.mp4,4,6.5,stimulus,amusement-02,2,incongruent
LOG
echo
echo "stimulus events: the session recording P01-take2.mp4 holds two stimuli, each after a baseline (experiment log $events_log):"
EMI_URL="$url" EMI_KEY="$uploader_key" dotnet src/EmiPlatform.Cli/bin/Debug/net10.0/emi.dll events import "$events_log" --study "$study_id" | sed 's/^/   /'
events_csv="$root/.local/demo-study-events.csv"
EMI_URL="$url" EMI_KEY="$uploader_key" dotnet src/EmiPlatform.Cli/bin/Debug/net10.0/emi.dll export --study "$study_id" --format events -o "$events_csv" >/dev/null
echo "   per-event results (emi export --format events; one row per participant x event; _bc = mean minus the preceding baseline's mean):"
python3 - "$events_csv" <<'PY' | column -t -s $'\t' | sed 's/^/   /'
import csv, sys
cols = ["participant", "recording", "event", "event_kind", "event_stimulus", "onset_s", "offset_s", "window_count", "joy_mean", "joy_peak", "joy_ttp_s", "joy_mean_bc"]
print("\t".join(cols))
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    print("\t".join((f"{float(row[c]):.3f}" if c.startswith("joy") and row[c] else (row[c] or "-")) for c in cols))
PY

echo
echo "9. metrics (Prometheus text; platform admin's key only; every metric and span: docs/operations.md, Telemetry):"
echo "   curl -H \"Authorization: Bearer \$(cat .local/demo-admin-key)\" $url/metrics"
# The demo counts jobs for the emi_jobs gauge every 2 s (OpenTelemetry__JobStatesInterval; 15 s by default), so a
# scrape right after the last job can still show the previous count (e.g. queued 1, running 1, succeeded 4): wait
# until the gauge has counted all of this tenant's jobs as succeeded (zeros are reported too, so a series existing
# proves nothing).
total_jobs=$(jq '.items | length' <<<"$jobs")
for _ in $(seq 1 40); do
  metrics=$(curl -sS -f "$url/metrics" -H "Authorization: Bearer $admin_key")
  grep -Eq "^emi_jobs\{.*emi_job_state=\"succeeded\".*$tenant_id.*\} $total_jobs( [0-9]+)?\$" <<<"$metrics" && break
  sleep 0.5
done
grep -E "^emi_(jobs|upload_size_bytes_total|export_rows_total|job_queue_duration_seconds_count|scoring_real_time_factor_(sum|count))\{" <<<"$metrics" |
  grep -E "$tenant_id|execution_provider" | grep -v '^emi_jobs{.*} 0$' | sed -e 's/otel_scope_name="EmiPlatform",//' -e 's/^/   /'
echo
# Without a terminal the platform stops with this script, so its dashboard URL would be dead once printed.
if [ -t 0 ] || [ -n "${EMI_DEMO_SERVE:-}" ]; then
  echo "10. dashboard: $url/dashboard/#key=$uploader_key"
  echo "   (the key travels in the URL fragment, which the browser never sends to the server; the page then removes it)"
else
  echo "10. dashboard: not served - without a terminal the platform stops when this script ends, so every URL above"
  echo "   stops answering. To keep it serving and get the dashboard's URL: EMI_DEMO_SERVE=1 make demo (stop with Ctrl-C or kill)"
fi
echo
echo "More: docs/architecture.md, docs/api.md, docs/scoring.md, docs/results.md, docs/cli.md, docs/operations.md (telemetry). The reference model is untrained (docs/model-bundle.md)."
if [ -t 0 ] || [ -n "${EMI_DEMO_SERVE:-}" ]; then
  echo; echo "The platform keeps running; press Ctrl-C (or kill $$) to stop it."
  wait $api_pid
fi
