#!/bin/bash
# restart.sh MODE: in.iked (userspace backend) started again after
# SIGKILL keeps outbound and inbound traffic that a policy protects from
# passing in the clear.  in.iked's namespace has a clear-text route to
# 203.0.113.0/24 through the peer's outer address.  An nft counter on the
# peer counts the echo requests that arrive there in the clear.  The ICMP
# counters of in.iked's namespace count the echo requests from
# 203.0.113.2 that its inbound policies let in.  No IKE peer runs: the
# checks concern only the routes and policies left in the kernel.
#
#   bypass  policy: ipsec 203.0.113.0/24 and bypass 203.0.113.2/32.
#           After SIGKILL, a new in.iked with the same policy starts: it
#           takes the throw route over.
#   removed the same policy; after SIGKILL, a new in.iked without the
#           bypass entry deletes its throw route and its XFRM allow
#           policy.
#   failed  after SIGKILL, a new in.iked that cannot bind UDP port 500
#           fails to start and leaves the rule, the prohibit route and
#           the XFRM policies of the killed one.  SIGTERM of a later
#           in.iked removes them all.
mode=${1:?usage: restart.sh bypass|removed|failed}
IOP_NAME=rest
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_iked
iop_require_nft
command -v python3 >/dev/null 2>&1 || iop_skip "python3 is not installed"
case $mode in
bypass | removed | failed) ;;
*)
	echo "unknown mode $mode"
	exit 2
	;;
esac

iop_setup
iop_netns_pair
A=$IOP_DIR/iked
mkdir -p "$A"
iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
policy=$A/etc/inet/ipsecinit.conf
ipsec_entry="{ tsrc 198.51.100.1 tdst 198.51.100.2 laddr 192.0.2.1/32 raddr 203.0.113.0/24 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha1 sa shared }"
bypass_entry="{ laddr 192.0.2.1/32 raddr 203.0.113.2/32 } bypass { }"
if [ "$mode" != failed ]; then
	printf '%s\n%s\n' "$bypass_entry" "$ipsec_entry" >"$policy"
else
	printf '%s\n' "$ipsec_entry" >"$policy"
fi
ip -n "$IOP_NSA" route add 203.0.113.0/24 via 198.51.100.2 ||
    iop_die "adding the clear-text route failed"
ip -n "$IOP_NSB" route add 192.0.2.0/24 via 198.51.100.1
ip -n "$IOP_NSB" addr add 203.0.113.2/32 dev lo
ip netns exec "$IOP_NSB" nft -f - <<EOF || iop_die "nft counter failed"
table inet resttest {
	counter clear_echo { }
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		iifname "veth0" icmp type echo-request counter name clear_echo
	}
}
EOF

clear_echoes() {
	ip netns exec "$IOP_NSB" nft list counter inet resttest clear_echo |
	    sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# Echo requests that passed in.iked's inbound policies.
in_echoes() {
	ip netns exec "$IOP_NSA" awk '/^Icmp:/ && !c {
		for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; next }
	    /^Icmp:/ { print $c; exit }' /proc/net/snmp
}

# ping_a DST: two pings from in.iked's inner address, replies ignored.
ping_a() {
	ip netns exec "$IOP_NSA" ping -n -c 2 -i 0.3 -W 1 -I 192.0.2.1 "$1" \
	    >/dev/null 2>&1
	return 0
}

# ping_b: two pings from 203.0.113.2 to in.iked's inner address.
ping_b() {
	ip netns exec "$IOP_NSB" ping -n -c 2 -i 0.3 -W 1 -I 203.0.113.2 \
	    192.0.2.1 >/dev/null 2>&1
	return 0
}

# no_clear_out DST: no clear-text echo request to DST reaches the peer.
no_clear_out() {
	before=$(clear_echoes)
	ping_a "$1"
	[ "$(clear_echoes)" = "$before" ]
}

clear_out() {
	before=$(clear_echoes)
	ping_a "$1"
	[ "$(clear_echoes)" -gt "$before" ]
}

no_clear_in() {
	before=$(in_echoes)
	ping_b
	[ "$(in_echoes)" = "$before" ]
}

clear_in() {
	before=$(in_echoes)
	ping_b
	[ "$(in_echoes)" -gt "$before" ]
}

has_rule() {
	ip -n "$IOP_NSA" -4 rule show | grep -q "lookup 4500"
}

table_routes() {
	ip -n "$IOP_NSA" -4 route show table 4500 2>/dev/null
}

xfrm_policies() {
	ip -n "$IOP_NSA" xfrm policy show
}

