#!/bin/bash
# The XFRM backend with real kernel ESP: a qemu TCG guest running Debian's
# kernel (scripts/guest) is one end of a static tunnel with xfrm_peer
# -B xfrm; the host side, in a network namespace of this test, runs
# xfrm_peer -B userspace.  A ping from 192.0.2.1 (host side) to
# 203.0.113.1 (guest) can only pass through the tunnel.  For each case
# the guest's `ip xfrm state` and `ip xfrm policy` must show what was
# installed, and be empty again after the peer exits.  test_xfrm_esp runs
# in the guest first.  Cases: ESP in UDP
# with AES-CBC and HMAC-SHA-256, raw ESP with AES-GCM, 3DES with
# HMAC-SHA1, IPv6 with AES-GCM, a rekey that replaces the kernel SAs, and
# soft expiries.
#
# The guest is built once into IKED_GUEST_DIR (default
# /var/cache/iked-guest), which needs apt-get and the network the first
# time.
set -u

SRC=${IKED_SOURCE:-.}
BUILD=${IKED_BUILD:-./build}
PEER=$BUILD/tests/xfrm/xfrm_peer
ESP_TEST=$BUILD/tests/xfrm/test_xfrm_esp
GUEST_DIR=${IKED_GUEST_DIR:-/var/cache/iked-guest}
GUESTS=$SRC/scripts/guest

skip() {
	echo "guest_tunnel: skipped: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP, qemu)"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"
command -v ip >/dev/null || skip "ip (iproute2) not installed"
command -v ping >/dev/null || skip "ping not installed"
if [ ! -x "$PEER" ]; then
	echo "guest_tunnel: $PEER not found; build the project first"
	exit 1
fi
if ! "$GUESTS/build-guest.sh" "$GUEST_DIR" >/dev/null 2>&1; then
	skip "cannot build the guest (qemu-system-x86, busybox-static or" \
	    "the Debian kernel package could not be installed)"
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu is not installed"

NS=xfrmguest$$
TAP=xgtap$$
SHARE=$(mktemp -d /tmp/xfrm_guest.XXXXXX)
GSHARE=/tmp/share	# the same folder as the guest sees it
GPEER=$GSHARE/bin/xfrm_peer
QEMU=""
HOST_PID=""
FAILED=0
N=0

cleanup() {
	[ -n "$HOST_PID" ] && kill -TERM "$HOST_PID" 2>/dev/null
	touch "$SHARE/stop"
	if [ -n "$QEMU" ]; then
		# The agent exits on the stop file, and the guest powers off.
		for _ in $(seq 50); do
			kill -0 "$QEMU" 2>/dev/null || break
			sleep 0.1
		done
		kill "$QEMU" 2>/dev/null
		wait "$QEMU" 2>/dev/null
	fi
	[ -n "$HOST_PID" ] && wait "$HOST_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$SHARE"
}
trap cleanup EXIT

result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $N - $2"
	else
		echo "not ok $N - $2"
		FAILED=1
	fi
}

now() {
	date +%s.%N
}

since() {
	echo "$1 $(now)" | awk '{ printf "%.1f", $2 - $1 }'
}

# gcmd NAME 'commands' [TIMEOUT]: run commands in the guest
gcmd() {
	"$GUESTS/guest-cmd.sh" "$SHARE" "$@"
}

# wait_file FILE SECONDS
wait_file() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

show() {
	local f
	for f in "$@"; do
		echo "# --- $f"
		sed 's/^/# /' "$f" 2>/dev/null
	done
}

# The guest's /tmp is its own, so the programs go through the share.
mkdir -p "$SHARE/bin"
cp "$PEER" "$ESP_TEST" "$GUESTS/agent.sh" "$SHARE/bin/"

T0=$(now)
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" addr add 192.0.2.1/32 dev lo
ip -n "$NS" addr add 2001:db8:a::1/128 dev lo nodad
QEMU=$("$GUESTS/run-guest.sh" "$NS" "$TAP" "$SHARE" \
    "$GSHARE/bin/agent.sh" "$GUEST_DIR") || exit 1
for _ in $(seq 100); do
	ip -n "$NS" link show "$TAP" >/dev/null 2>&1 && break
	sleep 0.1
done
ip -n "$NS" addr add 198.51.100.1/24 dev "$TAP"
ip -n "$NS" addr add 2001:db8:1::1/64 dev "$TAP" nodad
ip -n "$NS" link set "$TAP" up
if ! wait_file "$SHARE/ready" 240; then
	echo "guest_tunnel: the guest did not come up in 240 s"
	show "$SHARE/console.log"
	exit 1
