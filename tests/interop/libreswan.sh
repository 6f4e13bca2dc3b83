#!/bin/bash
# libreswan.sh iked|peer: in.iked against libreswan 4.10 pluto, IKEv1 with
# a preshared key (AES-128, SHA-1, MODP-2048, PFS).
#
# pluto can install ESP SAs only through the kernel's XFRM, and this
# kernel has no ESP, so pluto fails exactly at its SA install.  That log
# line ("Add SA esp... Protocol not supported") comes only after pluto
# has authenticated and accepted our Quick Mode message, so the test
# asserts on it:
#
#   iked  in.iked initiates: Main Mode completes, pluto accepts our QM1
#         and fails installing before it sends QM2
#   peer  pluto initiates: Main Mode completes, pluto accepts our QM2
#         and fails installing before it sends QM3
initiator=${1:?usage: libreswan.sh iked|peer}
IOP_NAME=ls
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_pluto
iop_require_iked

iop_setup
iop_netns_pair
A=$IOP_DIR/iked P=$IOP_DIR/pluto
mkdir -p "$A" "$P"
iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
iop_pluto_conf "$P" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
iop_pluto_start "$IOP_NSB" "$P"
iop_iked_start "$IOP_NSA" "$A"

if [ "$initiator" = iked ]; then
	# The ping only triggers the negotiation; pluto never installs.
	iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 2
	iop_check "pluto: Main Mode established (responder)" \
	    iop_wait_grep "$P/pluto.log" "IKE SA established" 10
	iop_check "pluto: accepted our Quick Mode proposal and identities" \
	    iop_wait_grep "$P/pluto.log" "the peer proposed: 203.0.113.1/32.*192.0.2.1/32" 10
	iop_check "pluto: reached its own SA install (after our QM1)" \
	    iop_wait_grep "$P/pluto.log" "Add SA esp.*Protocol not supported" 10
else
	timeout 15 "$IOP_LIBRESWAN/usr/libexec/ipsec/whack" \
	    --rundir "$P/run" --initiate --name v1 >"$P/whack.out" 2>&1
	iop_check "pluto: Main Mode established (initiator)" \
	    grep -q "IKE SA established" "$P/whack.out"
	iop_check "pluto: accepted our QM2 and reached its own SA install" \
	    grep -q "Add SA esp.*Protocol not supported" "$P/pluto.log"
	iop_check "pluto: failed only at the install (STATE_QUICK_I1)" \
	    grep -q "STATE_QUICK_I1 had internal error" "$P/pluto.log"
fi

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
