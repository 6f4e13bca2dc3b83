#!/bin/sh
# xfrm_host.sh [PROGRAM]: runs PROGRAM of tests/xfrm (test_xfrm_host by
# default) in a network namespace of its own.  The namespace has
# 192.0.2.1/32 on lo and a veth pair with both ends inside, one with
# 198.51.100.1/24 and a route to 203.0.113.0/24, so no packet can leave.
set -u

TEST=${IKED_BUILD:-.}/tests/xfrm/${1:-test_xfrm_host}
NS=xfrmhost$$

if [ "$(id -u)" != 0 ]; then
	echo "xfrm_host: skipped: needs root (network namespaces, XFRM)"
	exit 77
fi
if ! command -v ip >/dev/null; then
	echo "xfrm_host: skipped: ip (iproute2) not installed"
	exit 77
fi
trap 'ip netns del "$NS" 2>/dev/null' EXIT
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" addr add 192.0.2.1/32 dev lo
ip -n "$NS" link add xfrmveth0 type veth peer name xfrmveth1 || exit 1
ip -n "$NS" addr add 198.51.100.1/24 dev xfrmveth0
ip -n "$NS" link set xfrmveth0 up
ip -n "$NS" link set xfrmveth1 up
ip -n "$NS" route add 203.0.113.0/24 dev xfrmveth0 src 192.0.2.1
if ! ip netns exec "$NS" ip xfrm policy >/dev/null 2>&1; then
	echo "xfrm_host: skipped: this kernel has no XFRM netlink (xfrm_user)"
	exit 77
fi
ip netns exec "$NS" "$TEST"
