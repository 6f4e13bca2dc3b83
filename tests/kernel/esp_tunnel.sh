#!/bin/bash
# End-to-end test of the userspace ESP backend: two network namespaces
# joined by a veth pair (198.51.100.1 <-> 198.51.100.2, no default
# route), one esp_peer in each, and a ping from 192.0.2.1 to 203.0.113.1
# that can only arrive through the tunnel.  Cases: raw ESP and ESP in UDP,
# AES-CBC with HMAC-SHA-256 and AES-GCM-16, transport mode, IPv6 (over
# 2001:db8::/64), an SA that is added only after the acquire, and soft
# and hard lifetimes.  A TCP echo of 4 MB checks the bulk path: TSO
# segments that the backend cuts and GRO writes that it joins, in both
# directions.  After SIGTERM the TUN device, its routes and the routing
# rule must be gone.
set -u

PEER=${IKED_BUILD:-.}/tests/kernel/esp_peer
ECHO=$(dirname "$0")/../interop/tcp_echo.py
TABLE=4500

if [ "$(id -u)" != 0 ]; then
	echo "esp_tunnel: skipped: needs root (network namespaces, TUN)"
	exit 77
fi
for tool in ip ping python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "esp_tunnel: skipped: $tool not installed"
		exit 77
	fi
done
if [ ! -x "$PEER" ]; then
	echo "esp_tunnel: $PEER not found; build the project first"
	exit 1
fi

NS_A=esptunA$$
NS_B=esptunB$$
WORK=$(mktemp -d /tmp/esp_tunnel.XXXXXX)
PIDS=""
FAILED=0
N=0

cleanup() {
	for pid in $PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

netns_up() {
	ip netns add "$NS_A" || return 1
	ip netns add "$NS_B" || return 1
	ip link add veth-a netns "$NS_A" type veth peer name veth-b \
	    netns "$NS_B" || return 1
	ip -n "$NS_A" addr add 198.51.100.1/24 dev veth-a
	ip -n "$NS_B" addr add 198.51.100.2/24 dev veth-b
	ip -n "$NS_A" addr add 192.0.2.1/32 dev lo
	ip -n "$NS_B" addr add 203.0.113.1/32 dev lo
	ip -n "$NS_A" addr add 2001:db8::1/64 dev veth-a nodad
	ip -n "$NS_B" addr add 2001:db8::2/64 dev veth-b nodad
	ip -n "$NS_A" addr add 2001:db8:1::1/128 dev lo
	ip -n "$NS_B" addr add 2001:db8:2::1/128 dev lo
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" link set veth-a up
	ip -n "$NS_B" link set veth-b up
}

result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $N - $2"
	else
		echo "not ok $N - $2"
		FAILED=1
	fi
}

