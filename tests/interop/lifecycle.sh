#!/bin/bash
# lifecycle.sh MODE: SA lifetimes, Delete and Dead Peer Detection against
# strongSwan charon.
#
#   rekey-iked  in.iked starts the tunnel and its IPsec SAs soft-expire
#               every 4 s: a ping every 0.2 s for 20 s loses no packet
#               while in.iked rekeys them several times
#   p1-renew-iked  in.iked starts the tunnel with a Phase 1 lifetime of
#               10 s and IPsec SAs that soft-expire every 4 s.  In 32 s of
#               pings every 0.2 s it replaces the ISAKMP SA three times or
#               more, each before it expires, and rekeys the IPsec SAs
#               several times: no ping is lost
#   p1-life-peer  charon starts the tunnel and proposes a Phase 1
#               lifetime of hours; in.iked allows 12 s and tells charon
#               with a RESPONDER-LIFETIME (24576), which charon logs and
#               ignores.  charon forces UDP encapsulation, so to in.iked,
#               the responder, it looks like a peer behind a NAT, which it
#               cannot reach to renew: the SAs end after 12 s and the next
#               packet negotiates new ones
#   rekey-peer  charon starts the tunnel, renews Phase 1 every 12 s and
#               rekeys CHILD_SAs every 5 s: both phases are renewed
#               several times during a 32 s ping, which loses no packet
#   delete      swanctl --terminate on charon removes in.iked's SAs;
#               ikeadm del p1 and SIGTERM on in.iked remove charon's, and
#               in.iked leaves no TUN device, route or rule behind
#   dpd         charon killed with SIGKILL: in.iked's R-U-THERE probes go
#               unanswered and it removes every SA with the peer; traffic
#               to a restarted charon negotiates anew
#   restart     charon killed and restarted initiates with INITIAL-CONTACT:
#               in.iked drops the stale SAs and keeps only the new ones
#   kbytes      p2_softlife_kb 40: 1000-byte pings every 0.1 s make
#               in.iked rekey by traffic volume, without a lost packet
#   kbytes-flood  p2_lifetime_kb 300 and the default soft limit: a flood
#               of 3000 1000-byte pings makes in.iked rekey many times,
#               and no packet is lost
#   idle        p2_idletime_secs 3: an unused tunnel is deleted at both
#               ends, and the next packet negotiates a new one
#   idle-restart  the same, then charon is killed with SIGKILL and
#               restarted: the ISAKMP SA left without IPsec SAs gets an
#               R-U-THERE before the next Quick Mode, and when none is
#               answered a new Main Mode carries the traffic
mode=${1:?usage: lifecycle.sh rekey-iked|p1-renew-iked|p1-life-peer|rekey-peer|delete|dpd|restart|kbytes|kbytes-flood|idle|idle-restart}
IOP_NAME=lc
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked

# ping_no_loss COUNT [INTERVAL [SIZE]]: COUNT pings, every reply back.
ping_no_loss() {
	ip netns exec "$IOP_NSA" ping -n -i "${2:-0.2}" -s "${3:-56}" \
	    -c "$1" -W 2 -I 192.0.2.1 203.0.113.1 >"$IOP_DIR/ping.out" 2>&1
	grep -q " $1 received, 0% packet loss" "$IOP_DIR/ping.out"
}

# charon_child_count: INSTALLED CHILD_SAs charon lists.
charon_child_count() {
	iop_sw "$B" --list-sas --raw 2>/dev/null | grep -o 'state=INSTALLED' |
	    wc -l
}

# removed_only_replaced LOG: every IPsec SA pair in.iked removed had been
# replaced first, so no pair ended with its ISAKMP SA.
removed_only_replaced() {
	for spi in $(sed -n 's/.*IPsec SAs (rule "peer") removed: ESP SPI in \(0x[0-9a-f]*\).*/\1/p' "$1"); do
		grep -q "with ESP SPI in $spi out 0x[0-9a-f]* replaced by" "$1" ||
		    return 1
	done
}

# iked_leftovers: what in.iked installed in its namespace, if anything.
iked_leftovers() {
	ip -n "$IOP_NSA" link show 2>/dev/null | grep -o 'iked0'
	ip -n "$IOP_NSA" route show table all 2>/dev/null | grep -E 'iked0|table 4500'
	ip -n "$IOP_NSA" rule show 2>/dev/null | grep -E 'lookup 4500'
}

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
case $mode in
rekey-iked)
	IKE_GLOBALS="p2_lifetime_secs 60
