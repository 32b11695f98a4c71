#!/usr/bin/env bash
# The container's production path, outside Docker: a production-only install next to the build,
# started as the image starts it, then one room created, joined and used through it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/server.js ] || npm run build

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$workdir"' EXIT
cp package.json package-lock.json "$workdir/"
cp -r build "$workdir/build"
(cd "$workdir" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
if [ -d "$workdir/node_modules/vite" ] || [ -d "$workdir/node_modules/@remix-run/dev" ]; then
  echo "dev dependencies leaked into the production install" >&2
  exit 1
fi

port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
(cd "$workdir" && NODE_ENV=production PORT=$port HOST=127.0.0.1 LOG_LEVEL=warn node build/server.js) &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

curl -fs "$base/readyz" | grep -q '"ready"'
room=$(curl -fs -X POST -H 'content-type: application/json' -d '{"json":{"ttlSeconds":60}}' "$base/api/trpc/room.create" \
  | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).result.data.json.roomId))")
jar="$workdir/cookies"
curl -fs -c "$jar" -A "Mozilla/5.0 Chrome/156" "$base/room/$room" | grep -q '<textarea\|Message'
curl -fs -b "$jar" -X POST -H 'content-type: application/json' \
  -d "{\"json\":{\"roomId\":\"$room\",\"text\":\"hello from production\",\"sender\":\"ci\"}}" "$base/api/trpc/message.send" | grep -q '"id":1'
curl -fs -b "$jar" -X POST -H 'content-type: application/json' -d "{\"json\":{\"roomId\":\"$room\"}}" "$base/api/trpc/room.destroy" | grep -q '"ok":true'

kill -TERM "$server_pid"
wait "$server_pid"
echo "production install: 1 passed, 0 failed"
