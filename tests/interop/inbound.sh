#!/bin/bash
# inbound.sh MODE: with in.iked's userspace backend, clear-text packets
# that an inbound ipsec policy requires to be protected are dropped,
# while the same traffic through the tunnel arrives.  The peer sends the
# clear text straight over the veth with a marked route (table 77) that
# skips its own tunnel routes, from the protected source address.
#
#   tunnel   charon, IPv4, tunnel mode to in.iked's loopback address.
#            Then in.iked is killed with SIGKILL: its XFRM policies stay
#            (clear text is still dropped), a new in.iked replaces them
#            without duplicates, and a SIGHUP with the entry removed from
#            ipsecinit.conf deletes them.
#   tunnel6  charon, the same over IPv6 (2001:db8::)
#   gateway  charon, IPv4, tunnel mode to a subnet behind in.iked's
#            namespace: forwarded clear text is dropped, forwarded
#            decrypted traffic passes
#   bypass   charon, IPv4, "{ ulp icmp dir both } bypass { }" before the
#            tunnel entry: clear-text ping passes, clear-text UDP not
#   transport
#            two in.iked, transport mode for all traffic between the two
#            hosts, so the ESP (IP protocol 50) and IKE packets match the
#            inbound policy themselves
#
# Every mode ends with SIGTERM, after which no XFRM policy, route in table
# 4500, rule for it or TUN device may be left in in.iked's namespace.
mode=${1:?usage: inbound.sh tunnel|tunnel6|gateway|bypass|transport}
IOP_NAME=in
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_iked
[ "$mode" = transport ] || iop_require_charon
command -v python3 >/dev/null 2>&1 || iop_skip "python3 is not installed"

outer_a=198.51.100.1 outer_b=198.51.100.2
inner_a=192.0.2.1 inner_b=203.0.113.1
case $mode in
tunnel6)
	outer_a=2001:db8:1::1 outer_b=2001:db8:1::2
	inner_a=2001:db8:a::1 inner_b=2001:db8:b::1
	;;
gateway)
	# The protected host sits in namespace C behind in.iked's A.
	inner_a=192.0.2.130
	;;
transport)
	inner_a=$outer_a inner_b=$outer_b
	;;
tunnel | bypass) ;;
*)
	echo "unknown mode $mode"
	exit 2
	;;
esac
case $inner_a in *:*) ipv=-6 ;; *) ipv=-4 ;; esac
# The peer's mark for clear text.  A peer in.iked's own sockets use
# 0x4500 to skip its tunnel routes.
if [ "$mode" = transport ]; then clear_mark=0x4500; else clear_mark=0x77; fi
PORT=7777

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/peer
mkdir -p "$A" "$B"

# udp_listen NS ADDR FILE: append each datagram to FILE, one line each.
udp_listen() {
	ip netns exec "$1" python3 -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
out = open(sys.argv[3], "a", buffering=1)
print("listening", file=out)
while True:
    data, peer = s.recvfrom(2048)
    print(data.decode(errors="replace"), "from", peer[0], file=out)
' "$2" $PORT "$3" </dev/null >/dev/null 2>&1 &
	iop_track $!
	iop_wait_grep "$3" listening 10 || iop_die "UDP listener did not start"
}

# udp_send NS SRC DST MARK TEXT: three datagrams, marked when MARK is not 0.
udp_send() {
	ip netns exec "$1" python3 -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
mark = int(sys.argv[3], 0)
if mark:
    s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_MARK", 36), mark)
s.bind((sys.argv[1], 0))
for _ in range(3):
    s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[5])))
' "$2" "$3" "$4" "$5" $PORT
}

# clear_ping: one round of pings in the clear from the peer's inner host.
clear_ping() {
	ip netns exec "$IOP_NSB" ping $ipv -n -c 2 -i 0.3 -W 1 \
	    -m $((clear_mark)) -I $inner_b $inner_a
}

# clear_udp_dropped TAG: clear-text UDP does not arrive, while UDP sent
# after it through the tunnel does (so the listener was there to see it).
clear_udp_dropped() {
	udp_send "$IOP_NSB" $inner_b $inner_a $clear_mark "clear-$1"
	udp_send "$IOP_NSB" $inner_b $inner_a 0 "tunnel-$1"
	iop_wait_grep "$IOP_DIR/udp.out" "^tunnel-$1 from" 10 &&
	    ! grep -q "^clear-$1 from" "$IOP_DIR/udp.out"
}

