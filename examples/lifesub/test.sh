#!/usr/bin/env bash
# End-to-end check of lifesub on a throwaway kubelite cluster: tests the PostgreSQL client
# (lib/pg.test.js) against a throwaway PostgreSQL, builds the images, applies
# the manifests, waits for the StatefulSet and the rollouts (watching the pods become
# ready), looks at the tables with psql inside postgres-0, makes ALLOWED_ORIGINS from the
# frontend's LoadBalancer address and rolls the backends, then signs up, logs in,
# subscribes, lists and asks for a recommendation through the Ingress, checks the rewrite,
# and restarts postgres-0 to see the data kept on its PersistentVolumeClaim.
# Run from anywhere, after `npm run build`. Exits 77 when PostgreSQL is not installed.
#   KUBELITE_BIN      the CLI to run (default: this repository's dist/src/cli/main.js)
#   LB_POOL           LoadBalancer address pool (default 127.0.1.0/24)
#   INGRESS_PORT      the ingress controller's host port (default auto: 80, else 8080)
#   LIFESUB_FRONTEND  nginx or node (default: nginx when the host has it)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
bin=${KUBELITE_BIN:-$repo/dist/src/cli/main.js}
pgbin=/usr/lib/postgresql/15/bin
for b in postgres initdb pg_ctl psql pg_isready; do
  [[ -x $pgbin/$b ]] || { echo "SKIP: PostgreSQL is not installed (no $pgbin/$b)"; exit 77; }
done
[[ -f $bin ]] || { echo "test.sh: $bin is missing: run npm run build first" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "test.sh: kubectl is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "test.sh: curl is not installed" >&2; exit 1; }

data=$(mktemp -d)
log=$(mktemp)
watch_log=$(mktemp)
server_pid=
watch_pid=
cleanup() {
  local status=$?
  trap - EXIT
  if [[ -n $watch_pid ]]; then kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; fi
  if [[ $status -ne 0 ]]; then
    echo "test.sh: FAILED (exit $status); cluster state and logs follow" >&2
    kubectl get all,pvc,ingress -o wide >&2 2>/dev/null || true
    kubectl get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 30 >&2 || true
    kubectl logs postgres-0 --tail=20 >&2 2>/dev/null || true
    for d in member mysub recommend frontend; do kubectl logs "deployment/$d" --tail=20 >&2 2>/dev/null || true; done
    tail -n 40 "$log" >&2 || true
  fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data" "$log" "$watch_log"
  exit "$status"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
kubelite() { node "$bin" "$@"; }
fail() { echo "test.sh: $*" >&2; exit 1; }
json() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }
curl_() { curl -sS --max-time 10 "$@"; }

step "the PostgreSQL client (lib/pg.js) against a throwaway PostgreSQL"
node --test --test-reporter=spec "$here/lib/pg.test.js" 2>&1 | grep -vE '^\s*$' || fail "lib/pg.test.js failed"

step "start kubelite (data dir $data)"
node "$bin" server --data-dir "$data" --port 0 --image-fallback host \
  --load-balancer-pool "${LB_POOL:-127.0.1.0/24}" --ingress-http-port "${INGRESS_PORT:-auto}" \
  --ingress-https-port 0 2>"$log" &
server_pid=$!
kubeconfig=
ingress=
for _ in $(seq 1 300); do
  kubeconfig=$(sed -n 's/.*API server ready at .* (kubeconfig: \(.*\))$/\1/p' "$log" | head -n 1)
  ingress=$(grep -o 'ingress at http://127\.0\.0\.1[:0-9]*' "$log" | head -n 1 | sed 's/^ingress at //' || true)
  [[ -n $kubeconfig && -n $ingress ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited before it was ready"
  sleep 0.2
done
[[ -n $kubeconfig ]] || fail "the server was not ready within 60s"
[[ -n $ingress ]] || fail "the server log names no ingress address"
export KUBECONFIG=$kubeconfig
echo "kubeconfig: $KUBECONFIG; ingress: $ingress"

frontend=${LIFESUB_FRONTEND:-}
if [[ -z $frontend ]]; then
  if command -v nginx >/dev/null; then frontend=nginx; else frontend=node; fi
fi
step "build images (frontend: $frontend)"
app=examples/lifesub
build() { kubelite image build -q --data-dir "$data" "$@"; }
build -t lifesub/postgres:15 "$app/postgres"
for s in member mysub recommend; do build -t "lifesub/$s:latest" -f "$app/$s/Dockerfile" "$app"; done
case $frontend in
  nginx) build -t lifesub/frontend:latest "$app/frontend" ;;
  node) build -t lifesub/frontend:latest -f "$app/frontend-node/Dockerfile" "$app" ;;
  *) fail "LIFESUB_FRONTEND must be nginx or node, not $frontend" ;;
