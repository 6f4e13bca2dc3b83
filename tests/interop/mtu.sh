#!/bin/bash
# mtu.sh FAMILY: in.iked (userspace backend) against strongSwan charon
# (kernel-libipsec, which always encapsulates ESP in UDP port 4500) over
# a veth pair whose MTU is 1400 on both sides.  ESP in UDP that does not
# fit the link must be fragmented, not dropped.
#
#   ipv4  outer and inner addresses IPv4
#   ipv6  outer and inner addresses IPv6 (2001:db8::)
#
# Checks: the child SA uses UDP encapsulation, and pings with 1400 and
# 3000 bytes of data pass through the tunnel in both directions.
family=${1:?usage: mtu.sh ipv4|ipv6}
IOP_NAME=mtu
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked

case $family in
ipv4)
	outer_a=198.51.100.1 outer_b=198.51.100.2
	inner_a=192.0.2.1 inner_b=203.0.113.1
	;;
ipv6)
	outer_a=2001:db8:1::1 outer_b=2001:db8:1::2
	inner_a=2001:db8:a::1 inner_b=2001:db8:b::1
	;;
*)
	echo "unknown family $family"
	exit 2
	;;
esac
LINK_MTU=1400

iop_setup
iop_netns_pair
ip -n "$IOP_NSA" link set veth0 mtu $LINK_MTU
ip -n "$IOP_NSB" link set veth0 mtu $LINK_MTU
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
iop_iked_conf "$A" $outer_a $outer_b $inner_a $inner_b
iop_charon_conf "$B"
iop_swanctl_conf "$B" $outer_b $outer_a $inner_b $inner_a
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A"

# big_ping NS SRC DST SIZE: three pings with SIZE bytes of data, each
# with a reply.
big_ping() {
	ip netns exec "$1" ping -n -c 3 -i 0.2 -W 2 -s "$4" -I "$2" "$3"
}

iop_check "acquire starts the negotiation, first ping passes" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 15
iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
iop_check "charon: child SA INSTALLED with UDP encapsulation" \
    grep -q "state=INSTALLED.*encap=yes" "$B/sas.out"
for size in 1400 3000; do
	iop_check "ping -s $size from in.iked's side passes" \
	    big_ping "$IOP_NSA" $inner_a $inner_b $size
	iop_check "ping -s $size from charon's side passes" \
	    big_ping "$IOP_NSB" $inner_b $inner_a $size
done
iop_check "in.iked logged no failed send" \
    iop_not grep -q "failed: Message too long" "$A/iked.log"

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
