#!/usr/bin/env bash
# Installs redis-server from Debian's packages if needed and starts one
# on 127.0.0.1 on a free port, without persistence, for the Redis rate
# limiter's tests (middleware/redisrate). Run as root; it prints the
# server's URL on standard output (its progress goes to standard error),
# for ROUX_REDIS_URL:
#
#	export ROUX_REDIS_URL=$(bash .ci/redis.sh)
#
# The server's PID is in /tmp/roux-redis-PORT.pid; stop it with
# kill "$(cat /tmp/roux-redis-PORT.pid)".
set -euo pipefail

if ! command -v redis-server > /dev/null; then
	apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends redis-server >&2
fi

# A free port: the first from 16379 on that nothing answers on.
port=16379
while (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do
	port=$((port + 1))
done

redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
	--pidfile "/tmp/roux-redis-$port.pid" --logfile "/tmp/roux-redis-$port.log" >&2
for _ in $(seq 1 50); do
	[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2> /dev/null)" = PONG ] && break
	sleep 0.1
done
[ "$(redis-cli -h 127.0.0.1 -p "$port" ping)" = PONG ] || { cat "/tmp/roux-redis-$port.log" >&2; exit 1; }
echo "redis: $(redis-server --version | cut -d' ' -f3) up on 127.0.0.1:$port" >&2
echo "redis://127.0.0.1:$port/0"
