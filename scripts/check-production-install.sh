#!/usr/bin/env bash
# The container's production path, outside Docker: a production-only install next to the build,
# started as the image starts it, then one room created, joined and used through it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/server.js ] || npm run build

workdir=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$workdir"' EXIT
cp package.json package-lock.json "$workdir/"
cp -r patches "$workdir/patches"
# `build` is a link to the current build's own folder: copy what it points at.
cp -rL build "$workdir/build"
(cd "$workdir" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
if [ -d "$workdir/node_modules/vite" ] || [ -d "$workdir/node_modules/@remix-run/dev" ]; then
  echo "dev dependencies leaked into the production install" >&2
  exit 1
fi
# The install applies patches/ (postinstall): production runs the patched tRPC, as the tests do.
if ! grep -q "^			\.\.\.opts,$" "$workdir"/node_modules/@trpc/server/dist/initTRPC-*.mjs; then
  echo "patches/ were not applied to the production install" >&2
  exit 1
fi

port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
# Exactly the container's command, read from the Dockerfile's CMD.
read -ra command <<<"$(node -e 'const f = require("fs").readFileSync("Dockerfile", "utf8"); console.log(JSON.parse(/^CMD (\[.*\])$/m.exec(f)[1]).join(" "))')"
(cd "$workdir" && NODE_ENV=production PORT=$port HOST=127.0.0.1 LOG_LEVEL=warn "${command[@]}") &
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
# The page itself waits for the key in the link's fragment, which only the browser has.
page=$(curl -fs -c "$jar" -A "Mozilla/5.0 Chrome/156" "$base/room/$room")
grep -q 'Unlocking the room' <<<"$page"
# Messages arrive sealed; the server cannot tell this stand-in from a browser's ciphertext.
sealed=$(node -e "console.log(Buffer.alloc(48, 7).toString('base64url'))")
curl -fs -b "$jar" -X POST -H 'content-type: application/json' \
  -d "{\"json\":{\"roomId\":\"$room\",\"ciphertext\":\"$sealed\",\"clientId\":\"ci-1\"}}" "$base/api/trpc/message.send" | grep -q '"id":1'
# A sealed image larger than the API's body limit goes through its own route, and comes back whole.
head -c 300000 /dev/urandom > "$workdir/image.bin"
curl -fs -b "$jar" -X PUT -H 'content-type: application/octet-stream' --data-binary "@$workdir/image.bin" \
  "$base/api/rooms/$room/images/ci-image-1" | grep -q '"ok":true'
curl -fs -b "$jar" "$base/api/rooms/$room/images/ci-image-1" -o "$workdir/image.back"
cmp -s "$workdir/image.bin" "$workdir/image.back"
curl -fs -b "$jar" -X POST -H 'content-type: application/json' -d "{\"json\":{\"roomId\":\"$room\"}}" "$base/api/trpc/room.destroy" | grep -q '"ok":true'

kill -TERM "$server_pid"
wait "$server_pid"
echo "production install: 1 passed, 0 failed"
