#!/bin/bash
# pluto_peer.sh INITIATOR: the engine (through ike_peer) against libreswan
# pluto, IKEv1 with a preshared key (AES-128, SHA-1, MODP-2048, PFS).
# INITIATOR is "engine" or "pluto".  pluto fails when it installs its
# ESP SA (this kernel has no ESP), and that log line comes only after it
# authenticated and accepted our Quick Mode message, so the checks stop
# there: engine -> our QM1 accepted; pluto -> our QM2 accepted.
initiator=${1:?usage: pluto_peer.sh engine|pluto}
IOP_NAME=ikl
. "${IKED_SOURCE:-$(dirname "$0")/../..}/tests/interop/lib.sh"

iop_require_root
iop_require_pluto
PEER=${IKED_BUILD:?set IKED_BUILD}/tests/ike/ike_peer
[ -x "$PEER" ] || iop_skip "ike_peer is not built"

iop_setup
iop_netns_pair
A=$IOP_DIR/engine P=$IOP_DIR/pluto
mkdir -p "$A" "$P"
cat >"$A/ike.config" <<EOC
retry_timer_init 0.5
p2_pfs 14
p1_xform { auth_method preshared oakley_group 14 auth_alg sha1 encr_alg aes(128..128) }
{
  label "to-pluto"
  local_addr 198.51.100.1
  remote_addr 198.51.100.2
}
EOC
cat >"$A/ike.preshared" <<EOC
{
  localidtype IP
  localid 198.51.100.1
  remoteidtype IP
  remoteid 198.51.100.2
  key "$IOP_PSK"
}
EOC
chmod 600 "$A/ike.preshared"
cat >"$A/ipsecinit.conf" <<EOC
{ tsrc 198.51.100.1 tdst 198.51.100.2 laddr 192.0.2.1 raddr 203.0.113.1 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha1 }
EOC
iop_pluto_conf "$P" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
iop_pluto_start "$IOP_NSB" "$P"

if [ "$initiator" = engine ]; then
	ip netns exec "$IOP_NSA" "$PEER" -a 198.51.100.1 -c "$A" \
	    -i to-pluto -t 30 >"$A/peer.log" 2>&1 &
	pid=$!
	iop_track $pid
	iop_check "pluto: Main Mode established (responder)" \
	    iop_wait_grep "$P/pluto.log" "IKE SA established" 10
	iop_check "pluto: accepted our Quick Mode proposal and identities" \
	    iop_wait_grep "$P/pluto.log" "the peer proposed: 203.0.113.1/32.*192.0.2.1/32" 10
	iop_check "pluto: reached its own SA install (after our QM1)" \
	    iop_wait_grep "$P/pluto.log" "Add SA esp.*Protocol not supported" 10
else
	ip netns exec "$IOP_NSA" "$PEER" -a 198.51.100.1 -c "$A" -t 30 \
	    >"$A/peer.log" 2>&1 &
	pid=$!
	iop_track $pid
	sleep 0.3
	timeout 15 "$IOP_LIBRESWAN/usr/libexec/ipsec/whack" \
	    --rundir "$P/run" --initiate --name v1 >"$P/whack.out" 2>&1
	iop_check "pluto: Main Mode established (initiator)" \
	    grep -q "IKE SA established" "$P/whack.out"
	iop_check "pluto: accepted our QM2 and reached its own SA install" \
	    grep -q "Add SA esp.*Protocol not supported" "$P/pluto.log"
	iop_check "engine: established the ISAKMP SA" \
	    grep -q "ISAKMP SA .* established" "$A/peer.log"
fi
iop_stop $pid
iop_summary
