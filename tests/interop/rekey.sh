#!/bin/bash
# rekey.sh: in.iked replaces an IPsec SA before it expires.  The rule
# sets p2_softlife_secs 5, so the userspace backend reports a soft expiry
# after 5 s.  The daemon hands it to the engine, which runs a new Quick
# Mode with strongSwan charon, and traffic then uses the new SAs.
IOP_NAME=rk
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked

iop_setup
IKE_GLOBALS="p2_lifetime_secs 60
p2_softlife_secs 5" \
    iop_charon_pair
log=$A/iked.log

iop_check "tunnel up, first ping passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
first=$(iop_sw_spis "$B")

iop_check "soft expiry: a second Quick Mode starts" \
    iop_wait_count "$log" "Quick Mode [0-9a-f]+ started" 2 10
iop_check "soft expiry: a second SA pair is installed" \
    iop_wait_count "$log" "IPsec SAs with .* installed" 2 5
iop_check "only one Main Mode: the ISAKMP SA is reused" \
    test "$(grep -c 'starting Main Mode' "$log")" -eq 1
iop_check "ping through the new SAs" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1

new=$(iop_sw_spis "$B")
read -r new_in new_out <<EOF
$new
EOF
iop_check "charon's installed SAs are new (${new:-none}, first ${first:-none})" \
    test -n "$new" -a "$new" != "${first:-none}"
iop_check "in.iked's log names the new SPIs" \
    grep -qi "ESP SPI in 0x${new_out:-none} out 0x${new_in:-none}" "$log"

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
