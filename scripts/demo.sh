#!/usr/bin/env bash
# Set up a virtualenv and run the bot on its embedded default: SQLite, a local
# maildir seeded with sample mail, and replies written as .eml files (no servers).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import intake_bot, spacy, lingua, sqlmodel" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q -e .
fi
exec "$VENV/bin/intake-bot" demo "$@"
