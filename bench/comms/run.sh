#!/usr/bin/env bash
# Communication benchmarks (issue 5). Builds Release, then runs every benchmark on loopback ports
# 18301–18305 (server, nginx, SMTP sink, webhook receiver, edge); each stops by itself.
# Usage: bench/comms/run.sh [http|latency|email|webhooks|crash|all] [--store sqlite|postgres] [--subscribers N]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release -v q src/Fukkyu.Server >/dev/null
dotnet build -c Release -v q src/Fukkyu.Edge >/dev/null
dotnet build -c Release -v q bench/comms/CommsBench >/dev/null
exec dotnet bench/comms/CommsBench/bin/Release/net10.0/CommsBench.dll "${@:-all}"
