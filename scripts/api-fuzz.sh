#!/usr/bin/env bash
# The API fuzz (scripts/api-fuzz/run.py, docs/reliability.md): schemathesis against a real server, in the .venv that
# scripts/setup.sh makes. npm test runs it after the Python packages' tests; `npm run fuzz:api` runs it alone.
# Extra arguments go to `st run` (e.g. `npm run fuzz:api -- -n 10` for a quick run).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/st ]; then
  echo "api-fuzz: no schemathesis in .venv; run scripts/setup.sh (or npm run test:all) first" >&2
  exit 1
fi
exec .venv/bin/python scripts/api-fuzz/run.py "$@"