fi
echo "# guest boot: $(since "$T0") s"

gcmd net 'ip link set lo up
ip addr add 203.0.113.1/32 dev lo
ip link set eth0 up
ip addr add 198.51.100.2/24 dev eth0
ip route add 192.0.2.1/32 dev eth0 src 203.0.113.1
ip addr add 2001:db8:b::1/128 dev lo nodad
ip addr add 2001:db8:1::2/64 dev eth0 nodad
ip route add 2001:db8:a::1/128 dev eth0 src 2001:db8:b::1' >/dev/null
ip netns exec "$NS" ping -c 1 -W 5 198.51.100.2 >/dev/null
result $? "guest reachable on the outer network"
ip netns exec "$NS" ping -c 1 -W 1 -I 192.0.2.1 203.0.113.1 >/dev/null 2>&1
[ $? != 0 ]
result $? "no path to 203.0.113.1 without the tunnel"

# The backend's SA operations, on a kernel that has ESP.
gcmd esp-unit "$GSHARE/bin/test_xfrm_esp 2>&1; echo EXIT=\$?" 120 \
    >"$SHARE/esp-unit.out"
grep -q '^EXIT=0$' "$SHARE/esp-unit.out"
result $? "test_xfrm_esp passes in the guest"
[ $FAILED = 0 ] || show "$SHARE/esp-unit.out"

# start_case NAME ARGS...: xfrm_peer in the guest (side b), then here
start_case() {
	local name=$1
	shift
	gcmd "$name-start" "$GPEER -B xfrm -s b $* -r $GSHARE/$name.b.ready \
	    >$GSHARE/$name.b.out 2>&1 &
echo \$! >$GSHARE/$name.b.pid" >/dev/null
	ip netns exec "$NS" "$PEER" -B userspace -s a "$@" \
	    -r "$SHARE/$name.a.ready" >"$SHARE/$name.a.out" 2>&1 &
	HOST_PID=$!
	wait_file "$SHARE/$name.a.ready" 10 &&
	    wait_file "$SHARE/$name.b.ready" 30
}

stop_case() {
	local name=$1
	gcmd "$name-stop" "kill -TERM \$(cat $GSHARE/$name.b.pid)
while kill -0 \$(cat $GSHARE/$name.b.pid) 2>/dev/null; do sleep 0.1; done
echo STATES; ip xfrm state; echo POLICIES; ip xfrm policy" \
	    >"$SHARE/$name.after"
	kill -TERM "$HOST_PID"
	wait "$HOST_PID"
	HOST_PID=""
}

# The addresses of a case: IPv4, or IPv6 when its arguments have -6.
case_addrs() {
	OUTER_A=198.51.100.1 OUTER_B=198.51.100.2
	INNER_A=192.0.2.1 INNER_B=203.0.113.1 PLEN=32
	case " $* " in
	*" -6 "*)
		OUTER_A=2001:db8:1::1 OUTER_B=2001:db8:1::2
		INNER_A=2001:db8:a::1 INNER_B=2001:db8:b::1 PLEN=128
		;;
	esac
}
case_addrs

ping_tunnel() {
	ip netns exec "$NS" ping -c 3 -i 0.3 -W 3 -I $INNER_A $INNER_B \
	    >"$SHARE/$1.ping" 2>&1
}

