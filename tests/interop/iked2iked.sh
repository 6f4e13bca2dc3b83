#!/bin/bash
# iked2iked.sh plain|plain6|nat: two in.iked daemons (userspace ESP)
# negotiate a tunnel; a ping from A's inner host triggers it.
#
#   plain  both on one link: no NAT is detected, so ESP travels as IP
#          protocol 50 and IKE stays on port 500
#   plain6 the same over IPv6 (2001:db8::)
#   transport
#          transport mode between the two gateways for ICMP only
#          ({ laddr A raddr B ulp icmp } in ipsecinit.conf)
#   bypass plain, with "{ ulp icmp dir both } bypass { }" first in
#          ipsecinit.conf: pings pass in the clear without a negotiation,
#          UDP between the inner hosts starts one
#   nat    A sits behind a masquerading router (random source ports): the
#          NAT-D hashes mismatch, IKE floats to port 4500 and ESP is
#          UDP-encapsulated (RFC 3947, RFC 3948)
#   nat-keepalive
#          nat, then an idle wait of 22 s: A, behind the NAT, must send
#          a NAT keepalive (RFC 3948 section 2.3; the engine sends one
#          every 20 s) that B ignores
#
# Checks: the ping passes both ways, both daemons installed the same SPIs,
# and a capture shows the expected encapsulation.
mode=${1:?usage: iked2iked.sh plain|plain6|transport|bypass|nat|nat-keepalive}
IOP_NAME=ii
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_iked
iop_require_tshark
case $mode in nat*) iop_require_nft ;; esac

iop_setup
A=$IOP_DIR/a B=$IOP_DIR/b
mkdir -p "$A" "$B"
case $mode in nat*) nat=1 ;; *) nat=0 ;; esac
if [ $nat -eq 1 ]; then
	iop_netns_nat
	inner_a=192.0.2.1 inner_b=192.0.2.129
	# A's packets reach B from the router's public address.
	iop_iked_conf "$A" 198.51.100.1 203.0.113.2 $inner_a $inner_b
	iop_iked_conf "$B" 203.0.113.2 203.0.113.254 $inner_b $inner_a
	cap_ns=$IOP_NSN cap_if=vethb
elif [ "$mode" = transport ]; then
	iop_netns_pair
	inner_a=198.51.100.1 inner_b=198.51.100.2
	iop_iked_conf "$A" 198.51.100.1 198.51.100.2 $inner_a $inner_b
	iop_iked_conf "$B" 198.51.100.2 198.51.100.1 $inner_b $inner_a
	for side in "$A 198.51.100.1 198.51.100.2" "$B 198.51.100.2 198.51.100.1"; do
		set -- $side
		echo "{ laddr $2 raddr $3 ulp icmp } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha1 sa shared }" \
		    >"$1/etc/inet/ipsecinit.conf"
	done
	cap_ns=$IOP_NSA cap_if=veth0
elif [ "$mode" = plain6 ]; then
	iop_netns_pair
	inner_a=2001:db8:a::1 inner_b=2001:db8:b::1
	iop_iked_conf "$A" 2001:db8:1::1 2001:db8:1::2 $inner_a $inner_b
	iop_iked_conf "$B" 2001:db8:1::2 2001:db8:1::1 $inner_b $inner_a
	cap_ns=$IOP_NSA cap_if=veth0
else
	iop_netns_pair
	inner_a=192.0.2.1 inner_b=203.0.113.1
	iop_iked_conf "$A" 198.51.100.1 198.51.100.2 $inner_a $inner_b
	iop_iked_conf "$B" 198.51.100.2 198.51.100.1 $inner_b $inner_a
	cap_ns=$IOP_NSA cap_if=veth0
fi
cap_filter="udp port 500 or udp port 4500 or esp"
if [ "$mode" = bypass ]; then
	for side in "$A" "$B"; do
		f=$side/etc/inet/ipsecinit.conf
		{ echo "{ ulp icmp dir both } bypass { }"; cat "$f"; } >"$f.new"
		mv "$f.new" "$f"
	done
	# Clear traffic between the inner hosts needs a route.
	ip -n "$IOP_NSA" route add $inner_b/32 via 198.51.100.2
	ip -n "$IOP_NSB" route add $inner_a/32 via 198.51.100.1
	cap_filter="$cap_filter or icmp"
fi

iop_cap_start "$cap_ns" "$cap_if" "$IOP_DIR/cap.pcapng" "$cap_filter"
iop_iked_start "$IOP_NSB" "$B" -K "$B/keys"
pid_b=$IOP_IKED_PID
iop_iked_start "$IOP_NSA" "$A" -K "$A/keys"
pid_a=$IOP_IKED_PID

if [ "$mode" = bypass ]; then
	iop_check "bypass: pings pass in the clear" \
	    iop_ping_ok "$IOP_NSA" $inner_a $inner_b
	iop_check "bypass: pings start no negotiation" \
	    iop_not grep -q "starting Main Mode" "$A/iked.log"
	ip netns exec "$IOP_NSA" bash -c "echo start >/dev/udp/$inner_b/9"
	iop_check "bypass: UDP between the inner hosts starts one" \
	    iop_wait_grep "$A/iked.log" "IPsec SAs with .* installed" 10
