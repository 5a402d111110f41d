#!/usr/bin/env bash
# End-to-end check of the three-tier recipe app on a throwaway kubelite cluster, with the
# kubectl commands the README uses: Redis and its ClusterIP Service, the `backend`
# ConfigMap made from a custom-columns lookup, the frontend's external IP waited for with
# jsonpath, 5 backend replicas behind a fixed loadBalancerIP (all of them answer), a
# recipe created through the API and found with redis-cli in `kubectl exec -it ... -- sh`,
# `kubectl get pods -w`, scaling and a deleted pod replaced, and CORS: the frontend's
# origin allowed, any other refused. Run from anywhere, after `npm run build`.
#   LB_POOL=127.0.1.0/24    LoadBalancer pool; the backend's fixed IP becomes its .100
#   RECIPE_FRONTEND=nginx|node  frontend variant (default: nginx when installed)
#   KUBELITE_BIN=path       the kubelite CLI to run (default: this checkout's dist/)
# Exits 77 (skip) when redis-server is not installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
bin=${KUBELITE_BIN:-$repo/dist/src/cli/main.js}
[[ -f $bin ]] || { echo "test.sh: $bin is missing: run npm run build first" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "test.sh: kubectl is not installed" >&2; exit 1; }
# Redis runs on the host base: the host's redis-server and redis-cli are the image's programs.
command -v redis-server >/dev/null || { echo "SKIP: redis-server is not installed"; exit 77; }
command -v redis-cli >/dev/null || { echo "SKIP: redis-cli is not installed"; exit 77; }
command -v script >/dev/null || { echo "SKIP: script (util-linux) is not installed: it gives kubectl exec -it a terminal"; exit 77; }

pool=${LB_POOL:-127.0.1.0/24}
# The pool's .100 (its first address + 100): where backend.yaml's 127.0.1.100 goes.
backend_ip=$(node -e '
  const [net, bits] = process.argv[1].split("/"); const n = net.split(".").reduce((a, o) => a * 256 + Number(o), 0)
  const size = 2 ** (32 - Number(bits)); if (size < 256) { console.error(`pool ${process.argv[1]} is smaller than a /24`); process.exit(1) }
  const ip = n - (n % size) + 100; console.log([24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join("."))' "$pool")

data=$(mktemp -d)
log=$(mktemp)
watch_log=$(mktemp)
server_pid=
watch_pid=
cleanup() {
  local status=$?
  trap - EXIT
  if [[ -n $watch_pid ]] && kill -0 "$watch_pid" 2>/dev/null; then kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true; fi
  if [[ $status -ne 0 ]]; then
    echo "test.sh: FAILED (exit $status); cluster state and server log follow" >&2
    kubectl get all,configmaps -o wide >&2 2>/dev/null || true
    kubectl get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 30 >&2 || true
    for d in redis backend frontend; do kubectl logs "deployment/$d" --tail=20 >&2 2>/dev/null || true; done
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
# json PATH: the value at a dotted path of the JSON on stdin (strings bare, others as JSON).
json() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];process.stdout.write(typeof v==="string"?v:JSON.stringify(v??null))})' "$1"; }
curl_() { curl -sS --max-time 10 "$@"; }
# Like the README: the manifests name 127.0.1.100; this pool's .100 replaces it.
manifest() { sed "s/127\.0\.1\.100/$backend_ip/g" "$app/kubernetes/$1"; }

step "start kubelite (data dir $data, LoadBalancer pool $pool)"
node "$bin" server --data-dir "$data" --port 0 --image-fallback host --load-balancer-pool "$pool" \
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

frontend=${RECIPE_FRONTEND:-}
if [[ -z $frontend ]]; then
  if command -v nginx >/dev/null; then frontend=nginx; else frontend=node; fi
