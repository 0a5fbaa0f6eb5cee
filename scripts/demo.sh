#!/usr/bin/env bash
# Set up a virtualenv and run the bot on its embedded default: SQLite, a local
# maildir seeded with sample mail, and replies written as .eml files (no servers).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || { echo "demo.sh: Python 3.11+ needed ($PYTHON)" >&2; exit 1; }
  if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "demo.sh: $PYTHON cannot make a virtualenv: install python3-venv (apt-get install python3-venv)" >&2
      exit 1
    fi
    echo "demo.sh: installing python3-venv" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import intake_bot, spacy, lingua, sqlmodel" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q -e .
fi
exec "$VENV/bin/intake-bot" demo "$@"
