#!/usr/bin/env bash
# Every Python package of the project (scripts/python-packages.sh): mypy --strict, then pytest,
# in the .venv that scripts/setup.sh makes. npm test calls this after vitest, so one command tests every language.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/python-packages.sh
if [ ${#PYTHON_PACKAGES[@]} -eq 0 ]; then
  echo "test-python: the project has no Python package yet"
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  echo "test-python: no .venv; run scripts/setup.sh (or npm run test:all) first" >&2
  exit 1
fi
for p in "${PYTHON_PACKAGES[@]}"; do
  echo "test-python: $p"
  (cd "$p" && ../../.venv/bin/python -m mypy --strict . && ../../.venv/bin/python -m pytest -q)
done