p2_softlife_secs 4"
	;;
p1-renew-iked)
	IKE_GLOBALS="p1_lifetime_secs 10
p2_lifetime_secs 60
p2_softlife_secs 4"
	;;
p1-life-peer)
	IKE_GLOBALS="p1_lifetime_secs 12"
	;;
rekey-peer)
	SW_IKE_REKEY=12s SW_CHILD_REKEY=5s SW_CHILD_LIFE=60s
	;;
dpd)
	IKE_GLOBALS="dpd_interval 2
dpd_retries 2"
	;;
kbytes)
	IKE_GLOBALS="p2_lifetime_kb 400
p2_softlife_kb 40"
	;;
kbytes-flood)
	IKE_GLOBALS="p2_lifetime_kb 300"
	;;
idle)
	IKE_GLOBALS="p2_idletime_secs 3"
	;;
idle-restart)
	IKE_GLOBALS="p2_idletime_secs 3
dpd_interval 4
dpd_retries 2"
	;;
esac
IKE_GLOBALS=$IKE_GLOBALS iop_iked_conf "$A" 198.51.100.1 198.51.100.2 \
    192.0.2.1 203.0.113.1
iop_charon_conf "$B"
SW_IKE_REKEY=$SW_IKE_REKEY SW_CHILD_REKEY=$SW_CHILD_REKEY \
    SW_CHILD_LIFE=$SW_CHILD_LIFE \
    iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A"
log=$A/iked.log

if [ "$mode" = rekey-peer ] || [ "$mode" = p1-life-peer ]; then
	iop_check "charon initiates the tunnel" \
	    iop_sw "$B" --initiate --ike v1 --child v1c --timeout 20
fi
iop_check "tunnel up, first ping passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15

case $mode in
rekey-iked)
	iop_check "ping every 0.2 s for 20 s through the rekeys: no loss" \
	    ping_no_loss 100
	iop_check "in.iked rekeyed at least three times" \
	    test "$(grep -c 'replaced by SPI' "$log")" -ge 3
	iop_check "in.iked deleted the replaced pairs" \
	    test "$(grep -c 'deleting the replaced pair' "$log")" -ge 2
	iop_check "charon got the Deletes" \
	    grep -q 'received DELETE for ESP CHILD_SA' "$B/charon.log"
	iop_check "charon holds at most two CHILD_SAs" \
	    test "$(charon_child_count)" -le 2
	;;
p1-renew-iked)
	iop_check "ping every 0.2 s for 32 s through both renewals: no loss" \
	    ping_no_loss 160
	iop_check "in.iked started three or more replacement Main Modes" \
	    test "$(grep -c 'Main Mode for its replacement started' "$log")" -ge 3
	iop_check "each replacement started before the old SA expired" \
	    iop_not grep -q 'removed: its lifetime ended' "$log"
	iop_check "in.iked deleted each replaced ISAKMP SA" \
	    test "$(grep -c 'removed: replaced by ISAKMP SA' "$log")" -ge 3
	iop_check "charon got the ISAKMP Deletes" \
	    grep -q 'received DELETE for IKE_SA' "$B/charon.log"
	iop_check "in.iked rekeyed the IPsec SAs five times or more" \
	    test "$(grep -c 'replaced by SPI' "$log")" -ge 5
	iop_check "IPsec SAs were removed only after their replacement" \
	    removed_only_replaced "$log"
	iop_check "charon moved the IPsec SAs to each new ISAKMP SA" \
	    test "$(grep -c 'detected reauth of existing IKE_SA, adopting [1-9]' \
	    "$B/charon.log")" -ge 3
	# Two while a replaced ISAKMP SA waits for its Delete.
	iop_check "charon holds at most two IKE_SAs" \
	    test "$(iop_sw "$B" --list-sas --raw 2>/dev/null |
	    grep -o 'state=ESTABLISHED' | wc -l)" -le 2
	iop_check "charon holds at most two CHILD_SAs" \
	    test "$(charon_child_count)" -le 2
	;;