clear_udp_arrives() {
	udp_send "$IOP_NSB" $inner_b $inner_a $clear_mark "clear-$1"
	iop_wait_grep "$IOP_DIR/udp.out" "^clear-$1 from" 10
}

# leftovers NS: what in.iked's userspace backend may have left behind.
leftovers() {
	ip -n "$1" xfrm policy show
	# A table that was never used does not exist: not an error.
	ip -n "$1" -4 route show table 4500 2>/dev/null
	ip -n "$1" -6 route show table 4500 2>/dev/null
	ip -n "$1" -4 rule show | grep "lookup 4500"
	ip -n "$1" -6 rule show | grep "lookup 4500"
	ip -n "$1" link show iked0 2>/dev/null
}

# policy_count NS: global inbound and forward XFRM policies.
policy_count() {
	ip -n "$1" xfrm policy show | grep -Ec "^[[:space:]]dir (in|fwd)"
}

# ---- configuration

if [ "$mode" = gateway ]; then
	IOP_NSC="${IOP_NAME}C$$"
	iop_netns_add "$IOP_NSC"
	ip link add veth1 netns "$IOP_NSA" type veth peer name veth0 \
	    netns "$IOP_NSC" || iop_die "creating the veth pair A-C failed"
	ip -n "$IOP_NSA" addr add 192.0.2.129/25 dev veth1
	ip -n "$IOP_NSC" addr add 192.0.2.130/25 dev veth0
	ip -n "$IOP_NSA" link set veth1 up
	ip -n "$IOP_NSC" link set veth0 up
	ip -n "$IOP_NSC" route add 203.0.113.0/24 via 192.0.2.129
	ip netns exec "$IOP_NSA" sysctl -q -w net.ipv4.ip_forward=1
fi

iop_iked_conf "$A" $outer_a $outer_b $inner_a $inner_b
sa_props="encr_algs aes(128) encr_auth_algs hmac-sha1 sa shared"
case $mode in
gateway)
	echo "{ tsrc $outer_a tdst $outer_b laddr 192.0.2.128/25 raddr $inner_b/32 } ipsec { $sa_props }" \
	    >"$A/etc/inet/ipsecinit.conf"
	;;
bypass)
	f=$A/etc/inet/ipsecinit.conf
	{ echo "{ ulp icmp dir both } bypass { }"; cat "$f"; } >"$f.new"
	mv "$f.new" "$f"
	# in.iked's clear-text replies need a route to the peer's host.
	ip -n "$IOP_NSA" route add $inner_b/32 via $outer_b
	;;
transport)
	iop_iked_conf "$B" $outer_b $outer_a $inner_b $inner_a
	echo "{ laddr $outer_a raddr $outer_b } ipsec { $sa_props }" \
	    >"$A/etc/inet/ipsecinit.conf"
	echo "{ laddr $outer_b raddr $outer_a } ipsec { $sa_props }" \
	    >"$B/etc/inet/ipsecinit.conf"
	;;
esac

# The peer's marked clear-text route to the protected address.
dst_prefix=$inner_a
[ "$mode" = gateway ] && dst_prefix=192.0.2.128/25
if [ "$mode" != transport ]; then
	ip -n "$IOP_NSB" $ipv rule add pref 100 fwmark $clear_mark lookup 77
	ip -n "$IOP_NSB" $ipv route add $dst_prefix via $outer_a table 77
fi

if [ "$mode" = transport ]; then
	iop_iked_start "$IOP_NSB" "$B"
	pid_b=$IOP_IKED_PID
else
	iop_charon_conf "$B"
	iop_swanctl_conf "$B" $outer_b $outer_a $inner_b $inner_a
	[ "$mode" = gateway ] &&
	    sed -i "s|remote_ts = $inner_a/32|remote_ts = 192.0.2.128/25|" \
	    "$B/swanctl.conf"
	iop_charon_start "$IOP_NSB" "$B"
