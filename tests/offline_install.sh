#!/usr/bin/env bash
# The intranet install, as a general office does it: a fresh venv in a folder outside the checkout, jianfu installed
# from the wheelhouse alone (--no-index: no registry is asked), then the three commands a clerk starts with, run from
# that folder. Fails when anything needs the checkout or the network.
set -euo pipefail
wheelhouse=$(cd "$1" && pwd)
checkout=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d /tmp/jianfu-offline-XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$python" -m venv "$work/venv"
start=$(date +%s%N)
PIP_CONFIG_FILE=/dev/null "$work/venv/bin/pip" install --quiet --no-index --find-links "$wheelhouse" jianfu
echo "offline install: $(( ($(date +%s%N) - start) / 1000000 )) ms"

cd "$work"
bin="$work/venv/bin"
# One import package: jianfu. The folders of the checkout are not importable by their own names.
"$bin/python" -c "import jianfu.engine, jianfu.adapters; print('import jianfu.engine: ok')"
for name in engine adapters bench; do
  if "$bin/python" -c "import $name" 2>/dev/null; then echo "FAIL: import $name works in the install"; exit 1; fi
done
echo "import engine/adapters/bench: not installed (good)"
# The packs, the templates and the sample come from the install, not from the checkout.
case "$("$bin/python" -c 'import jianfu; print(jianfu.shipped("rules"))')" in
  "$checkout"*) echo "FAIL: the rule packs are read from the checkout"; exit 1;;
esac

"$bin/jianfu" rules list > rules.txt
grep -q jingdezhen-2019 rules.txt && echo "jianfu rules list: ok"

cp "$checkout/examples/requests.yaml" "$checkout/examples/register.yaml" .
set +e
"$bin/jianfu" check requests.yaml --register register.yaml --format json > decisions.json
code=$?
set -e
[ "$code" -le 1 ] || { echo "FAIL: jianfu check exited $code"; exit 1; }
"$bin/python" -c "import json; d = json.load(open('decisions.json')); assert d and all(x['decision'] in ('approve', 'reject') for x in d); print(f'jianfu check: {len(d)} decisions, exit $code')"

port=$("$bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$bin/jianfu" serve --demo --demo-dir "$work/demo" --port "$port" > serve.log 2>&1 &
server=$!
for _ in $(seq 1 60); do
  if "$bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.5
done
"$bin/python" - "$port" <<'PY'
import sys, urllib.request
port = sys.argv[1]
for path in ("/healthz", "/login", "/static/jianfu.css"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        assert answer.status == 200, (path, answer.status)
print("jianfu serve --demo: /healthz, /login and the stylesheet answer 200")
PY
echo "offline install: all good"
