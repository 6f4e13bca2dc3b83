#!/bin/bash
# robust.sh: hostile ISAKMP input against a running in.iked that keeps an
# established tunnel with strongSwan charon.
#
#   netns A  in.iked, 198.51.100.1 (veth0 to B), 192.0.2.129/26 (vatk to C)
#   netns B  charon, 198.51.100.2; tunnel 192.0.2.1 <-> 203.0.113.1
#   netns C  the attacker, 192.0.2.130/26: hostile.py, then libreswan pluto
#
# in.iked has a rule and a preshared key for the attacker's address too,
# so hostile.py can run its own Main Mode and send authenticated
# Informational and Quick Mode messages.  After every case hostile.py
# checks that in.iked still runs, that the charon tunnel passes a ping,
# that in.iked's log names the reason for the drop, that no ISAKMP SA
# appeared (ikeadm dump p1) and that no sanitizer reported an error.
#
#   robust.sh hostile   the crafted-message cases (hostile.py)
#   robust.sh known     only the cases that show known bugs (not registered;
#                       none at the moment)
#   robust.sh pluto     libreswan impairments against in.iked as responder
#   robust.sh replay    charon's Quick Mode message 1, captured and sent
#                       again from another port: the tunnel must stay.
#                       ROBUST_REPLAY_WAIT (seconds, default 3) sets when;
#                       in.iked keeps a Message ID for the life of the
#                       ISAKMP SA, and tests/ike covers the copy that comes
#                       after the finished exchange is freed (60 s).
IOP_NAME=rb
mode=${1:-hostile}
. "$(dirname "$0")/../interop/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
[ "$mode" = pluto ] && iop_require_pluto
command -v python3 >/dev/null 2>&1 || iop_skip "python3 is not installed"
command -v openssl >/dev/null 2>&1 ||
    iop_skip "the openssl command is not installed (hostile.py uses it for AES)"
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
[ -x "$ikeadm" ] || iop_skip "ikeadm not built at $ikeadm"
here=$(cd "$(dirname "$0")" && pwd)

iop_setup
iop_netns_pair
# hostile.py forges charon's address on the attacker's link.
iop_netns_attacker

A=$IOP_DIR/iked B=$IOP_DIR/charon C=$IOP_DIR/attacker
mkdir -p "$A" "$B" "$C"
iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
# The attacker's own rule, key and policy (192.0.2.1 <-> 192.0.2.200).
cat >>"$A/etc/inet/ike/config" <<CONF
{
	label "attacker"
	local_addr 198.51.100.1
	remote_addr 192.0.2.130
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha1 encr_alg aes(128..128) }
}
CONF
cat >>"$A/etc/inet/secret/ike.preshared" <<CONF
{
	localidtype IP
	localid 198.51.100.1
	remoteidtype IP
	remoteid 192.0.2.130
	key "$IOP_PSK"
}
CONF
cat >>"$A/etc/inet/ipsecinit.conf" <<CONF
{ tsrc 198.51.100.1 tdst 192.0.2.130 laddr 192.0.2.1/32 raddr 192.0.2.200/32 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha1 sa shared }
CONF

iop_charon_conf "$B"
iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
if [ "$mode" = replay ]; then
	iop_require_tshark
	iop_cap_start "$IOP_NSA" veth0 "$IOP_DIR/cap.pcapng"
fi
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A" -v
log=$A/iked.log

iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 \
    >"$B/initiate.out" 2>&1
iop_check "charon establishes the tunnel with in.iked" \
    grep -q "completed successfully" "$B/initiate.out" ||
    iop_die "no tunnel to test against (see $B/initiate.out)"
iop_check "the tunnel passes a ping before the attack" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1

read -r spi_in spi_out <<SPIS
$(iop_sw_spis "$B")
SPIS

case $mode in
hostile | known)
	ip netns exec "$IOP_NSC" python3 "$here/hostile.py" \
	    --target 198.51.100.1 --source 192.0.2.130 --psk "$IOP_PSK" \
	    --pid "$IOP_IKED_PID" --log "$log" --root "$A" \
	    --ikeadm "$ikeadm" --ping-ns "$IOP_NSA" \
	    --ping 192.0.2.1,203.0.113.1 --charon 198.51.100.2 \
	    --charon-spis "$spi_in,$spi_out" \
	    ${HOSTILE_CASES:+--cases "$HOSTILE_CASES"} \
	    $([ "$mode" = known ] && echo --known-bugs)
	st=$?
	iop_check "hostile.py: every case passed" [ $st -eq 0 ]
	# The Quick Mode flood leaves exchanges that time out during the run.
	if grep -Eq "Quick Mode [0-9a-f]{8} with 192.0.2.130\[500\] timed" \
	    "$log"; then
		iop_check "Quick Modes that timed out released their SPIs" \
		    grep -Eq "Quick Mode [0-9a-f]{8} released SPI" "$log"
	fi
	;;
pluto)
	. "$here/impair.sh"
	;;
replay)
	iop_cap_stop
	qm1=$(tshark -r "$IOP_DIR/cap.pcapng" -T fields -e udp.payload \
	    -Y 'ip.src == 198.51.100.2 && isakmp.exchangetype == 32' \
	    2>/dev/null | head -n 1 | tr -d ':')
	iop_check "charon's QM1 captured" [ -n "$qm1" ]
	sleep "${ROBUST_REPLAY_WAIT:-3}"
	ip netns exec "$IOP_NSC" python3 "$here/hostile.py" \
	    --target 198.51.100.1 --source 192.0.2.130 --psk x --pid 0 \
	    --log "$log" --root "$A" --ikeadm "$ikeadm" --ping-ns x --ping x,x \
	    --replay "$qm1" --replay-from 198.51.100.2:4501
	sleep 1
	iop_check "the replayed QM1 does not move charon's tunnel" \
	    iop_not grep -q "peer moved from 198.51.100.2\[4500\] to 198.51.100.2\[4501\]" "$log"
	iop_check "in.iked logs what it did with the replayed QM1" \
	    grep -Eq "retransmitted message from 198.51.100.2|Quick Mode [0-9a-f]{8} from 198.51.100.2\[4500\] dropped" "$log"
	;;
*)
	echo "unknown mode $mode"
	exit 2
	;;
esac

iop_check "in.iked still running" kill -0 "$IOP_IKED_PID"
iop_check "no sanitizer report in the log" \
    iop_not grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"
iop_check "the tunnel still passes a ping" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_check "no sanitizer report at exit" \
    iop_not grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"
iop_summary
