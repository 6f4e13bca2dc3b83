#!/bin/bash
# charon_peer.sh INITIATOR [SW_IKE SW_ESP [dpd]]: the engine (through ike_peer)
# against strongSwan charon with kernel-libipsec, IKEv1 Main Mode and
# Quick Mode with a preshared key.  INITIATOR is "engine" or "charon".
# charon's libipsec fakes a NAT, so this also runs NAT-T (port float and
# UDP-encapsulated tunnel mode).  With "dpd", charon probes the engine
# with R-U-THERE every second (RFC 3706), which it must acknowledge.
# Needs root; skips (77) without charon.
initiator=${1:?usage: charon_peer.sh engine|charon [SW_IKE SW_ESP]}
export SW_IKE=${2:-aes128-sha1-modp2048} SW_ESP=${3:-aes128-sha1-modp2048}
dpd=${4:-}
IOP_NAME=ikp
. "${IKED_SOURCE:-$(dirname "$0")/../..}/tests/interop/lib.sh"

iop_require_root
iop_require_charon
PEER=${IKED_BUILD:?set IKED_BUILD}/tests/ike/ike_peer
[ -x "$PEER" ] || iop_skip "ike_peer is not built"

case $SW_IKE in
aes128-sha1-modp2048) X="oakley_group 14 auth_alg sha1 encr_alg aes(128..128)" ;;
aes256-sha256-ecp256) X="oakley_group 19 auth_alg sha256 encr_alg aes(256..256)" ;;
3des-md5-modp1024) X="oakley_group 2 auth_alg md5 encr_alg 3des" ;;
*) echo "unknown proposal $SW_IKE"; exit 2 ;;
esac
case $SW_ESP in
aes128-sha1-modp2048) E="encr_algs aes(128) encr_auth_algs hmac-sha1" P=14 ;;
aes128-sha1) E="encr_algs aes(128) encr_auth_algs hmac-sha1" P=0 ;;
aes256-sha256-ecp256) E="encr_algs aes(256) encr_auth_algs hmac-sha256" P=19 ;;
3des-md5-modp1024) E="encr_algs 3des encr_auth_algs hmac-md5" P=2 ;;
*) echo "unknown proposal $SW_ESP"; exit 2 ;;
esac

iop_setup
iop_netns_pair
A=$IOP_DIR/engine B=$IOP_DIR/charon
mkdir -p "$A" "$B"
cat >"$A/ike.config" <<EOC
retry_timer_init 0.5
p2_pfs $P
p1_xform { auth_method preshared $X }
{
  label "to-charon"
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
{ tsrc 198.51.100.1 tdst 198.51.100.2 laddr 192.0.2.1 raddr 203.0.113.1 } ipsec { $E }
EOC
iop_charon_conf "$B"
iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
[ "$dpd" = dpd ] && sed -i 's/dpd_delay = 0/dpd_delay = 1s/' "$B/swanctl.conf"
iop_charon_start "$IOP_NSB" "$B"

if [ "$initiator" = engine ]; then
	ip netns exec "$IOP_NSA" "$PEER" -a 198.51.100.1 -c "$A" \
	    -i to-charon -t 20 -K "$A" >"$A/peer.log" 2>&1 &
	pid=$!
	iop_track $pid
	iop_check "engine installs the IPsec SAs" \
	    iop_wait_grep "$A/peer.log" "IPsec SA pairs installed" 20
else
	ip netns exec "$IOP_NSA" "$PEER" -a 198.51.100.1 -c "$A" -t 30 \
	    -K "$A" >"$A/peer.log" 2>&1 &
	pid=$!
	iop_track $pid
	sleep 0.3
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon initiates successfully" \
	    grep -q "completed successfully" "$B/initiate.out"
fi
iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
iop_check "charon: IKE SA ESTABLISHED" grep -q "state=ESTABLISHED" "$B/sas.out"
iop_check "charon: child SA INSTALLED" grep -q "state=INSTALLED" "$B/sas.out"
read -r spi_in spi_out <<EOS
$(iop_sw_spis "$B")
EOS
iop_check "SPIs match: engine 198.51.100.1 -> .2 uses charon's spi-in ${spi_in:-none}" \
    grep -qi "\"198.51.100.1\",\"198.51.100.2\",\"0x${spi_in:-none}\"" "$A/esp_sa"
iop_check "SPIs match: engine .2 -> .1 uses charon's spi-out ${spi_out:-none}" \
    grep -qi "\"198.51.100.2\",\"198.51.100.1\",\"0x${spi_out:-none}\"" "$A/esp_sa"
if [ "$dpd" = dpd ]; then
	iop_check "charon sends R-U-THERE" \
	    iop_wait_grep "$B/charon.log" "generating INFORMATIONAL_V1 request .*N\(DPD\)" 10
	iop_check "engine acknowledges R-U-THERE" \
	    iop_wait_grep "$B/charon.log" "parsed INFORMATIONAL_V1 request .*N\(DPD_ACK\)" 10
fi
iop_stop $pid
iop_check "charon received the engine's Delete" \
    iop_wait_grep "$B/charon.log" "received DELETE for (ESP CHILD_SA|IKE_SA)" 5
iop_summary
