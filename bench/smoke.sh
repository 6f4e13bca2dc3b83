#!/bin/bash
# smoke.sh: ikeperf runs a few tunnels against in.iked (-B none) in two
# network namespaces, and every tunnel must complete on both sides.  It
# checks results only, never timings.  It needs root, and IKED_BUILD
# names the build.
IOP_NAME=bsmoke
. "$(dirname "$0")/../tests/interop/lib.sh"

iop_require_root
iop_require_iked
IKEPERF=$IKED_BUILD/bench/ikeperf
[ -x "$IKEPERF" ] || iop_skip "ikeperf not built at $IKEPERF"
N=8
PSK=smoke-psk-0123456789

iop_setup
iop_netns_pair
ip -n "$IOP_NSA" route add local 198.18.0.0/15 dev lo ||
    iop_die "cannot add the local route for 198.18.0.0/15"
ip -n "$IOP_NSB" route add 198.18.0.0/15 via 198.51.100.1 ||
    iop_die "cannot route 198.18.0.0/15 to the generator"

R=$IOP_DIR/r
iop_iked_root "$R"
cat >"$R/etc/inet/ike/config" <<CONF
p2_pfs 19
{
	label "load"
	local_addr 198.51.100.2
	remote_addr 198.18.0.0/15
	p1_xform { auth_method preshared oakley_group 19 auth_alg sha256 encr_alg aes(128..128) }
}
CONF
cat >"$R/etc/inet/secret/ike.preshared" <<CONF
{
	localidtype IP
	localid 198.51.100.2
	remoteidtype IP
	remoteid 198.18.0.0/15
	key "$PSK"
}
CONF
chmod 600 "$R/etc/inet/secret/ike.preshared"
cat >"$R/etc/inet/ipsecinit.conf" <<CONF
{ tsrc 198.51.100.2 tdst 198.18.0.0/15 laddr 203.0.113.1/32 raddr 198.19.0.0/16 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha256 sa shared }
CONF
IOP_BACKEND=none iop_iked_start "$IOP_NSB" "$R"

out=$(ip netns exec "$IOP_NSA" "$IKEPERF" -t 198.51.100.2 -k "$PSK" \
    -a 64 -n $N -c 4 -g 19 -f 19 -w 15000 -P "$IOP_IKED_PID" 2>&1)
echo "$out"
iop_check "ikeperf completed $N tunnels" \
    grep -q "^ikeperf: ok=$N fail=0 " <<<"$out"
iop_check "in.iked installed $N IPsec SA pairs" \
    iop_wait_count "$R/iked.log" 'IPsec SAs with 198\.18\.0\.[0-9]+.* installed' $N 5
iop_check "ikeperf reports the responder's memory" \
    iop_not grep -q "resp_rss_kb_end=0 " <<<"$out"
iop_summary