else
	iop_check "acquire starts the negotiation, first ping passes" \
	    iop_ping "$IOP_NSA" $inner_a $inner_b 15
fi
iop_check "ping from A's inner host" iop_ping_ok "$IOP_NSA" $inner_a $inner_b
iop_check "ping from B's inner host" iop_ping_ok "$IOP_NSB" $inner_b $inner_a
if [ "$mode" = bypass ]; then
	ip netns exec "$IOP_NSA" bash -c \
	    "for i in 1 2 3 4 5 6; do echo data >/dev/udp/$inner_b/9; done"
fi
[ "$mode" = nat-keepalive ] && sleep 22
iop_cap_stop

# Each daemon logs both directions; the SPI column must agree.
spis() {
	sed -n 's/^[^,]*,[^,]*,[^,]*,"\(0x[0-9a-fA-F]*\)".*/\1/p' "$1" | sort
}
iop_check "A wrote ESP keys" test -s "$A/keys/esp_sa"
iop_check "both daemons installed the same SPIs" \
    test "$(spis "$A/keys/esp_sa")" = "$(spis "$B/keys/esp_sa")"

# count FILTER: packets of the capture that match a display filter.
count() {
	tshark -r "$IOP_DIR/cap.pcapng" -Y "$1" 2>/dev/null | wc -l
}
esp_udp=$(count 'esp && udp.port == 4500')
esp_raw=$(count 'esp && !udp')
natt=$(count 'udp.port == 4500')
if [ $nat -eq 1 ]; then
	iop_check "ESP is UDP-encapsulated on port 4500 ($esp_udp packets)" \
	    [ "$esp_udp" -ge 6 ]
	iop_check "no plain ESP crosses the NAT ($esp_raw packets)" \
	    [ "$esp_raw" -eq 0 ]
else
	iop_check "ESP travels as IP protocol 50 ($esp_raw packets)" \
	    [ "$esp_raw" -ge 6 ]
	iop_check "nothing uses port 4500 ($natt packets)" [ "$natt" -eq 0 ]
fi
if [ "$mode" = bypass ]; then
	icmp_clear=$(count 'icmp && !esp && ip.src == 192.0.2.1')
	iop_check "bypass: ICMP stays in the clear ($icmp_clear packets)" \
	    [ "$icmp_clear" -ge 9 ]
fi
if [ "$mode" = transport ]; then
	iop_check "A installed transport-mode SAs" \
	    grep -q "installed .* transport mode" "$A/iked.log"
fi
if [ "$mode" = nat-keepalive ]; then
	# One 0xff byte from A's NAT mapping to B's port 4500.
	ka=$(count 'ip.src == 203.0.113.254 && udp.dstport == 4500 && udp.length == 9')
	iop_check "A sent a NAT keepalive through the NAT ($ka)" [ "$ka" -ge 1 ]
	iop_check "B ignored the keepalive without a log line" \
	    iop_not grep -q "dropped a 1-byte" "$B/iked.log"
fi

# Bulk TCP: TSO segments cut into ESP, batches on the raw or UDP sockets
# (UDP_SEGMENT through the NAT), GRO on the way in.
if [ "$mode" = plain ] || [ "$mode" = nat ]; then
	ip netns exec "$IOP_NSB" python3 "$(dirname "$0")/tcp_echo.py" \
	    server $inner_b >"$IOP_DIR/echo.server" 2>&1 &
	iop_track $!
	iop_check "4 MB TCP echo through the tunnel comes back unchanged" \
	    ip netns exec "$IOP_NSA" timeout 60 python3 \
	    "$(dirname "$0")/tcp_echo.py" client $inner_a $inner_b
fi
# A TUN MTU raised above the size of an outbound slot: TSO segments of
# a larger MSS, and outer datagrams that the veth fragments.  Through the
# NAT, the kernel rejects UDP_SEGMENT messages of such datagrams: they
# must leave one by one, and UDP_SEGMENT stays on for smaller ones.
if [ "$mode" = plain ] || [ "$mode" = nat ]; then
	ip -n "$IOP_NSA" link set iked0 mtu 4000
	ip -n "$IOP_NSB" link set iked0 mtu 4000
	ip netns exec "$IOP_NSB" python3 "$(dirname "$0")/tcp_echo.py" \
	    server $inner_b >"$IOP_DIR/echo.server.mtu" 2>&1 &
	iop_track $!
	iop_check "1 MB TCP echo with a TUN MTU of 4000 comes back unchanged" \
	    ip netns exec "$IOP_NSA" timeout 60 python3 \
	    "$(dirname "$0")/tcp_echo.py" client $inner_a $inner_b 1
	iop_check "no TSO segment was dropped as too large" \
	    iop_not grep -q "TSO segment too large" "$A/iked.log" "$B/iked.log"
	iop_check "UDP_SEGMENT stays in use" \
	    iop_not grep -q "UDP_SEGMENT failed" "$A/iked.log" "$B/iked.log"
	iop_check "no ESP in UDP was lost to the message size" \
	    iop_not grep -q "failed: Message too long" "$A/iked.log" \
	    "$B/iked.log"
fi

iop_stop "$pid_a"
status=$?
iop_check "in.iked A exits 0 on SIGTERM" [ $status -eq 0 ]
iop_stop "$pid_b"
status=$?
iop_check "in.iked B exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
