#!/bin/bash
# killed.sh FAMILY: outbound traffic that a policy protects fails closed
# when in.iked (userspace backend) is killed.  in.iked's namespace has a
# clear-text route to the peer's inner network through the peer's
# outer address, so without in.iked's prohibit routes in table 4500 the
# pings would leave in the clear once the TUN device is gone.
#
#   ipv4  charon over IPv4, tunnel 192.0.2.1 <-> 203.0.113.1
#   ipv6  charon over IPv6, tunnel 2001:db8:a::1 <-> 2001:db8:b::1
#
# Checks: after SIGKILL, pings between the inner hosts fail and no
# clear-text echo request reaches the peer (an nft counter there).  A new
# in.iked takes over the prohibit route without an error, deletes a stale
# one and brings the tunnel up again.  SIGTERM leaves nothing in table
# 4500, and clear text then reaches the peer, which shows that the counter
# works.
family=${1:?usage: killed.sh ipv4|ipv6}
IOP_NAME=kill
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
iop_require_nft

case $family in
ipv4)
	outer_a=198.51.100.1 outer_b=198.51.100.2
	inner_a=192.0.2.1 inner_b=203.0.113.1
	peer_net=203.0.113.0/24 stale=203.0.113.99/32 ipv=-4
	;;
ipv6)
	outer_a=2001:db8:1::1 outer_b=2001:db8:1::2
	inner_a=2001:db8:a::1 inner_b=2001:db8:b::1
	peer_net=2001:db8:b::/48 stale=2001:db8:b::99/128 ipv=-6
	;;
*)
	echo "unknown family $family"
	exit 2
	;;
esac
# USER_PROHIBIT_METRIC in src/kernel/user.c
PROHIBIT_METRIC=2147483647

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
iop_iked_conf "$A" $outer_a $outer_b $inner_a $inner_b
iop_charon_conf "$B"
iop_swanctl_conf "$B" $outer_b $outer_a $inner_b $inner_a
ip -n "$IOP_NSA" $ipv route add $peer_net via $outer_b ||
    iop_die "adding the clear-text route failed"

# Echo requests that arrive in the clear on the peer's veth; decrypted
# ones arrive on charon's TUN device instead.
ip netns exec "$IOP_NSB" nft -f - <<EOF || iop_die "nft counter failed"
table inet killtest {
	counter clear_echo { }
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		iifname "veth0" icmp type echo-request counter name clear_echo
		iifname "veth0" icmpv6 type echo-request counter name clear_echo
	}
}
EOF

clear_echoes() {
	ip netns exec "$IOP_NSB" nft list counter inet killtest clear_echo |
	    sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

table_routes() {
	ip -n "$IOP_NSA" $ipv route show table 4500 2>/dev/null
}

inner_ping() {
	ip netns exec "$IOP_NSA" ping -n -c 2 -i 0.3 -W 1 -I $inner_a $inner_b
}

iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A"
pid_a=$IOP_IKED_PID
iop_check "acquire starts the negotiation, first ping passes" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 15
iop_check "ping through the tunnel" inner_ping
iop_check "table 4500 has a prohibit route to $inner_b" \
    grep -q "^prohibit $inner_b .*metric $PROHIBIT_METRIC" \
    <(table_routes)
iop_check "no clear-text echo request reached the peer" \
    [ "$(clear_echoes)" = 0 ]

kill -KILL "$pid_a"
wait "$pid_a" 2>/dev/null
IOP_PIDS=$(echo " $IOP_PIDS " | sed "s/ $pid_a / /")
iop_check "after SIGKILL the TUN device is gone" \
    iop_not ip -n "$IOP_NSA" link show iked0
iop_check "after SIGKILL the prohibit route stays" \
    grep -q "^prohibit $inner_b " <(table_routes)
iop_check "after SIGKILL ping to the peer fails" iop_not inner_ping
iop_check "after SIGKILL no clear-text echo request reached the peer" \
    [ "$(clear_echoes)" = 0 ]

# A prohibit route of an entry that is no longer in ipsecinit.conf.
ip -n "$IOP_NSA" $ipv route add prohibit $stale table 4500 \
    metric $PROHIBIT_METRIC proto static
iop_iked_start "$IOP_NSA" "$A"
pid_a=$IOP_IKED_PID
iop_check "a new in.iked deletes the stale prohibit route" \
    iop_wait_grep "$A/iked.log" "deleted 1 prohibit or throw route" 5
iop_check "and keeps the one it took over" \
    grep -q "^prohibit $inner_b " <(table_routes)
iop_check "stale route $stale is gone" \
    iop_not grep -q "^prohibit ${stale%/*} " <(table_routes)
iop_check "the new in.iked logged no route error" \
    iop_not grep -Eq "cannot add route|File exists" "$A/iked.log"
iop_check "a new tunnel comes up" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 20
iop_check "ping through the new tunnel" inner_ping
iop_check "still no clear-text echo request reached the peer" \
    [ "$(clear_echoes)" = 0 ]

iop_stop "$pid_a"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_check "SIGTERM leaves no route in table 4500" [ -z "$(table_routes)" ]
# With no policy left, the clear-text route applies.
ip netns exec "$IOP_NSA" ping -n -c 2 -i 0.3 -W 1 -I $inner_a $inner_b \
    >/dev/null 2>&1
iop_check "after SIGTERM clear text reaches the peer ($(clear_echoes))" \
    [ "$(clear_echoes)" -ge 1 ]
iop_summary