# run_case NAME ESP-CHECK ARGS...: ping, kernel state, counters, cleanup
run_case() {
	local name=$1 esp=$2 before=$FAILED
	shift 2
	FAILED=0
	case_addrs "$@"
	local t=$(now)
	if ! start_case "$name" "$@"; then
		result 1 "$name: peers start"
		show "$SHARE/$name".*.out
		stop_case "$name"
		[ $before = 0 ] || FAILED=1
		return
	fi

	ping_tunnel "$name"
	result $? "$name: ping $INNER_A -> $INNER_B through the tunnel"

	gcmd "$name-state" 'ip xfrm state' >"$SHARE/$name.state"
	gcmd "$name-policy" 'ip xfrm policy' >"$SHARE/$name.policy"
	grep -q "src $OUTER_B dst $OUTER_A" "$SHARE/$name.state" &&
	    grep -q 'proto esp spi 0x0b0a0100 reqid 1 mode tunnel' \
	    "$SHARE/$name.state" &&
	    grep -q 'proto esp spi 0x0a0b0100 reqid 1 mode tunnel' \
	    "$SHARE/$name.state"
	result $? "$name: guest kernel has both ESP SAs"
	grep -q "$esp" "$SHARE/$name.state"
	result $? "$name: guest SAs use $esp"
	grep -q "src $INNER_B/$PLEN dst $INNER_A/$PLEN" "$SHARE/$name.policy" &&
	    grep -q 'dir out priority 1000' "$SHARE/$name.policy" &&
	    grep -q 'dir in priority 1000' "$SHARE/$name.policy" &&
	    grep -q 'dir fwd priority 1000' "$SHARE/$name.policy" &&
	    grep -q "tmpl src $OUTER_B dst $OUTER_A" \
	    "$SHARE/$name.policy"
	result $? "$name: guest kernel has the out, in and fwd policies"

	stop_case "$name"
	grep -Eq '^out spi 0x0b0a0100 packets [1-9]' "$SHARE/$name.b.out"
	result $? "$name: guest kernel counted outbound packets"
	grep -Eq '^in spi 0x0a0b0100 packets [1-9][0-9]* bytes [1-9][0-9]* drops 0' \
	    "$SHARE/$name.b.out"
	result $? "$name: guest kernel counted inbound packets, no drops"

	sed -n '/^STATES/,/^POLICIES/p' "$SHARE/$name.after" |
	    grep -q 'proto esp'
	[ $? != 0 ]
	result $? "$name: guest SAs removed on exit"
	sed -n '/^POLICIES/,$p' "$SHARE/$name.after" | grep -q 'dir'
	[ $? != 0 ]
	result $? "$name: guest policies removed on exit"
	[ $FAILED = 0 ] || show "$SHARE/$name".*.out "$SHARE/$name.state" \
	    "$SHARE/$name.policy" "$SHARE/$name.after" "$SHARE/$name.ping"
	echo "# $name: $(since "$t") s"
	[ $before = 0 ] || FAILED=1
}

run_case udp-cbc 'encap type espinudp sport 4500 dport 4500' -e udp -c cbc
run_case raw-gcm 'aead rfc4106(gcm(aes))' -e raw -c gcm
run_case raw-3des 'enc cbc(des3_ede)' -e raw -c 3des
run_case ipv6-gcm 'aead rfc4106(gcm(aes))' -6 -e raw -c gcm
case_addrs

# Rekey: new SAs on both ends, then the old ones go.
T=$(now)
if start_case rekey -e udp -c gcm -l 2; then
	ping_tunnel rekey-1
	result $? "rekey: ping before the rekey"
	gcmd rekey-sig "kill -USR1 \$(cat $GSHARE/rekey.b.pid)" >/dev/null
	kill -USR1 "$HOST_PID"
	sleep 2
	ping_tunnel rekey-2
	result $? "rekey: ping after the rekey"
	gcmd rekey-state 'ip xfrm state' >"$SHARE/rekey.state"
	grep -q 'spi 0x0b0a0101 ' "$SHARE/rekey.state" &&
	    grep -q 'spi 0x0a0b0101 ' "$SHARE/rekey.state"
	result $? "rekey: the new SAs are in the guest kernel"
	! grep -Eq 'spi 0x(0b0a0100|0a0b0100) ' "$SHARE/rekey.state"
	result $? "rekey: the old SAs are gone from the guest kernel"
	stop_case rekey
	grep -Eq '^in spi 0x0a0b0101 packets [1-9]' "$SHARE/rekey.b.out"
	result $? "rekey: traffic on the new inbound SA"
	# The new SAs live longer than their 2 s soft lifetime.
	grep -q '^expire spi 0x0a0b0101 soft reason 0' "$SHARE/rekey.b.out"
	result $? "rekey: soft expiry of the new inbound SA reported"
	grep -q '^expire spi 0x0b0a0101 soft reason 0' "$SHARE/rekey.b.out"
	result $? "rekey: soft expiry of the new outbound SA reported"
	[ $FAILED = 0 ] || show "$SHARE"/rekey.*.out "$SHARE/rekey.state" \
	    "$SHARE"/rekey*.ping
else
	result 1 "rekey: peers start"
	show "$SHARE"/rekey.*.out
	stop_case rekey
fi
echo "# rekey: $(since "$T") s"

echo "# total: $(since "$T0") s"
echo "1..$N"
exit $FAILED