fi
iop_iked_start "$IOP_NSA" "$A"
pid_a=$IOP_IKED_PID
iop_check "in.iked warns about nothing unprotected" \
    iop_not grep -q "are not blocked" "$A/iked.log"
iop_check "in.iked installed inbound XFRM policies" \
    [ "$(policy_count "$IOP_NSA")" -ge 1 ]

# ---- traffic

if [ "$mode" = gateway ]; then
	udp_listen "$IOP_NSC" $inner_a "$IOP_DIR/udp.out"
	iop_check "ping from the subnet behind in.iked starts the tunnel" \
	    iop_ping "$IOP_NSC" $inner_a $inner_b 15
elif [ "$mode" = bypass ]; then
	# Pings stay in the clear, so UDP starts the negotiation.
	udp_listen "$IOP_NSA" $inner_a "$IOP_DIR/udp.out"
	udp_send "$IOP_NSA" $inner_a $inner_b 0 start
	iop_check "UDP from in.iked's host starts the tunnel" \
	    iop_wait_grep "$A/iked.log" "IPsec SAs with .* installed" 15
else
	udp_listen "$IOP_NSA" $inner_a "$IOP_DIR/udp.out"
	iop_check "acquire starts the negotiation, first ping passes" \
	    iop_ping "$IOP_NSA" $inner_a $inner_b 15
fi
[ "$mode" = bypass ] ||
    iop_check "ping through the tunnel from the peer" \
    iop_ping_ok "$IOP_NSB" $inner_b $inner_a
udp_send "$IOP_NSB" $inner_b $inner_a 0 tunnel-0
iop_check "UDP through the tunnel arrives" \
    iop_wait_grep "$IOP_DIR/udp.out" "^tunnel-0 from" 10
if [ "$mode" = bypass ]; then
	iop_check "bypass entry: clear-text ping passes" clear_ping
	iop_check "bypass entry: clear-text UDP is dropped" clear_udp_dropped 1
else
	iop_check "clear-text ping is dropped" iop_not clear_ping
	iop_check "clear-text UDP is dropped" clear_udp_dropped 1
fi

if [ "$mode" = tunnel ]; then
	before=$(policy_count "$IOP_NSA")
	kill -KILL "$pid_a"
	wait "$pid_a" 2>/dev/null
	IOP_PIDS=$(echo " $IOP_PIDS " | sed "s/ $pid_a / /")
	iop_check "after SIGKILL the XFRM policies stay ($before)" \
	    [ "$(policy_count "$IOP_NSA")" -eq "$before" ]
	iop_check "after SIGKILL clear-text ping is still dropped" \
	    iop_not clear_ping
	iop_iked_start "$IOP_NSA" "$A"
	pid_a=$IOP_IKED_PID
	iop_check "a new in.iked replaces the stale policies" \
	    grep -q "replacing a stale in policy" "$A/iked.log"
	iop_check "and installs no duplicates ($(policy_count "$IOP_NSA"))" \
	    [ "$(policy_count "$IOP_NSA")" -eq "$before" ]
	iop_check "a new tunnel comes up" \
	    iop_ping "$IOP_NSA" $inner_a $inner_b 20
	iop_check "clear-text UDP is dropped again" clear_udp_dropped 2
	: >"$A/etc/inet/ipsecinit.conf"
	kill -HUP "$pid_a"
	iop_check "SIGHUP without the entry deletes the XFRM policies" \
	    iop_wait_grep "$A/iked.log" "IPsec policy: 0 kernel policies" 10
	iop_check "no inbound XFRM policy is left" \
	    [ "$(policy_count "$IOP_NSA")" -eq 0 ]
	iop_check "clear-text UDP arrives without a policy" \
	    clear_udp_arrives 3
fi

iop_stop "$pid_a"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
if [ "$mode" = transport ]; then
	iop_stop "$pid_b"
	status=$?
	iop_check "the peer in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
fi
leftovers "$IOP_NSA" >"$IOP_DIR/leftovers.out" 2>&1
iop_check "SIGTERM leaves no XFRM policy, route, rule or TUN device" \
    [ ! -s "$IOP_DIR/leftovers.out" ]
[ -s "$IOP_DIR/leftovers.out" ] && cat "$IOP_DIR/leftovers.out"
iop_summary