p1-life-peer)
	iop_check "in.iked logs the lifetime it cut charon's proposal to" \
	    grep -Eq 'proposed a Phase 1 lifetime of [0-9]+ s; rule "peer" allows 12 s' "$log"
	iop_check "charon got the RESPONDER-LIFETIME" \
	    iop_wait_grep "$B/charon.log" 'received \(24576\) notify' 5
	iop_check "charon decrypted every Informational" \
	    iop_not grep -q 'INFORMATIONAL_V1 request .* processing failed' \
	    "$B/charon.log"
	iop_check "charon keeps the IKE_SA after the notify" \
	    test "$(iop_sw "$B" --list-sas --raw 2>/dev/null |
	    grep -o 'state=ESTABLISHED' | wc -l)" -eq 1
	iop_check "in.iked ends the ISAKMP SA after 12 s" \
	    iop_wait_grep "$log" 'removed: its lifetime ended' 20
	iop_check "traffic negotiates new SAs afterwards" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
	;;
rekey-peer)
	# charon renews Phase 1 every 10.8 to 12 s and the CHILD_SA every
	# 4.5 to 5 s, so 32 s of pings cross both kinds of rekey.
	iop_check "ping every 0.2 s for 32 s through the rekeys: no loss" \
	    ping_no_loss 160
	iop_check "charon rekeyed the CHILD_SA at least twice" \
	    test "$(grep -c 'IPsec SAs with .* installed' "$log")" -ge 3
	iop_check "charon renewed Phase 1 at least twice" \
	    iop_wait_count "$log" 'ISAKMP SA .* established' 3 20
	iop_check "a ping after the renewals passes" \
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
	;;
delete)
	iop_sw "$B" --terminate --ike v1 --timeout 10 >"$B/term.out" 2>&1
	iop_check "charon terminate: in.iked removes the IPsec SAs" \
	    iop_wait_grep "$log" 'IPsec SAs \(rule "peer"\) removed' 5
	iop_check "charon terminate: in.iked removes the ISAKMP SA" \
	    iop_wait_grep "$log" 'removed: the peer sent a Delete' 5
	iop_check "traffic renegotiates after the Delete" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
	ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
	if [ -x "$ikeadm" ]; then
		"$ikeadm" -R "$A" dump p1 >"$IOP_DIR/p1.out" 2>&1
		cookies=$(grep -Eo '0x[0-9a-f]{16}' "$IOP_DIR/p1.out" | head -n 2 |
		    tr '\n' ' ')
		"$ikeadm" -R "$A" del p1 $cookies >"$IOP_DIR/del.out" 2>&1
		iop_check "ikeadm del p1: charon gets the ISAKMP Delete" \
		    iop_wait_grep "$B/charon.log" 'received DELETE for IKE_SA' 5
		iop_check "traffic renegotiates after ikeadm del p1" \
		    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
	fi
	iop_check "before SIGTERM: charon has a CHILD_SA" \
	    test "$(charon_child_count)" -ge 1
	iop_check "before SIGTERM: in.iked's TUN device and route exist" \
	    test -n "$(iked_leftovers)"
	iop_stop "$IOP_IKED_PID"
	status=$?
	iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
	i=0
	while [ "$(charon_child_count)" -gt 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	iop_check "SIGTERM: charon's CHILD_SAs are gone" \
	    test "$(charon_child_count)" -eq 0
	iop_check "SIGTERM: charon's IKE_SA is gone" \
	    test "$(iop_sw "$B" --list-sas --raw 2>/dev/null |
	    grep -c ESTABLISHED)" -eq 0
	iop_check "SIGTERM: no TUN device, route or rule left in the namespace" \
	    test -z "$(iked_leftovers)"
	iop_summary
	exit
	;;
dpd)
	iop_check "idle tunnel: DPD probes are answered" \
	    iop_wait_count "$log" 'R-U-THERE-ACK [0-9]+ from' 2 10
	iop_check "idle tunnel: SAs kept while charon answers" \
	    iop_not grep -q 'answered none of' "$log"
	kill -KILL "$IOP_CHARON_PID"
	wait "$IOP_CHARON_PID" 2>/dev/null
	iop_check "charon killed: in.iked logs the DPD time-out" \
	    iop_wait_grep "$log" 'answered none of 2 DPD probes' 15
	iop_check "charon killed: in.iked removes the IPsec SAs" \
	    iop_wait_grep "$log" 'IPsec SAs \(rule "peer"\) removed' 5
	iop_check "charon killed: in.iked removes the ISAKMP SA" \
	    grep -q 'did not answer Dead Peer Detection' "$log"
	iop_charon_start "$IOP_NSB" "$B"
	iop_check "charon restarted: traffic negotiates a new tunnel" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
	;;
