#!/usr/bin/env bash
# The whole test suite: services up, install, lint (ruff, mypy), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
bash scripts/install.sh
echo "== ruff"; .venv/bin/ruff check shared services tests
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/pytest "$@"
