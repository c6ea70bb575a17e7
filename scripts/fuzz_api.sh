#!/usr/bin/env bash
# Fuzz the REST API from its OpenAPI schema with schemathesis, as every kind of caller: no
# request may end in a 5xx (S7). A throwaway SQLite database with a small demo city; the
# server runs on loopback only with DEBUG off and a random SECRET_KEY.
#
# Callers: anonymous, the integration token (all scopes, bound to a management company) and
# a session of each demo role (resident, call operator, UO dispatcher, supplier dispatcher,
# controller, media, functional operator, technical operator). Schemathesis runs its
# examples, coverage and fuzzing phases and then the stateful phase, which chains calls by
# the links it infers from responses (a created request's id into its actions, …).
#
# Settings (environment):
#   FUZZ_EXAMPLES    test cases per operation and phase (default 25)
#   FUZZ_PHASES      schemathesis phases (default examples,coverage,fuzzing,stateful)
#   FUZZ_MAX_TIME    seconds per caller, empty for no limit (CI sets a short budget)
#   FUZZ_CALLERS     comma-separated subset of the callers below (default: all)
#   FUZZ_BUILDINGS   buildings of the demo city (default 30)
#   FUZZ_WORKERS     schemathesis workers (default 2)
#   FUZZ_PORT        server port (default 8765)
#   FUZZ_SEED        schemathesis seed, to replay a run
#   PY, ST           the python and schemathesis executables (default .venv/bin/…)
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${FUZZ_EXAMPLES:-25}"
PHASES="${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}"
MAX_TIME="${FUZZ_MAX_TIME:-}"
BUILDINGS="${FUZZ_BUILDINGS:-30}"
WORKERS="${FUZZ_WORKERS:-2}"
PORT="${FUZZ_PORT:-8765}"
PY="${PY:-.venv/bin/python}"
ST="${ST:-$(dirname "$PY")/st}"
ALL_CALLERS="anonymous,resident,call_operator,uo_dispatcher,supplier_dispatcher,controller,media,integration,functional_operator,technical_operator"
CALLERS="${FUZZ_CALLERS:-$ALL_CALLERS}"
OUT="$PWD/var/fuzz"
DB="$OUT/fuzz.sqlite3"
mkdir -p "$OUT"
rm -f "$DB" "$DB-wal" "$DB-shm" "$OUT"/*.log

SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY DATABASE_URL="sqlite:///$DB" DEBUG=0 ALLOWED_HOSTS=127.0.0.1 HUEY_IMMEDIATE=1
"$PY" manage.py migrate -v 0
"$PY" manage.py demo_city --buildings "$BUILDINGS" >/dev/null

# One line per caller: name, then the headers that authenticate it (tab-separated). Sessions
# are created directly; the CSRF cookie and header carry the same random secret.
"$PY" manage.py shell -v 0 -c "
import datetime as dt
import secrets
from django.test import Client
from domovoy.api.models import SCOPE_CODES
from domovoy.api.services import integration_agreement_create, integration_token_issue
from domovoy.directory.models import Organization, User
operator = User.objects.get(username='techop')
org = Organization.objects.get(employees__user__username='uo1')
agreement = integration_agreement_create(
    actor=operator, number='FUZZ-1', system_name='fuzz', parties='CI',
    valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2100, 1, 1), scopes=SCOPE_CODES,
    organization=org)
print('integration\tAuthorization: Token ' + integration_token_issue(actor=operator, agreement=agreement)[1])
print('anonymous')
logins = {'resident': 'resident', 'call_operator': 'callcentre', 'uo_dispatcher': 'uo1_dispatcher',
          'supplier_dispatcher': 'rso_water', 'controller': 'control', 'media': 'media',
          'functional_operator': 'operator', 'technical_operator': 'techop'}
for name, username in logins.items():
    client = Client()
    client.force_login(User.objects.get(username=username))
    csrf = secrets.token_hex(16)
    cookie = 'sessionid=' + client.cookies['sessionid'].value + '; csrftoken=' + csrf
    print(name + '\tCookie: ' + cookie + '\tX-CSRFToken: ' + csrf)
" >"$OUT/callers.tsv"

"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/schema/" && break; sleep 0.2; done

failed=()
IFS=',' read -ra wanted <<<"$CALLERS"
for name in "${wanted[@]}"; do
  line="$(grep -P "^$name(\t|$)" "$OUT/callers.tsv")" || { echo "unknown caller: $name" >&2; exit 2; }
  IFS=$'\t' read -ra parts <<<"$line"
  args=()
  for header in "${parts[@]:1}"; do args+=(-H "$header"); done
  [ -n "$MAX_TIME" ] && args+=(--max-time "$MAX_TIME")
  [ -n "${FUZZ_SEED:-}" ] && args+=(--seed "$FUZZ_SEED")
  echo "== fuzzing as $name =="
  if ! "$ST" run "http://127.0.0.1:$PORT/api/schema/" "${args[@]}" \
      --max-examples "$EXAMPLES" --checks not_a_server_error --workers "$WORKERS" \
      --phases "$PHASES" --no-color --output-truncate true \
      --suppress-health-check all --generation-database none \
      --generation-with-security-parameters false >"$OUT/$name.log" 2>&1; then
    failed+=("$name")
    grep -E "Server error|500|502|503" "$OUT/$name.log" | head -20 || true
  fi
  tail -n 4 "$OUT/$name.log"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "server errors (or a failed run) as: ${failed[*]} — see var/fuzz/<caller>.log" >&2
  exit 1
fi
echo "fuzzing done: no server errors as ${CALLERS//,/, }"
