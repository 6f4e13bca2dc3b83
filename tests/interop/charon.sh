#!/bin/bash
# charon.sh INITIATOR SUITE: in.iked against strongSwan charon
# (kernel-libipsec), IKEv1 Main Mode and Quick Mode with a preshared key.
#
#   INITIATOR  iked: a ping from in.iked's inner host triggers the
#              negotiation; peer: swanctl --initiate on charon's side
#   SUITE      aes128-sha1-modp2048 (with PFS), aes256-sha256-ecp256,
#              3des-md5-modp1024, aes128-sha256-x25519, aes128gcm16
#              (ESP AES-GCM, 16-byte ICV, with PFS), aes256gcm16, ipv6
#              (aes128-sha1-modp2048 over 2001:db8::), or wildcard
#              (aes128-sha1-modp2048 with local_addr 198.51.100.0/24, so
#              in.iked listens on 0.0.0.0 and picks the source by PKTINFO)
#
# Checks: charon lists the IKE SA ESTABLISHED and the child SA INSTALLED
# with the expected algorithms, a ping between the inner hosts passes,
# the SPIs match on both sides, and SIGTERM makes in.iked delete the SAs
# at the peer and exit 0.
initiator=${1:?usage: charon.sh iked|peer SUITE}
suite=${2:?usage: charon.sh iked|peer SUITE}
IOP_NAME=ch
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked

outer_a=198.51.100.1 outer_b=198.51.100.2
inner_a=192.0.2.1 inner_b=203.0.113.1
case $suite in
aes128-sha1-modp2048 | ipv6 | wildcard)
	IKE_ENCR="aes(128..128)" IKE_HASH=sha1 IKE_GROUP=14 P2_PFS=14
	ESP_ENCR="aes(128)" ESP_AUTH=hmac-sha1
	SW_IKE=aes128-sha1-modp2048 SW_ESP=aes128-sha1-modp2048
	expect="encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA1_96 dh-group=MODP_2048"
	[ "$suite" = wildcard ] && IKE_LOCAL_ADDR=198.51.100.0/24
	if [ "$suite" = ipv6 ]; then
		outer_a=2001:db8:1::1 outer_b=2001:db8:1::2
		inner_a=2001:db8:a::1 inner_b=2001:db8:b::1
	fi
	;;
aes256-sha256-ecp256)
	IKE_ENCR="aes(256..256)" IKE_HASH=sha256 IKE_GROUP=19 P2_PFS=19
	ESP_ENCR="aes(256)" ESP_AUTH=hmac-sha256
	SW_IKE=aes256-sha256-ecp256 SW_ESP=aes256-sha256-ecp256
	expect="encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_256_128 dh-group=ECP_256"
	;;
3des-md5-modp1024)
	IKE_ENCR=3des IKE_HASH=md5 IKE_GROUP=2 P2_PFS=2
	ESP_ENCR=3des ESP_AUTH=hmac-md5
	SW_IKE=3des-md5-modp1024 SW_ESP=3des-md5-modp1024
	expect="encr-alg=3DES_CBC integ-alg=HMAC_MD5_96 dh-group=MODP_1024"
	;;
aes128-sha256-x25519)
	IKE_ENCR="aes(128..128)" IKE_HASH=sha256 IKE_GROUP=31 P2_PFS=31
	ESP_ENCR="aes(128)" ESP_AUTH=hmac-sha256
	SW_IKE=aes128-sha256-x25519 SW_ESP=aes128-sha256-x25519
	expect="encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA2_256_128 dh-group=CURVE_25519"
	;;
aes128gcm16)
	IKE_ENCR="aes(128..128)" IKE_HASH=sha256 IKE_GROUP=14 P2_PFS=14
	ESP_ENCR="aes-gcm(128)" ESP_AUTH=any
	SW_IKE=aes128-sha256-modp2048 SW_ESP=aes128gcm16-modp2048
	expect="encr-alg=AES_GCM_16 encr-keysize=128 dh-group=MODP_2048"
	;;
aes256gcm16)
	IKE_ENCR="aes(256..256)" IKE_HASH=sha256 IKE_GROUP=19 P2_PFS=0
	ESP_ENCR="aes-gcm16(256)" ESP_AUTH=any
	SW_IKE=aes256-sha256-ecp256 SW_ESP=aes256gcm16
	expect="encr-alg=AES_GCM_16 encr-keysize=256"
	;;
*)
	echo "unknown suite $suite"
	exit 2
	;;
esac
export IKE_ENCR IKE_HASH IKE_GROUP P2_PFS ESP_ENCR ESP_AUTH SW_IKE SW_ESP \
    IKE_LOCAL_ADDR

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
iop_iked_conf "$A" $outer_a $outer_b $inner_a $inner_b
iop_charon_conf "$B"
iop_swanctl_conf "$B" $outer_b $outer_a $inner_b $inner_a
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A" -K "$A/keys"

if [ "$initiator" = iked ]; then
	iop_check "acquire starts the negotiation, first ping passes" \
	    iop_ping "$IOP_NSA" $inner_a $inner_b 15
else
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon initiates successfully" \
	    grep -q "completed successfully" "$B/initiate.out"
fi

iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
iop_check "charon: IKE SA ESTABLISHED" grep -q "state=ESTABLISHED" "$B/sas.out"
iop_check "charon: child SA INSTALLED" grep -q "state=INSTALLED" "$B/sas.out"
iop_check "charon: child SA algorithms $expect" \
    grep -q "child-sas.*$expect" "$B/sas.out"
iop_check "ping between the inner hosts" \
    iop_ping_ok "$IOP_NSA" $inner_a $inner_b
iop_check "ping in the other direction" \
    iop_ping_ok "$IOP_NSB" $inner_b $inner_a

read -r spi_in spi_out <<EOF
$(iop_sw_spis "$B")
EOF
# charon's inbound SPI is in.iked's outbound one, and the other way round.
iop_check "SPIs match: in.iked $outer_a -> $outer_b uses charon's spi-in ${spi_in:-none}" \
    grep -qi "\"$outer_a\",\"$outer_b\",\"0x${spi_in:-none}\"" "$A/keys/esp_sa"
iop_check "SPIs match: in.iked $outer_b -> $outer_a uses charon's spi-out ${spi_out:-none}" \
    grep -qi "\"$outer_b\",\"$outer_a\",\"0x${spi_out:-none}\"" "$A/keys/esp_sa"

iop_check "in.iked's log names the same SPIs" \
    grep -qi "ESP SPI in 0x${spi_out:-none} out 0x${spi_in:-none}" "$A/iked.log"

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_check "charon received in.iked's Delete" \
    iop_wait_grep "$B/charon.log" "received DELETE for (ESP CHILD_SA|IKE_SA)" 5
iop_summary
