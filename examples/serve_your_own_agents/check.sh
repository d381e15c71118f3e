#!/usr/bin/env bash
# The example's test: serve on a free port with a token file, submit to both
# agents with the arcp CLI, then SIGTERM must end it gracefully (exit 0).
set -euo pipefail
example=$1
arcp=$2
work=$(mktemp -d)
pid=
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'example-token:ada\n' > "$work/tokens"
printf 'example-token\n' > "$work/client-token"
mkfifo "$work/out"
"$example" --listen ws://127.0.0.1:0/arcp --token-file "$work/tokens" > "$work/out" 2> "$work/err" &
pid=$!
exec 3< "$work/out"  # kept open: the runtime may still write to it
# The first stdout line names the bound URL.
read -r -t 60 line <&3 || { echo "no URL line"; cat "$work/err"; exit 1; }
url=${line#listening on }
greeting=$("$arcp" submit --url "$url" --token-file "$work/client-token" greeter '{"name":"Ada"}')
echo "$greeting"
grep -q '"greeting": *"hello, Ada"' <<< "$greeting"
countdown=$("$arcp" submit --url "$url" --token-file "$work/client-token" countdown '{}')
echo "$countdown"
grep -q '"liftoff": *true' <<< "$countdown"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || { echo "exit $status after SIGTERM"; cat "$work/err"; exit 1; }
grep -q 'shut down gracefully' "$work/err"
echo "example ok"