# wait_file FILE: up to 5 s
wait_file() {
	local i
	for i in $(seq 50); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_peers NAME ARGS...: one esp_peer per namespace; -q is for a only
start_peers() {
	local name=$1 arg
	local args_b=()
	shift
	for arg in "$@"; do
		[ "$arg" = -q ] || args_b+=("$arg")
	done
	ip netns exec "$NS_A" "$PEER" -s a -r "$WORK/$name.a.ready" "$@" \
	    >"$WORK/$name.a.out" 2>"$WORK/$name.a.err" &
	PID_A=$!
	ip netns exec "$NS_B" "$PEER" -s b -r "$WORK/$name.b.ready" \
	    "${args_b[@]}" \
	    >"$WORK/$name.b.out" 2>"$WORK/$name.b.err" &
	PID_B=$!
	PIDS="$PID_A $PID_B"
	wait_file "$WORK/$name.a.ready" && wait_file "$WORK/$name.b.ready"
}

stop_peers() {
	kill -TERM $PIDS 2>/dev/null
	wait $PIDS 2>/dev/null
	local rc=$?
	PIDS=""
	return $rc
}

# check_clean NS: no TUN device, no route in our table, no rule
check_clean() {
	! ip -n "$1" link show iked0 >/dev/null 2>&1 &&
	    [ -z "$(ip -n "$1" route show table $TABLE 2>/dev/null)" ] &&
	    ! ip -n "$1" rule show | grep -q "lookup $TABLE"
}

show_logs() {
	local f
	for f in "$WORK/$1".*.out "$WORK/$1".*.err; do
		echo "# --- $f"
		sed 's/^/# /' "$f"
	done
}

# run_case NAME SRC DST ARGS...: ping DST from SRC through the tunnel
run_case() {
	local name=$1 src=$2 dst=$3 rc=0 before=$FAILED
	shift 3
	FAILED=0
	if ! start_peers "$name" "$@"; then
		result 1 "$name: peers start"
		show_logs "$name"
		stop_peers
		return
	fi
	ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 2 -I "$src" "$dst" \
	    >"$WORK/$name.ping" 2>&1 || rc=1
	result $rc "$name: ping $src -> $dst"
	[ $rc = 0 ] || cat "$WORK/$name.ping" | sed 's/^/# /'
	stop_peers
	result $? "$name: peers exit 0 on SIGTERM"
	grep -Eq '^out packets [3-9]' "$WORK/$name.a.out"
	result $? "$name: side a sent through its outbound SA"
	grep -Eq '^in packets [3-9]' "$WORK/$name.a.out"
	result $? "$name: side a received through its inbound SA"
	grep -q '^in packets [3-9]* drops 0' "$WORK/$name.b.out"
	result $? "$name: side b dropped nothing"
	check_clean "$NS_A" && check_clean "$NS_B"
	result $? "$name: TUN device, routes and rule removed"
	[ $FAILED = 0 ] || show_logs "$name"
	[ $before = 0 ] || FAILED=1
}

# tcp_echo NAME SRC DST: 4 MB to an echo server at DST and back
# (tcp_echo.py); the bytes must come back unchanged.
tcp_echo() {
	local name=$1 src=$2 dst=$3 pid rc=0
	ip netns exec "$NS_B" python3 "$ECHO" server "$dst" \
	    >"$WORK/$name.server" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	ip netns exec "$NS_A" timeout 60 python3 "$ECHO" client "$src" "$dst" \
	    >"$WORK/$name.client" 2>&1 || rc=1
	wait "$pid" 2>/dev/null
	return $rc
}

# tcp_case NAME SRC DST ARGS...: the TCP echo through the tunnel
tcp_case() {
	local name=$1 src=$2 dst=$3 rc=0
	shift 3
	if ! start_peers "$name" "$@"; then
		result 1 "$name: peers start"
		show_logs "$name"
		stop_peers
		return
	fi
	tcp_echo "$name" "$src" "$dst" || rc=1
	result $rc "$name: 4 MB TCP echo $src -> $dst unchanged"
	stop_peers
	grep -q '^in packets [0-9]* drops 0' "$WORK/$name.b.out"
	result $? "$name: side b dropped nothing"
	[ $rc = 0 ] || show_logs "$name"
}

netns_up || { echo "esp_tunnel: cannot create namespaces"; exit 1; }

# Without the tunnel the inner host is unreachable.
ip netns exec "$NS_A" ping -c 1 -W 1 -I 192.0.2.1 203.0.113.1 \
    >/dev/null 2>&1
[ $? != 0 ]
result $? "no path to 203.0.113.1 without the tunnel"

run_case raw-cbc 192.0.2.1 203.0.113.1 -e raw -c cbc
run_case raw-gcm 192.0.2.1 203.0.113.1 -e raw -c gcm
run_case udp-cbc 192.0.2.1 203.0.113.1 -e udp -c cbc
run_case udp-gcm 192.0.2.1 203.0.113.1 -e udp -c gcm
run_case transport 198.51.100.1 198.51.100.2 -e raw -c gcm -m transport
run_case ipv6-raw 2001:db8:1::1 2001:db8:2::1 -6 -e raw -c cbc
run_case ipv6-udp 2001:db8:1::1 2001:db8:2::1 -6 -e udp -c gcm
run_case ipv6-transport 2001:db8::1 2001:db8::2 -6 -e raw -c gcm \
    -m transport
tcp_case tcp-raw-gcm 192.0.2.1 203.0.113.1 -e raw -c gcm
tcp_case tcp-udp-cbc 192.0.2.1 203.0.113.1 -e udp -c cbc
tcp_case tcp-ipv6 2001:db8:1::1 2001:db8:2::1 -6 -e raw -c cbc
tcp_case tcp-transport 198.51.100.1 198.51.100.2 -e raw -c gcm -m transport
run_case acquire 192.0.2.1 203.0.113.1 -e raw -c gcm -q
grep -q '^acquire reqid 1 index 1 dst 203.0.113.1' "$WORK/acquire.a.out"
result $? "acquire: reported with reqid, index and destination"
grep -q '^outbound SA added' "$WORK/acquire.a.out"
result $? "acquire: SA added after the acquire"
grep -q ' 3 received' "$WORK/acquire.ping"
result $? "acquire: held packets delivered once the SA exists"

# wait_line FILE PATTERN: up to 10 s for a line to appear
wait_line() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

# Byte lifetimes: 1028-byte packets, soft at 2 KB, hard at 4 KB.  After
# the hard expiry the next packet needs a new SA (acquire).
if start_peers kbytes -e raw -c cbc -k 2:4; then
	ip netns exec "$NS_A" ping -c 8 -i 0.2 -W 1 -s 1000 -I 192.0.2.1 \
	    203.0.113.1 >"$WORK/kbytes.ping" 2>&1
	stop_peers
	grep -q '^expire spi 0x0a0b0001 hard 0 reason kbytes' \
	    "$WORK/kbytes.a.out"
	result $? "kbytes: soft expiry reported"
	grep -q '^expire spi 0x0a0b0001 hard 1 reason kbytes' \
	    "$WORK/kbytes.a.out"
	result $? "kbytes: hard expiry reported"
	sed -n '/hard 1 reason kbytes/,$p' "$WORK/kbytes.a.out" |
	    grep -q '^acquire reqid 1'
	result $? "kbytes: acquire after the SA is gone"
else
	result 1 "kbytes: peers start"
	stop_peers
fi

# Time lifetimes: soft after 1 s, hard after 2 s, both SAs.
if start_peers seconds -e raw -c gcm -l 1:2; then
	wait_line "$WORK/seconds.a.out" \
	    '^expire spi 0x0b0a0001 hard 1 reason seconds'
	result $? "seconds: inbound SA hard expiry reported"
	grep -q '^expire spi 0x0b0a0001 hard 0 reason seconds' \
	    "$WORK/seconds.a.out"
	result $? "seconds: inbound SA soft expiry reported first"
	wait_line "$WORK/seconds.a.out" \
	    '^expire spi 0x0a0b0001 hard 1 reason seconds'
	result $? "seconds: outbound SA hard expiry reported"
	stop_peers
else
	result 1 "seconds: peers start"
	stop_peers
fi

# Idle: no traffic for 1 s removes the SAs.
if start_peers idle -e udp -c gcm -i 1; then
	wait_line "$WORK/idle.b.out" '^expire spi 0x0a0b0001 hard 1 reason idle'
	result $? "idle: unused SA expires"
	stop_peers
else
	result 1 "idle: peers start"
	stop_peers
fi

echo "1..$N"
exit $FAILED
