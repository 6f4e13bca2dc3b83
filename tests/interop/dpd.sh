#!/bin/bash
# dpd.sh: Dead Peer Detection (RFC 3706) against strongSwan charon.
# in.iked runs with dpd_interval 2 and dpd_retries 2.  While charon lives,
# it replies to the R-U-THERE probes and the SAs stay.  Once charon is
# killed without a chance to send Deletes, in.iked removes every SA with it.
IOP_NAME=dp
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked

iop_setup
IKE_GLOBALS="dpd_interval 2
dpd_retries 2" \
    iop_charon_pair
log=$A/iked.log

iop_check "tunnel up, first ping passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
iop_check "charon answers an R-U-THERE while idle" \
    iop_wait_grep "$B/charon.log" "parsed INFORMATIONAL_V1 request .*N\(DPD\)" 15
iop_check "the SAs stay while charon answers" \
    iop_not grep -q "DPD probes" "$log"
iop_check "ping still passes" iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1

kill -KILL "$IOP_CHARON_PID"
iop_check "dead peer: in.iked gives up after its probes" \
    iop_wait_grep "$log" "answered none of 2 DPD probes" 30
iop_check "dead peer: in.iked removes the IPsec SAs" \
    iop_wait_grep "$log" 'IPsec SAs \(rule "peer"\) removed' 5

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
