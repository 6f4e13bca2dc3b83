#!/bin/bash
# libreswan pluto with real kernel ESP in the qemu TCG guest against
# in.iked -B userspace in a network namespace on the host side of the
# guest's TAP device.  pluto cannot install SAs on the host's kernel, so
# this is where Quick Mode with pluto completes:
#
#   netns (host side)                      guest
#   lo 192.0.2.1, tap 198.51.100.1/24 <--> eth0 198.51.100.2/24, lo 203.0.113.1
#   in.iked -B userspace                   pluto (XFRM, raw ESP)
#
# Cases: in.iked initiates (a ping from 192.0.2.1), then, after in.iked
# restarts, pluto initiates (whack --initiate).  Checks: pluto's IPsec SA,
# pings both ways, ESP SAs in the guest kernel, in.iked's Delete on exit.
IOP_NAME=xgpl
. "$(dirname "$0")/../interop/lib.sh"
. "$(dirname "$0")/guest_lib.sh"

iop_require_root
iop_require_pluto
iop_require_iked
xg_require_guest

xg_setup
# The guest's /tmp is its own, so the scripts go through the share.
cp "$GUESTS/agent.sh" "$(dirname "$0")/../interop/lib.sh" "$SHARE/bin/"
xg_boot xgptap$$

# pluto adds no routes (leftupdown=/bin/true), so the guest gets one.  Its
# files live on the guest's tmpfs; pluto hard-codes /usr/libexec/ipsec.
gcmd pluto-start "ip link set lo up
ip addr add 203.0.113.1/32 dev lo
ip link set eth0 up
ip addr add 198.51.100.2/24 dev eth0
ip route add 192.0.2.1/32 dev eth0 src 203.0.113.1
. $GSHARE/bin/lib.sh
iop_pluto_conf /tmp/P 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
mount --bind $IOP_LIBRESWAN/usr/libexec /usr/libexec
$IOP_LIBRESWAN/usr/libexec/ipsec/pluto --nofork --config /tmp/P/ipsec.conf \
    --rundir /tmp/P/run --secretsfile /tmp/P/ipsec.secrets \
    --ipsecdir /tmp/P/ipsec.d --nssdir /tmp/P/nss \
    --logfile $GSHARE/pluto.log </dev/null >/dev/null 2>&1 &
echo \$! >$GSHARE/pluto.pid" 60 >/dev/null
iop_check "pluto starts in the guest" \
    iop_wait_grep "$SHARE/pluto.log" "loading secrets from" 30

WHACK="$IOP_LIBRESWAN/usr/libexec/ipsec/whack --rundir /tmp/P/run"
A=$IOP_DIR/iked
iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1

# ---- in.iked initiates
iop_iked_start "$IOP_NSA" "$A"
T=$(date +%s)
iop_check "in.iked -> pluto: a ping starts the negotiation and passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 40
iop_log "in.iked -> pluto, first ping reply: $(($(date +%s) - T)) s"
iop_check "in.iked -> pluto: pluto established the IPsec SA" \
    iop_wait_grep "$SHARE/pluto.log" "IPsec SA established" 10
iop_check "in.iked -> pluto: ping from the host side" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
gcmd ping1 'ping -n -c 3 -i 0.3 -W 3 -I 203.0.113.1 192.0.2.1 && echo PASSED' \
    30 >"$IOP_DIR/ping1.out"
iop_check "in.iked -> pluto: ping from the guest" \
    grep -q PASSED "$IOP_DIR/ping1.out"
gcmd state1 'ip xfrm state' >"$IOP_DIR/state1.out"
iop_check "in.iked -> pluto: pluto's ESP SAs in the guest kernel" \
    [ "$(grep -c 'proto esp' "$IOP_DIR/state1.out")" -ge 2 ]
iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_check "pluto received in.iked's Delete" \
    iop_wait_grep "$SHARE/pluto.log" "received Delete SA.* payload" 10

# ---- pluto initiates, once the first in.iked's TUN device is gone
for _ in $(seq 50); do
	ip -n "$IOP_NSA" link show iked0 >/dev/null 2>&1 || break
	sleep 0.1
done
iop_iked_start "$IOP_NSA" "$A"
T=$(date +%s)
gcmd initiate "timeout 60 $WHACK --initiate --name v1" 90 \
    >"$IOP_DIR/whack.out"
iop_log "pluto -> in.iked: $(($(date +%s) - T)) s"
iop_check "pluto -> in.iked: whack reports the IPsec SA" \
    grep -q "IPsec SA established" "$IOP_DIR/whack.out"
iop_check "pluto -> in.iked: ping from the host side" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
iop_stop "$IOP_IKED_PID"
iop_log "total: $(($(date +%s) - T0)) s"
if [ "$IOP_FAIL" -ne 0 ]; then
	for f in "$SHARE/pluto.log" "$A/iked.log" "$IOP_DIR"/*.out; do
		echo "---- $f"
		tail -n 40 "$f"
	done
fi
iop_summary