fi
step "build images (frontend: $frontend)"
app=examples/recipe-3tier
kubelite image build -q --data-dir "$data" -t recipe-3tier/backend:latest "$app/backend"
case $frontend in
  nginx) kubelite image build -q --data-dir "$data" -t recipe-3tier/frontend:latest "$app/frontend" ;;
  node) kubelite image build -q --data-dir "$data" -t recipe-3tier/frontend:latest -f "$app/frontend-node/Dockerfile" "$app" ;;
  *) fail "RECIPE_FRONTEND must be nginx or node, not $frontend" ;;
esac
kubelite image ls --data-dir "$data"

step "redis: Deployment and ClusterIP Service"
kubectl apply -f "$app/kubernetes/redis.yaml"
kubectl rollout status deployment/redis --timeout=120s
kubectl get svc redis

step "the backend ConfigMap, from the redis Service's ClusterIP"
kubectl create configmap backend --from-literal=REDIS_HOST=$(kubectl get svc redis -o custom-columns=CLUSTER-IP:.spec.clusterIP --no-headers)
redis_ip=$(kubectl get svc redis -o jsonpath='{.spec.clusterIP}')
[[ $(kubectl get configmap backend -o jsonpath='{.data.REDIS_HOST}') == "$redis_ip" ]] || fail "configmap backend does not hold REDIS_HOST=$redis_ip"
kubectl get configmap backend -o yaml | grep REDIS_HOST