# start_iked: in.iked -d; 0 when it runs, 1 when it exited.
starts=0
start_iked() {
	starts=$((starts + 1))
	[ -f "$A/iked.log" ] && mv "$A/iked.log" "$A/iked-$starts.log"
	ip netns exec "$IOP_NSA" "$IOP_IKED" -d -R "$A" -B userspace \
	    </dev/null >"$A/iked.log" 2>&1 &
	pid_a=$!
	iop_track "$pid_a"
	i=0
	while ! grep -q "in.iked running" "$A/iked.log" &&
	    kill -0 "$pid_a" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q "in.iked running" "$A/iked.log"
}

kill_iked() {
	kill -KILL "$pid_a"
	wait "$pid_a" 2>/dev/null
	IOP_PIDS=$(echo " $IOP_PIDS " | sed "s/ $pid_a / /")
}

start_iked || iop_die "in.iked did not start (see $A/iked.log)"
# Wait for the sweep, which runs once the daemon runs.
sleep 0.5
if [ "$mode" != failed ]; then
	iop_check "bypass entry: clear-text ping to 203.0.113.2 passes" \
	    clear_out 203.0.113.2
	iop_check "bypass entry: clear-text ping from 203.0.113.2 comes in" \
	    clear_in
fi
iop_check "no clear-text ping to 203.0.113.5 reaches the peer" \
    no_clear_out 203.0.113.5

kill_iked
iop_check "after SIGKILL no clear-text ping to 203.0.113.5" \
    no_clear_out 203.0.113.5

if [ "$mode" = bypass ]; then
	iop_check "a new in.iked with the bypass entry starts" start_iked
	iop_check "it logged no route error" \
	    iop_not grep -Eq "cannot add route|File exists" "$A/iked.log"
	iop_check "still no clear-text ping to 203.0.113.5" \
	    no_clear_out 203.0.113.5
	iop_check "the rule stays" has_rule
	iop_check "the bypass entry still passes clear text" \
	    clear_out 203.0.113.2
elif [ "$mode" = removed ]; then
	printf '%s\n' "$ipsec_entry" >"$policy"
	iop_check "a new in.iked without the bypass entry starts" start_iked
	sleep 0.5
	iop_check "it deletes the throw route to 203.0.113.2" \
	    iop_not grep -q "^throw 203.0.113.2 " <(table_routes)
	iop_check "no clear-text ping to the former bypass 203.0.113.2" \
	    no_clear_out 203.0.113.2
	iop_check "no XFRM policy for 203.0.113.2 stays" \
	    iop_not grep -q "203.0.113.2/32" <(xfrm_policies)
	iop_check "no clear-text ping from 203.0.113.2 comes in" no_clear_in
	iop_check "the new in.iked logged the deleted XFRM policies" \
	    grep -Eq "deleted [0-9]+ XFRM polic" "$A/iked.log"
else
	# Another program binds UDP port 500 on the outer address.
	ip netns exec "$IOP_NSA" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.1", 500))
time.sleep(60)' &
	blocker=$!
	iop_track "$blocker"
	sleep 0.5
	iop_check "a new in.iked fails to start: port 500 is taken" \
	    iop_not start_iked
	iop_check "it logged the bind error" \
	    grep -Fq 'binding UDP 198.51.100.1[500] failed' "$A/iked.log"
	iop_check "the rule of the killed in.iked stays" has_rule
	iop_check "its prohibit route stays" \
	    grep -q "^prohibit 203.0.113.0/24 " <(table_routes)
	iop_check "its XFRM in policy stays" \
	    grep -q "src 203.0.113.0/24 dst 192.0.2.1/32" <(xfrm_policies)
	iop_check "after the failed start no clear-text ping to 203.0.113.5" \
	    no_clear_out 203.0.113.5
	iop_check "and no clear-text ping from 203.0.113.2 comes in" \
	    no_clear_in
	iop_stop "$blocker"

	iop_check "in.iked starts once port 500 is free" start_iked
	# SIGTERM as soon as in.iked logs that it runs: the leftovers of
	# the killed one are deleted before its event loop starts.
	iop_stop "$pid_a"
	iop_check "SIGTERM deletes the rule" iop_not has_rule
	iop_check "SIGTERM leaves no route in table 4500" \
	    [ -z "$(table_routes)" ]
	iop_check "SIGTERM leaves no XFRM policy" [ -z "$(xfrm_policies)" ]
	iop_check "after SIGTERM clear text reaches the peer" \
	    clear_out 203.0.113.5
	iop_check "and clear text from 203.0.113.2 comes in" clear_in
fi
iop_summary
