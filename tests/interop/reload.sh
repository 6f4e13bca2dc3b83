#!/bin/bash
# reload.sh kept|removed: configuration reloads while a tunnel to
# strongSwan charon is up.
#
#   kept     a SIGHUP with an unchanged configuration keeps the SAs (same
#            SPIs, traffic keeps flowing), and ikeadm shows the ISAKMP SA;
#            a SIGHUP while one of the three files is missing fails and
#            keeps the SAs
#   removed  a SIGHUP that removes the rule deletes its ISAKMP SA and
#            IPsec SAs, at the peer too (charon lists none right after),
#            and the rule that replaces it negotiates new ones; a SIGHUP
#            with no rules then deletes those at the peer too
mode=${1:?usage: reload.sh kept|removed}
IOP_NAME=rl
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked

iop_setup
iop_charon_pair
pid=$IOP_IKED_PID
log=$A/iked.log

iop_check "tunnel up, first ping passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
spis_before=$(iop_sw_spis "$B")

ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
if [ -x "$ikeadm" ]; then
	"$ikeadm" -R "$A" dump p1 >"$IOP_DIR/p1.out" 2>&1
	iop_check "ikeadm dump p1: lists the ISAKMP SA with the peer" \
	    grep -q "198.51.100.2" "$IOP_DIR/p1.out"
	iop_check "ikeadm dump p1: counts the Quick Mode keyed from it" \
	    grep -q "keying material for IPsec SAs provided 1 times" \
	    "$IOP_DIR/p1.out"
	"$ikeadm" -R "$A" get stats >"$IOP_DIR/stats.out" 2>&1
	iop_check "ikeadm get stats: one initiator SA" \
	    grep -Eq "Current: +initiator: +1" "$IOP_DIR/stats.out"
fi

if [ "$mode" = kept ]; then
	kill -HUP "$pid"
	iop_check "unchanged reload: logged" \
	    iop_wait_grep "$log" "SIGHUP: configuration in use" 5
	iop_check "unchanged reload: ping still passes" \
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
	iop_check "unchanged reload: same SPIs (${spis_before:-none})" \
	    test "$(iop_sw_spis "$B")" = "${spis_before:-none}"
	iop_check "unchanged reload: no second negotiation" \
	    test "$(grep -c 'starting Main Mode' "$log")" -eq 1

	# A file read at start that is gone at the reload: the reload fails
	# with its name, and the SAs and the policy stay.
	for f in etc/inet/ipsecinit.conf etc/inet/secret/ike.preshared \
	    etc/inet/ike/config; do
		mv "$A/$f" "$A/$f.moved"
		kill -HUP "$pid"
		iop_check "$f moved away: reload fails naming it" \
		    iop_wait_grep "$log" "SIGHUP: $A/$f not found, but the running configuration was read from it: keeping the running configuration" 5
		iop_check "$f moved away: ping still passes" \
		    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
		iop_check "$f moved away: same SPIs" \
		    test "$(iop_sw_spis "$B")" = "${spis_before:-none}"
		mv "$A/$f.moved" "$A/$f"
	done
	iop_check "files moved away: no kernel policy removed" \
	    iop_not grep -q "configuration in use: .* 0 policy entries" "$log"
fi

# sas_gone DIR SECONDS: charon of DIR lists no IKE or CHILD SA in time.
sas_gone() {
	i=0
	while iop_sw "$1" --list-sas --raw 2>/dev/null | grep -q "state="; do
		i=$((i + 1))
		[ $i -gt $(($2 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

if [ "$mode" = removed ]; then
	# The same tunnel under another label: the SAs of "peer" lose their rule.
	sed -i 's/label "peer"/label "renamed"/' "$A/etc/inet/ike/config"
	kill -HUP "$pid"
	iop_check "rule removed: in.iked deletes its ISAKMP SA" \
	    iop_wait_grep "$log" "its rule is gone from the configuration" 5
	iop_check "rule removed: charon receives the Delete" \
	    iop_wait_grep "$B/charon.log" "received DELETE for (ESP CHILD_SA|IKE_SA)" 5
	iop_check "rule removed: in.iked removes the IPsec SAs of the rule" \
	    iop_wait_grep "$log" 'IPsec SAs \(rule "peer"\) removed' 5
	iop_check "rule removed: charon lists no SA any more" \
	    sas_gone "$B" 5
	iop_check "rule removed: no send without a UDP socket" \
	    iop_not grep -q "no UDP socket on" "$log"
	iop_check "rule removed: the renamed rule negotiates anew" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
	spis_after=$(iop_sw_spis "$B")
	iop_check "rule removed: new SPIs (${spis_after:-none})" \
	    test -n "$spis_after" -a "$spis_after" != "${spis_before:-none}"

	# No rules at all: a warning, then Deletes leave before the sockets
	# of the local address close.
	printf '# no rules\n' >"$A/etc/inet/ike/config"
	kill -HUP "$pid"
	iop_check "no rules: warning logged" \
	    iop_wait_grep "$log" "warning: $A/etc/inet/ike/config: no rules" 5
	iop_check "no rules: charon lists no SA any more" sas_gone "$B" 5
	iop_check "no rules: no send without a UDP socket" \
	    iop_not grep -q "no UDP socket on" "$log"
fi

iop_stop "$pid"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
