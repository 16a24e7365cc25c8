#!/usr/bin/env bash
# Connection churn side by side (root): ApacheBench without keep-alive (a connection per request, the server
# closing first) against `./jiip serve http` on a TAP and against nginx (one worker) behind a veth pair, each in
# throw-away namespaces, alternating. Needs ab (apache2-utils) and nginx. Usage: tools/churn-vs-linux/run.sh [N] [RUNS]
set -euo pipefail
N=${1:-50000}; RUNS=${2:-3}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tmp=$(mktemp -d)
a=jiip-cha$$; b=jiip-chb$$; c=jiip-chc$$; spid=
cleanup() {
  [[ -n "$spid" ]] && kill "$spid" 2>/dev/null || true
  ip netns pids "$c" 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 1
  for n in "$a" "$b" "$c"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 4096; }
http { access_log off; server { listen 80 backlog=1024; location / { return 200 "Hello from nginx, a web server in C......\n"; } } }
CONF
for n in "$a" "$b" "$c"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add "vb$$" netns "$b" type veth peer name "vc$$" netns "$c"
ip -n "$b" addr add 10.79.0.1/24 dev "vb$$"; ip -n "$c" addr add 10.79.0.2/24 dev "vc$$"
ip -n "$b" link set "vb$$" up; ip -n "$c" link set "vc$$" up
ip netns exec "$c" nginx -c "$tmp/nginx.conf"
ip netns exec "$a" timeout 1800 ./jiip serve http --tap jch0 --ip 10.231.0.2/24 --host-ip 10.231.0.1/24 \
  > "$tmp/jiip.log" 2>&1 & spid=$!
for _ in $(seq 1 60); do ip netns exec "$a" curl -s -m 1 -o /dev/null http://10.231.0.2/ && break; sleep 0.5; done
ab_rate() { ip netns exec "$1" timeout 300 ab -n "$N" -c 10 "$2" 2>&1 \
  | awk '/Complete requests/{c=$3} /Failed requests/{f=$3} /Requests per second/{r=$4} END{print r" req/s, "c" complete, "f" failed"}'; }
for r in $(seq 1 "$RUNS"); do
  echo "run $r: jiip over TAP  $(ab_rate "$a" http://10.231.0.2/)"
  echo "run $r: nginx over veth $(ab_rate "$b" http://10.79.0.2/)"
done