step "frontend: wait for its external IP"
manifest frontend.yaml | kubectl apply -f -
frontend_ip=
for _ in $(seq 1 60); do
  frontend_ip=$(kubectl get svc frontend -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  [[ -n $frontend_ip ]] && break
  sleep 1
done
[[ -n $frontend_ip ]] || fail "the frontend Service got no external IP"
origin="http://$frontend_ip"
echo "frontend at $origin"

step "the backend-cors ConfigMap: ALLOWED_ORIGIN=$origin"
kubectl create configmap backend-cors --from-literal=ALLOWED_ORIGIN=http://$(kubectl get svc frontend -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
[[ $(kubectl get configmap backend-cors -o jsonpath='{.data.ALLOWED_ORIGIN}') == "$origin" ]] || fail "configmap backend-cors does not hold ALLOWED_ORIGIN=$origin"

step "backend: 5 replicas at $backend_ip (watching kubectl get pods -w)"
timeout 240 kubectl get pods -w >"$watch_log" 2>&1 &
watch_pid=$!
manifest backend.yaml | kubectl apply -f -
kubectl rollout status deployment/backend --timeout=180s
kubectl rollout status deployment/frontend --timeout=120s
[[ $(kubectl get svc backend -o jsonpath='{.status.loadBalancer.ingress[0].ip}') == "$backend_ip" ]] \
  || fail "the backend Service's external IP is not its loadBalancerIP $backend_ip"
# The rollout is done when the new pods are available; the first ones may still be terminating.
for _ in $(seq 1 120); do
  [[ $(kubectl get pods -l app=backend -o name | wc -l) -eq 5 ]] && break
  sleep 0.5
done
backend_pods=$(kubectl get pods -l app=backend -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort)
[[ $(wc -l <<<"$backend_pods") -eq 5 ]] || fail "want 5 backend pods, have: ${backend_pods//$'\n'/ }"
kubectl get pods,svc -o wide
backend_pod=$(head -n 1 <<<"$backend_pods")
[[ $(kubectl exec "$backend_pod" -- printenv REDIS_HOST) == "$redis_ip" ]] || fail "$backend_pod has no REDIS_HOST=$redis_ip"
[[ $(kubectl exec "$backend_pod" -- printenv ALLOWED_ORIGIN) == "$origin" ]] || fail "$backend_pod has no ALLOWED_ORIGIN=$origin"
echo "$backend_pod: REDIS_HOST=$redis_ip ALLOWED_ORIGIN=$origin"

backend="http://$backend_ip:8080"
step "every backend replica answers through $backend"
# The first requests may race the relay being programmed: retry briefly.
for _ in $(seq 1 50); do
  curl_ -o /dev/null --fail "$backend/healthz" 2>/dev/null && break
  sleep 0.2
done
seen=
for _ in $(seq 1 200); do
  pod=$(curl_ --fail "$backend/healthz" | json pod)
  grep -qxF "$pod" <<<"$seen" || seen=$(printf '%s\n%s' "$seen" "$pod" | sed '/^$/d' | sort)
  [[ $seen == "$backend_pods" ]] && break
done
echo "answered by:"; sed 's/^/  /' <<<"$seen"
[[ $seen == "$backend_pods" ]] || fail "not every backend pod answered through the LoadBalancer; pods: ${backend_pods//$'\n'/ }, answered: ${seen//$'\n'/ }"

step "kubectl get pods -w showed the pods becoming ready"
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=
grep -E '^(backend|frontend)-' "$watch_log" | tail -n 12
ready=$(grep -E '^backend-\S+\s+1/1\s+Running' "$watch_log" | awk '{print $1}' | sort -u)
while read -r p; do
  grep -qxF "$p" <<<"$ready" || fail "kubectl get pods -w never printed $p as 1/1 Running"
done <<<"$backend_pods"
grep -qE '^backend-\S+\s+0/1\s+(Pending|ContainerCreating|Running)' "$watch_log" || fail "kubectl get pods -w printed no backend pod before it was ready"
echo "all 5 backend pods went to 1/1 Running in the watch"

step "the frontend page and its config.js"
curl_ --fail "$origin/" | grep -q '<title>Recipes</title>' || fail "the frontend does not serve index.html"
curl_ --fail "$origin/app.js" | grep -q 'RECIPE_CONFIG' || fail "the frontend does not serve app.js"
config=$(curl_ --fail "$origin/config.js")
echo "config.js: $config"
grep -qF "'$backend'" <<<"$config" || fail "config.js does not name the backend at $backend"

step "recipes through the API (as the page calls it, with Origin: $origin)"
name="Pancakes $RANDOM"
created=$(curl_ --fail-with-body -X POST -H "Origin: $origin" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$name\",\"ingredients\":[\"flour\",\"eggs\",\"milk\"],\"instructions\":\"Mix and fry.\"}" \
  -D "$data/headers" "$backend/recipes")
echo "$created"
id=$(json recipe.id <<<"$created")
[[ $id =~ ^[0-9]+$ ]] || fail "no recipe id in the reply"
tr -d '\r' <"$data/headers" | grep -qix "access-control-allow-origin: $origin" || fail "POST from $origin: no Access-Control-Allow-Origin: $origin"
[[ $(curl_ --fail "$backend/recipes/$id" | json recipe.name) == "$name" ]] || fail "GET /recipes/$id does not return it"
curl_ --fail "$backend/recipes" | json recipes | grep -qF "\"name\":\"$name\"" || fail "GET /recipes does not list it"
code=$(curl_ -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"name":""}' "$backend/recipes")
[[ $code == 422 ]] || fail "a recipe without a name: $code, want 422"
echo "created recipe $id, read back by id and in the list; no name: 422"

step "redis-cli inside the redis pod (kubectl exec -it ... -- sh)"
redis_pod=$(kubectl get pods -l app=redis -o jsonpath='{.items[0].metadata.name}')
# script(1) gives kubectl a terminal, so -it works as typed by hand; the here-doc is the typing.
session=$(timeout 60 script -qec "kubectl exec -it $redis_pod -- sh" /dev/null <<EOF | tr -d '\r'
redis-cli HGET recipe:$id name
redis-cli ZSCORE recipes $id
exit
EOF
)
echo "$session"
# On a terminal redis-cli quotes what it prints, as a user sees it: "Pancakes 123", "1".
grep -qF "\"$name\"" <<<"$session" || fail "redis-cli HGET recipe:$id name did not print \"$name\""
grep -qE "(^|# )\"$id\"\$" <<<"$session" || fail "recipe $id is not in the sorted set recipes"

step "scale the backend to 6, delete a pod and see it replaced"
kubectl scale deployment/backend --replicas=6
kubectl rollout status deployment/backend --timeout=120s
victim=$(kubectl get pods -l app=backend -o jsonpath='{.items[0].metadata.name}')
kubectl delete pod "$victim"
replaced=
for _ in $(seq 1 120); do
  pods=$(kubectl get pods -l app=backend -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
  ready=$(kubectl get pods -l app=backend -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True || true)
  if [[ $ready == 6 && $(wc -l <<<"$pods") -eq 6 ]] && ! grep -qxF "$victim" <<<"$pods"; then replaced=1; break; fi
  sleep 0.5
done
kubectl get pods -l app=backend
[[ -n $replaced ]] || fail "the deleted pod $victim was not replaced (want 6 ready backend pods)"
echo "$victim was replaced; 6 replicas ready"

step "CORS: preflight from $origin allowed, from another origin refused"
headers=$(curl_ -i -X OPTIONS -H "Origin: $origin" -H 'Access-Control-Request-Method: POST' \
  -H 'Access-Control-Request-Headers: content-type' "$backend/recipes" | tr -d '\r')
echo "$headers"
grep -q '^HTTP/1.1 204' <<<"$headers" || fail "preflight from $origin was not answered 204"
grep -qix "access-control-allow-origin: $origin" <<<"$headers" || fail "preflight from $origin: no Access-Control-Allow-Origin: $origin"
grep -qi '^access-control-allow-methods: .*POST' <<<"$headers" || fail "preflight: POST not allowed"
grep -qi '^access-control-allow-headers: .*content-type' <<<"$headers" || fail "preflight: Content-Type not allowed"
other=http://evil.example
headers=$(curl_ -i -X OPTIONS -H "Origin: $other" -H 'Access-Control-Request-Method: POST' "$backend/recipes" | tr -d '\r')
echo "$headers" | head -n 1
grep -q '^HTTP/1.1 403' <<<"$headers" || fail "preflight from $other was not refused with 403"
! grep -qi '^access-control-allow-origin' <<<"$headers" || fail "preflight from $other got an Access-Control-Allow-Origin"
code=$(curl_ -o /dev/null -w '%{http_code}' -X POST -H "Origin: $other" -H 'Content-Type: application/json' \
  -d '{"name":"Stolen"}' "$backend/recipes")
[[ $code == 403 ]] || fail "POST from $other: $code, want 403"
echo "from $other: preflight 403 without CORS headers, POST 403"

step "in a browser: the page lists the recipes from its own origin, not from another"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
  echo "skipped: no chromium on this machine (the curl checks above cover CORS)"
else
  node_port=$(kubectl get svc frontend -o jsonpath='{.spec.ports[0].nodePort}')
  # Headless, and nothing but these addresses: every other host name fails to resolve and
  # anything else would go to a proxy that is not there.
  browse() {
    rm -rf "$data/chrome"
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$data/chrome" --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
      --proxy-server=http://127.0.0.1:9 \
      --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE $frontend_ip, EXCLUDE $backend_ip" \
      --virtual-time-budget=5000 --dump-dom "$1" 2>/dev/null | grep -E 'id="(recipe-list|status)"' || true
  }
  page=$(browse "$origin/")
  echo "$origin/: $page"
  grep -qF "<strong>$name</strong>" <<<"$page" || fail "the page at $origin does not list $name"
  # The same page from the frontend's NodePort is another origin: the backend refuses it.
  page=$(browse "http://127.0.0.1:$node_port/")
  echo "http://127.0.0.1:$node_port/: $page"
  grep -q 'Could not load recipes' <<<"$page" || fail "the page at http://127.0.0.1:$node_port loaded recipes from another origin"
  ! grep -qF "<strong>$name</strong>" <<<"$page" || fail "the page at http://127.0.0.1:$node_port lists recipes"
fi

step "PASS"