esac
kubelite image ls --data-dir "$data"

step "apply the manifests; watch the pods; wait for the StatefulSet and the rollouts"
kubectl get pods -w >"$watch_log" 2>&1 &
watch_pid=$!
kubectl apply -f "$app/kubernetes/"
kubectl rollout status statefulset/postgres --timeout=180s
for d in member mysub recommend frontend; do kubectl rollout status "deployment/$d" --timeout=180s; done
kubectl get statefulset,pods,svc,pvc,ingress -o wide

step "every container has the three probes and resources"
checks=$(kubectl get statefulset,deployment -l app.kubernetes.io/part-of=lifesub -o json | node -e '
  let s = ""; process.stdin.on("data", (c) => s += c).on("end", () => {
    for (const o of JSON.parse(s).items) for (const c of o.spec.template.spec.containers) {
      const r = c.resources ?? {}
      const missing = ["startupProbe", "readinessProbe", "livenessProbe"].filter((p) => !c[p])
      if (!r.requests?.cpu || !r.requests?.memory || !r.limits?.cpu || !r.limits?.memory) missing.push("resources")
      console.log(`${o.kind}/${o.metadata.name} ${c.name}: ${missing.length ? "MISSING " + missing.join(", ") : "ok"}`)
    }
  })')
echo "$checks"
[[ $(grep -c ': ok$' <<<"$checks") == 5 ]] || fail "not every container has probes and resources"

step "the pod watch saw them become ready"
sleep 1 # the watch may be a line behind rollout status
cat "$watch_log"
for p in postgres-0 member- mysub- recommend- frontend-; do
  grep -qE "^$p[^ ]* +1/1 +Running" "$watch_log" || fail "kubectl get pods -w never showed $p ready"
done
grep -qE '^postgres-0 +0/1 ' "$watch_log" || fail "kubectl get pods -w never showed postgres-0 before it was ready"

step "psql inside postgres-0 (kubectl exec -it, on a terminal from script)"
if command -v script >/dev/null; then
  # script(1) gives kubectl a terminal so -t holds; the here-doc is what we type into sh.
  out=$(script -qec "kubectl exec -it postgres-0 -- sh" /dev/null <<'EOF' | tr -d '\r'
psql -P pager=off -U lifesub -d lifesub -c '\dt'
psql -P pager=off -U lifesub -d lifesub -c 'SELECT id, category, monthly_fee FROM services ORDER BY id LIMIT 3'
exit
EOF
  )
  echo "$out"
  for t in members services subscriptions recommendations; do
    grep -qE "public \| $t +\| table" <<<"$out" || fail "psql \\dt does not list the table $t"
  done
else
  echo "script(1) is not installed: skipping the interactive session, running psql without a terminal"
  kubectl exec postgres-0 -- psql -U lifesub -d lifesub -c '\dt' | grep -q subscriptions || fail "psql \\dt does not list subscriptions"
fi

step "ALLOWED_ORIGINS from the frontend's external IP, API_BASE_URL from the ingress; the deployments roll"
frontend_ip=
for _ in $(seq 1 100); do
  frontend_ip=$(kubectl get svc frontend -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  [[ -n $frontend_ip ]] && break
  sleep 0.2
done
[[ -n $frontend_ip ]] || fail "the frontend Service got no external IP"
origin="http://$frontend_ip"
echo "frontend at $origin"
kubectl create configmap lifesub-cors --from-literal=ALLOWED_ORIGINS="$origin"
kubectl create configmap lifesub-frontend --from-literal=API_BASE_URL="$ingress"
kubectl rollout restart deployment -l tier=backend
kubectl rollout restart deployment/frontend
for d in member mysub recommend frontend; do kubectl rollout status "deployment/$d" --timeout=180s; done
kubectl logs deployment/member | grep -F "CORS origins: $origin" || fail "member did not start with ALLOWED_ORIGINS=$origin"

step "the frontend page"
for _ in $(seq 1 50); do
  page=$(curl_ "$origin/" 2>/dev/null || true)
  grep -q '<title>LifeSub</title>' <<<"$page" && break
  sleep 0.2
done
grep -q '<title>LifeSub</title>' <<<"$page" || fail "$origin/ does not serve the page"
config=$(curl_ --fail "$origin/config.js")
echo "config.js: $config"
grep -qF "\"$ingress\"" <<<"$config" || fail "config.js does not name the ingress $ingress"

step "ingress: regex paths and rewrite-target /\$2"
for _ in $(seq 1 50); do
  code=$(curl_ -o /dev/null -w '%{http_code}' "$ingress/member/healthz" 2>/dev/null || true)
  [[ $code == 200 ]] && break
  sleep 0.2
done
[[ $code == 200 ]] || fail "GET $ingress/member/healthz: $code, want 200"
body=$(curl_ "$ingress/member/x")
echo "GET /member/x -> $body"
[[ $(json path <<<"$body") == /x && $(json service <<<"$body") == member ]] || fail "/member/x did not reach member as /x"
[[ $(curl_ "$ingress/mysub/a/b" | json path) == /a/b ]] || fail "/mysub/a/b did not reach mysub as /a/b"
[[ $(curl_ "$ingress/recommend" | json service) == recommend ]] || fail "/recommend did not reach recommend as /"
code=$(curl_ -o /dev/null -w '%{http_code}' "$ingress/memberx")
[[ $code == 404 ]] || fail "GET /memberx: $code, want 404 (no path matches)"
echo "/member/x -> member /x, /mysub/a/b -> mysub /a/b, /recommend -> recommend /, /memberx -> 404"

step "CORS: the frontend's origin is allowed, another is not"
headers=$(curl_ -i -X OPTIONS -H "Origin: $origin" -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: authorization,content-type' "$ingress/mysub/subscriptions")
grep -qi "^access-control-allow-origin: $origin" <<<"$headers" || fail "no Access-Control-Allow-Origin: $origin on the preflight"
grep -qi '^access-control-allow-headers: .*authorization' <<<"$headers" || fail "Authorization not allowed by CORS"
headers=$(curl_ -i -X OPTIONS -H 'Origin: http://elsewhere.example' "$ingress/mysub/subscriptions")
! grep -qi '^access-control-allow-origin' <<<"$headers" || fail "another origin was allowed"
echo "preflight from $origin: allowed; from http://elsewhere.example: not"

step "sign up and log in (member)"
email="user$RANDOM@example.com"
creds="{\"email\":\"$email\",\"password\":\"s3cret!\",\"name\":\"Test User\"}"
post() { curl_ -X POST -H 'Content-Type: application/json' "$@"; }
post --fail-with-body -d "$creds" "$ingress/member/signup"
code=$(post -o /dev/null -w '%{http_code}' -d "$creds" "$ingress/member/signup")
[[ $code == 409 ]] || fail "a second signup with $email: $code, want 409"
code=$(post -o /dev/null -w '%{http_code}' -d "{\"email\":\"$email\",\"password\":\"wrong!!\"}" "$ingress/member/login")
[[ $code == 401 ]] || fail "login with a wrong password: $code, want 401"
token=$(post --fail-with-body -d "$creds" "$ingress/member/login" | json token)
[[ -n $token ]] || fail "no token from login"
echo "token: ${token:0:24}..."
auth=(-H "Authorization: Bearer $token")
[[ $(curl_ --fail-with-body "${auth[@]}" "$ingress/member/me" | json member.email) == "$email" ]] || fail "/member/me does not know $email"

step "subscribe, list, cancel (mysub)"
curl_ --fail-with-body "$ingress/mysub/services" | json services | head -c 300; echo
for s in streamly cinebox tunewave; do
  post --fail-with-body "${auth[@]}" -d "{\"serviceId\":\"$s\"}" "$ingress/mysub/subscriptions"
done
code=$(post -o /dev/null -w '%{http_code}' "${auth[@]}" -d '{"serviceId":"streamly"}' "$ingress/mysub/subscriptions")
[[ $code == 409 ]] || fail "subscribing twice: $code, want 409"
code=$(post -o /dev/null -w '%{http_code}' -d '{"serviceId":"cinebox"}' "$ingress/mysub/subscriptions")
[[ $code == 401 ]] || fail "subscribing without a token: $code, want 401"
curl_ --fail-with-body -X DELETE "${auth[@]}" "$ingress/mysub/subscriptions/tunewave"
list=$(curl_ --fail-with-body "${auth[@]}" "$ingress/mysub/subscriptions")
echo "$list"
ids=$(node -e 'console.log(JSON.parse(process.argv[1]).subscriptions.map((s) => s.serviceId).sort().join(","))' "$list")
[[ $ids == cinebox,streamly ]] || fail "subscriptions are $ids, want cinebox,streamly"

step "recommend a category"
rec=$(curl_ --fail-with-body "${auth[@]}" "$ingress/recommend/category")
echo "$rec"
[[ $(json category <<<"$rec") == video ]] || fail "recommended $(json category <<<"$rec"), want video"
json suggestions <<<"$rec" | grep -q '"animatic"' || fail "animatic (video, not subscribed) is not suggested"

step "restart postgres-0: the data stays on its PersistentVolumeClaim"
volume=$(kubectl get pvc data-postgres-0 -o jsonpath='{.spec.volumeName}')
old_uid=$(kubectl get pod postgres-0 -o jsonpath='{.metadata.uid}')
kubectl delete pod postgres-0
for _ in $(seq 1 150); do
  uid=$(kubectl get pod postgres-0 -o jsonpath='{.metadata.uid}' 2>/dev/null || true)
  [[ -n $uid && $uid != "$old_uid" ]] && break
  sleep 0.2
done
[[ -n $uid && $uid != "$old_uid" ]] || fail "the StatefulSet did not recreate postgres-0"
kubectl wait --for=condition=Ready pod/postgres-0 --timeout=120s
[[ $(kubectl get pvc data-postgres-0 -o jsonpath='{.spec.volumeName}') == "$volume" ]] || fail "postgres-0 has a new volume"
kubectl logs postgres-0 | grep -q 'first start' && fail "postgres-0 ran initdb again: the volume was empty"
kubectl logs postgres-0 | tail -n 3
# The backends left the Services while the database was away; they come back by themselves.
for d in member mysub recommend; do kubectl rollout status "deployment/$d" --timeout=60s; done
list=
for _ in $(seq 1 100); do
  list=$(curl_ --fail "${auth[@]}" "$ingress/mysub/subscriptions" 2>/dev/null || true)
  [[ -n $list ]] && break
  sleep 0.3
done
[[ -n $list ]] || fail "mysub does not answer after the database restart"
ids=$(node -e 'console.log(JSON.parse(process.argv[1]).subscriptions.map((s) => s.serviceId).sort().join(","))' "$list")
[[ $ids == cinebox,streamly ]] || fail "after the restart the subscriptions are $ids, want cinebox,streamly"
token2=$(post --fail-with-body -d "$creds" "$ingress/member/login" | json token)
[[ -n $token2 ]] || fail "$email cannot log in after the restart"
echo "after the restart: $email logs in, subscriptions $ids (volume $volume)"

step "PASS"
