#!/usr/bin/env bash
# The one command that sets up and runs the whole test suite on a fresh Debian 12
# machine (as root). Idempotent: a second run installs nothing and goes straight to pytest.
#
#   ./scripts/test.sh                      # everything
#   ./scripts/test.sh tests/test_mailbox.py -x
#
# It starts no servers: the tests start and stop their own Dovecot, SMTP sink and
# PostgreSQL on loopback ports (tests/servers.py).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

# --- system packages (only what is missing) ---------------------------------------------
need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v "$PYTHON" >/dev/null 2>&1 || need+=(python3)
if [ ! -x "$VENV/bin/python" ] && ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
  need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  if [[ " ${need[*]} " == *" postgresql "* ]]; then
    # The tests make their own throwaway clusters; don't let the package create and start one.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/intake-bot-tests.conf
  fi
  echo "test.sh: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Python environment ---------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "test.sh: Python 3.11+ needed, $PYTHON is $("$PYTHON" -V 2>&1)" >&2; exit 1; }
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.intake-bot-test-deps"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! "$VENV/bin/python" -c "import intake_bot, pytest, aiosmtpd" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi

# --- run ------------------------------------------------------------------------------
export INTAKE_BOT_REQUIRE_PG=1  # in CI a missing PostgreSQL fails, never skips
exec "$VENV/bin/python" -m pytest -q "$@"
