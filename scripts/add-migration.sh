#!/usr/bin/env bash
# Adds a migration with the same name for both providers (SQLite and PostgreSQL).
# Usage: scripts/add-migration.sh AddMonitors
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh Name}
cd "$(dirname "$0")/../src/Fukkyu.Server"
dotnet tool restore >/dev/null
dotnet ef migrations add "$name" --context SqliteFukkyuDb --output-dir Data/Migrations/Sqlite
dotnet ef migrations add "$name" --context PostgresFukkyuDb --output-dir Data/Migrations/Postgres
