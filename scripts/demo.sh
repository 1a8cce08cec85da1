#!/usr/bin/env bash
# The detection demo: the exchange simulator and Fukkyu with 25 monitors on it.
# Inject a fault into the simulator and watch Fukkyu open an incident within seconds.
# Usage: scripts/demo.sh            (Ctrl+C stops both; state lives in a temp folder)
# Ports: DEMO_SIM_PORT (default 18180) and DEMO_PORT (default 18181), loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
SIM_PORT=${DEMO_SIM_PORT:-18180}
PORT=${DEMO_PORT:-18181}
KEY=fk_demo-admin-key-0000000000000000000000000000
PASSWORD=demo-password
DIR=$(mktemp -d -t fukkyu-demo-XXXXXX)

echo "Building…"
for project in src/Fukkyu.Server tools/ExchangeSimulator; do
  dotnet build --nologo -v quiet "$project" >"$DIR/build.log" 2>&1 || { cat "$DIR/build.log"; exit 1; }
done

# The monitors file points at the simulator's port.
sed "s/127.0.0.1:18180/127.0.0.1:${SIM_PORT}/g; s/\"port\": 18180/\"port\": ${SIM_PORT}/" tools/ExchangeSimulator/demo/demo-monitors.json > "$DIR/monitors.json"

cleanup() {
  trap - EXIT INT TERM
  [ -n "${FUKKYU_PID:-}" ] && kill "$FUKKYU_PID" 2>/dev/null || true
  [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

dotnet run --no-build --project tools/ExchangeSimulator -- --port "$SIM_PORT" >"$DIR/simulator.log" 2>&1 &
SIM_PID=$!
env Urls="http://127.0.0.1:${PORT}" \
  ConnectionStrings__Fukkyu="Data Source=$DIR/fukkyu.db" \
  Fukkyu__Bootstrap__AdminApiKey="$KEY" \
  Fukkyu__Bootstrap__AdminPassword="$PASSWORD" \
  Fukkyu__Monitoring__File="$DIR/monitors.json" \
  Logging__LogLevel__Default=Warning \
  "Logging__LogLevel__Fukkyu.Server.Alerts.AlertRouter=Information" \
  dotnet run --no-build --project src/Fukkyu.Server >"$DIR/fukkyu.log" 2>&1 &
FUKKYU_PID=$!

for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:${SIM_PORT}/state" >/dev/null 2>&1 && break
  sleep 1
done
curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null || { echo "Fukkyu did not start:"; tail -30 "$DIR/fukkyu.log"; exit 1; }

cat <<TEXT

  Fukkyu      http://127.0.0.1:${PORT}/ops        user admin, password ${PASSWORD}
              (API key ${KEY})
  Simulator   http://127.0.0.1:${SIM_PORT}/state   the exchange Fukkyu watches (25 monitors, every 2 s)

  Inject a fault, then open http://127.0.0.1:${PORT}/ops/incidents — the incident opens within ~5 s:

    curl -X POST 127.0.0.1:${SIM_PORT}/faults -d '{"type":"halt","pair":"btc_jpy"}'
    curl -X POST 127.0.0.1:${SIM_PORT}/faults -d '{"type":"website_down"}'
    curl -X POST 127.0.0.1:${SIM_PORT}/faults -d '{"type":"node_lag","chain":"bitcoin","blocks":5}'
    curl -X POST 127.0.0.1:${SIM_PORT}/faults -d '{"type":"queue_backlog","direction":"withdrawal","asset":"eth","status":"EXAMINING","count":300,"ageSeconds":3600}'
    curl -X POST 127.0.0.1:${SIM_PORT}/faults -d '{"type":"hot_wallet_outflow","asset":"btc","amountPerSecond":0.5}'

  Clear every fault (monitors recover, the incident stays open until people resolve it):

    curl -X DELETE 127.0.0.1:${SIM_PORT}/faults

  Also: /ops/alerts, /ops/monitors, /ops/reports/new. Ctrl+C stops both.

TEXT
wait "$FUKKYU_PID"