kbytes)
	iop_check "1000-byte pings every 0.1 s for 12 s: no loss" \
	    ping_no_loss 120 0.1 1000
	iop_check "the soft traffic limit made in.iked rekey twice or more" \
	    test "$(grep -c 'soft traffic limit: renegotiating' "$log")" -ge 2
	iop_check "in.iked deleted the replaced pairs" \
	    grep -q 'deleting the replaced pair' "$log"
	;;
kbytes-flood)
	ip netns exec "$IOP_NSA" ping -n -f -c 3000 -s 1000 -W 2 \
	    -I 192.0.2.1 203.0.113.1 >"$IOP_DIR/ping.out" 2>&1
	received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$IOP_DIR/ping.out")
	iop_check "flood of 3000 1000-byte pings through the rekeys: ${received:-0} back, none lost" \
	    [ "${received:-0}" -eq 3000 ]
	iop_check "the soft traffic limit made in.iked rekey three times or more" \
	    test "$(grep -c 'soft traffic limit: renegotiating' "$log")" -ge 3
	;;
idle)
	iop_check "idle tunnel: in.iked deletes the IPsec SAs" \
	    iop_wait_grep "$log" 'IPsec SAs \(rule "peer"\) removed' 10
	iop_check "idle tunnel: the log gives the idle time as the reason" \
	    grep -q 'IPsec SAs (rule "peer") with ESP SPI in 0x[0-9a-f]* idle for 3 seconds (p2_idletime_secs): deleting them' "$log"
	iop_check "idle tunnel: charon gets the Delete" \
	    iop_wait_grep "$B/charon.log" 'received DELETE for ESP CHILD_SA' 5
	iop_check "idle tunnel: the next packet negotiates anew" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
	iop_check "idle tunnel: a second Quick Mode ran" \
	    test "$(grep -c 'IPsec SAs with .* installed' "$log")" -ge 2
	;;
idle-restart)
	iop_check "idle tunnel: in.iked deletes the IPsec SAs" \
	    iop_wait_grep "$log" 'IPsec SAs \(rule "peer"\) removed' 10
	kill -KILL "$IOP_CHARON_PID"
	wait "$IOP_CHARON_PID" 2>/dev/null
	iop_charon_start "$IOP_NSB" "$B"
	# Longer than dpd_interval without a message on the ISAKMP SA.
	sleep 5
	iop_check "charon restarted: traffic negotiates a new tunnel" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 30
	iop_check "the silent ISAKMP SA got an R-U-THERE before a Quick Mode" \
	    grep -q 'R-U-THERE before the next Quick Mode' "$log"
	iop_check "the unanswered ISAKMP SA was replaced by a new Main Mode" \
	    grep -q 'is dead: new Main Mode started' "$log"
	iop_check "no Quick Mode timed out on the dead ISAKMP SA" \
	    iop_not grep -q 'Quick Mode .* timed out' "$log"
	;;
restart)
	kill -KILL "$IOP_CHARON_PID"
	wait "$IOP_CHARON_PID" 2>/dev/null
	iop_charon_start "$IOP_NSB" "$B"
	iop_check "restarted charon initiates" \
	    iop_sw "$B" --initiate --ike v1 --child v1c --timeout 20
	iop_check "in.iked honours INITIAL-CONTACT" \
	    grep -q 'INITIAL-CONTACT from .*removed [0-9]* older ISAKMP SAs and [1-9][0-9]* IPsec SA pairs' "$log"
	iop_check "in.iked removed the stale IPsec SAs" \
	    grep -q 'IPsec SAs (rule "peer") removed' "$log"
	iop_check "ping through the new tunnel" \
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
	iop_check "one ISAKMP SA and one CHILD_SA at charon" \
	    test "$(charon_child_count)" -eq 1
	;;
esac

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
