#!/usr/bin/env bash
# End-to-end check of the tasks app on a throwaway kubelite cluster: builds the images,
# applies the manifests, waits for the rollouts, then signs up, logs in, creates a task
# and lists it through the frontend's /api/ reverse proxy. Run from anywhere, after
# `npm run build`. The frontend is nginx when the host has it, else the Node variant.
#   TASKS_APP_FRONTEND=nginx|node  forces a frontend variant
#   LB_POOL=127.0.1.0/24           LoadBalancer pool
#   KUBELITE_BIN=path              the kubelite CLI to run (default: this checkout's dist/)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
bin=${KUBELITE_BIN:-$repo/dist/src/cli/main.js}
[[ -f $bin ]] || { echo "test.sh: $bin is missing: run npm run build first" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "test.sh: kubectl is not installed" >&2; exit 1; }

data=$(mktemp -d)
log=$(mktemp)
server_pid=
cleanup() {
  local status=$?
  trap - EXIT
  if [[ $status -ne 0 ]]; then
    echo "test.sh: FAILED (exit $status); cluster state and server log follow" >&2
    kubectl get all,pvc -o wide >&2 2>/dev/null || true
    kubectl get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 30 >&2 || true
    for d in auth users tasks frontend; do kubectl logs "deployment/$d-deployment" --tail=20 >&2 2>/dev/null || true; done
    tail -n 40 "$log" >&2 || true
  fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data" "$log"
  exit "$status"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
kubelite() { node "$bin" "$@"; }
fail() { echo "test.sh: $*" >&2; exit 1; }
json() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }

step "start kubelite (data dir $data)"
# The app uses no Ingress: no ingress ports, so nothing collides with another cluster's.
node "$bin" server --data-dir "$data" --port 0 --image-fallback host --load-balancer-pool "${LB_POOL:-127.0.1.0/24}" \
  --ingress-http-port 0 --ingress-https-port 0 2>"$log" &
server_pid=$!
kubeconfig=
for _ in $(seq 1 300); do
  kubeconfig=$(sed -n 's/.*API server ready at .* (kubeconfig: \(.*\))$/\1/p' "$log" | head -n 1)
  [[ -n $kubeconfig ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited before it was ready"
  sleep 0.2
done
[[ -n $kubeconfig ]] || fail "the server was not ready within 60s"
export KUBECONFIG=$kubeconfig
echo "kubeconfig: $KUBECONFIG"

frontend=${TASKS_APP_FRONTEND:-}
if [[ -z $frontend ]]; then
  if command -v nginx >/dev/null; then frontend=nginx; else frontend=node; fi
fi
step "build images (frontend: $frontend)"
app=examples/tasks-app
kubelite image build -q --data-dir "$data" -t tasks-app/auth:latest "$app/auth-api"
kubelite image build -q --data-dir "$data" -t tasks-app/users:latest "$app/users-api"
kubelite image build -q --data-dir "$data" -t tasks-app/tasks:latest "$app/tasks-api"
case $frontend in
  nginx) kubelite image build -q --data-dir "$data" -t tasks-app/frontend:latest "$app/frontend" ;;
  node) kubelite image build -q --data-dir "$data" -t tasks-app/frontend:latest -f "$app/frontend-node/Dockerfile" "$app" ;;
  *) fail "TASKS_APP_FRONTEND must be nginx or node, not $frontend" ;;
esac
kubelite image ls --data-dir "$data"

step "apply the manifests and wait for the rollouts"
kubectl apply -f "$app/kubernetes/"
for d in auth users tasks frontend; do
  kubectl rollout status "deployment/$d-deployment" --timeout=120s
done
kubectl get pods,svc -o wide

step "addresses"
frontend_ip=$(kubectl get svc frontend-service -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
users_ip=$(kubectl get svc users-service -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
[[ -n $frontend_ip && -n $users_ip ]] || fail "a LoadBalancer has no external IP"
frontend_url=$(kubelite service frontend-service --url)
[[ $frontend_url == "http://$frontend_ip" ]] || fail "kubelite service --url says $frontend_url, the Service's IP is $frontend_ip"
users="http://$users_ip:8080"
echo "frontend $frontend_url, users-api $users"

curl_() { curl -sS --max-time 10 "$@"; }

step "the page, and the reverse proxy to tasks-api"
# The first requests may race the relays being programmed: retry briefly.
for _ in $(seq 1 50); do
  code=$(curl_ -o /dev/null -w '%{http_code}' "$frontend_url/api/tasks" 2>/dev/null || true)
  [[ $code == 401 ]] && break
  sleep 0.2
done
[[ $code == 401 ]] || fail "GET $frontend_url/api/tasks without a token: $code, want 401 from tasks-api"
echo "GET /api/tasks without a token: 401"
curl_ --fail "$frontend_url/" | grep -q '<title>Tasks</title>' || fail "the frontend does not serve index.html"
curl_ --fail "$frontend_url/app.js" | grep -q 'api/tasks' || fail "the frontend does not serve app.js"

step "sign up (users-service) and log in (through the frontend)"
email="user$RANDOM@example.com"
creds="{\"email\":\"$email\",\"password\":\"s3cret\"}"
curl_ --fail-with-body -X POST -H 'Content-Type: application/json' -d "$creds" "$users/signup"; echo
code=$(curl_ -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"wrong\"}" "$frontend_url/users/login")
[[ $code == 401 ]] || fail "login with a wrong password: $code, want 401"
token=$(curl_ --fail-with-body -X POST -H 'Content-Type: application/json' -d "$creds" "$frontend_url/users/login" | json token)
[[ -n $token ]] || fail "no token from login"
echo "token: ${token:0:24}..."

step "create a task and list it through $frontend_url/api/tasks"
title="Learn Kubernetes $RANDOM"
curl_ --fail-with-body -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"title\":\"$title\",\"text\":\"with kubelite\"}" "$frontend_url/api/tasks"; echo
tasks=$(curl_ --fail-with-body -H "Authorization: Bearer $token" "$frontend_url/api/tasks")
echo "$tasks"
echo "$tasks" | json tasks | grep -qF "\"title\":\"$title\"" || fail "the new task is not listed"
code=$(curl_ -o /dev/null -w '%{http_code}' -H "Authorization: Bearer x$token" "$frontend_url/api/tasks")
[[ $code == 401 ]] || fail "a forged token got $code, want 401"

step "CORS on tasks-service"
tasks_ip=$(kubectl get svc tasks-service -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
headers=$(curl_ -i -X OPTIONS "http://$tasks_ip:8000/tasks")
grep -qi '^access-control-allow-origin: \*' <<<"$headers" || fail "no Access-Control-Allow-Origin on OPTIONS"
grep -qi '^access-control-allow-headers: .*authorization' <<<"$headers" || fail "Authorization not allowed by CORS"
echo "OPTIONS /tasks: CORS headers present"

step "PASS"
