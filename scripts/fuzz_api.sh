#!/usr/bin/env bash
# Fuzz the REST API from its OpenAPI schema with schemathesis: no request may end in a 5xx.
# A throwaway SQLite database with a small demo city and an all-scopes integration token
# bound to a management company; the server runs on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${FUZZ_EXAMPLES:-3}"
PORT="${FUZZ_PORT:-8765}"
DB="$PWD/var/fuzz.sqlite3"
rm -f "$DB" "$DB-wal" "$DB-shm"
export DATABASE_URL="sqlite:///$DB" DEBUG=0 ALLOWED_HOSTS=127.0.0.1 HUEY_IMMEDIATE=1
export SECRET_KEY="${SECRET_KEY:-fuzz-only-key-$(date +%s%N)-0123456789abcdefghijklmnopqrstuvwxyz}"
PY=.venv/bin/python
$PY manage.py migrate -v 0
$PY manage.py demo_city --buildings 30 >/dev/null
TOKEN=$($PY manage.py shell -c "
import datetime as dt
from domovoy.api.models import SCOPE_CODES
from domovoy.api.services import integration_agreement_create, integration_token_issue
from domovoy.directory.models import Organization, User
operator = User.objects.get(username='techop')
org = Organization.objects.get(employees__user__username='uo1')
agreement = integration_agreement_create(
    actor=operator, number='FUZZ-1', system_name='fuzz', parties='CI',
    valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2100, 1, 1), scopes=SCOPE_CODES,
    organization=org)
print(integration_token_issue(actor=operator, agreement=agreement)[1])" | tail -n 1)
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >var/fuzz-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/schema/" && break; sleep 0.2; done
.venv/bin/st run "http://127.0.0.1:$PORT/api/schema/" -H "Authorization: Token $TOKEN" \
  --max-examples "$EXAMPLES" --checks not_a_server_error --workers 2 --phases "${FUZZ_PHASES:-examples,fuzzing}"
