#!/bin/bash
# certiked.sh [dss|rsa|ecdsa|rsaenc|rsaencrev]: two in.iked daemons
# authenticate with self-signed certificates made by ikecert certlocal -ks,
# each trusting the other's through cert_trust.  DSS (auth_method dss_sig)
# and RSA encryption (rsa_encrypt and rsa_encrypt_rev, RFC 2409 sections
# 5.2 and 5.3) are tested here because strongSwan and libreswan implement
# neither.  Identities are FQDNs taken from the certificates'
# subjectAltName (local_id_type fqdn).
#
# Checks: a ping from A's inner host starts the negotiation and crosses
# the tunnel, both sides log the peer authenticated with the method, and
# ikeadm dump p1 names the method and the peer's FQDN.
keytype=${1:-dss}
IOP_NAME=ci
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_iked
ikecert=${IKED_BUILD}/src/ikecert/ikecert
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
[ -x "$ikecert" ] || iop_skip "ikecert not built at $ikecert"
[ -x "$ikeadm" ] || iop_skip "ikeadm not built at $ikeadm"

case $keytype in
dss)	method=dss_sig key="-m 2048 -t dsa-sha1" hash=sha1
	log="DSS signature" dump="DSS signatures" ;;
rsa)	method=rsa_sig key="-m 2048 -t rsa-sha1" hash=sha256
	log="RSA signature" dump="RSA signatures" ;;
ecdsa)	method=ecdsa_p256 key="-t ecdsa-sha256" hash=sha256
	log="ECDSA-256 signature" dump="ECDSA P-256 signatures" ;;
rsaenc)	method=rsa_encrypt key="-m 2048 -t rsa-sha1" hash=sha256
	log="RSA encryption" dump="RSA Encryption" ;;
rsaencrev) method=rsa_encrypt_rev key="-m 3072 -t rsa-sha1" hash=sha256
	log="revised RSA encryption" dump="Revised RSA Encryption" ;;
*)	echo "unknown key type $keytype"; exit 2 ;;
esac

iop_setup
iop_netns_pair
A=$IOP_DIR/a B=$IOP_DIR/b
mkdir -p "$A" "$B"
IKE_GLOBALS="cert_trust \"DNS=b.example.com\"" IKE_HASH=$hash \
    iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
IKE_GLOBALS="cert_trust \"DNS=a.example.com\"" IKE_HASH=$hash \
    iop_iked_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
for side in "a $A b" "b $B a"; do
	set -- $side
	sed -i -e "s/auth_method preshared/auth_method $method/" \
	    -e "s/^\tlabel \"peer\"/\tlabel \"peer\"\n\tlocal_id_type fqdn\n\tlocal_id \"DNS=$1.example.com\"\n\tremote_id \"DNS=$3.example.com\"/" \
	    "$2/etc/inet/ike/config"
	: >"$2/etc/inet/secret/ike.preshared"
	"$ikecert" -R "$2" certlocal -ks $key \
	    -D "C=US, O=Example, CN=$1.example.com" -A "DNS=$1.example.com" \
	    >"$IOP_DIR/$1.pem" 2>>"$IOP_DIR/ikecert.log" ||
	    iop_die "ikecert certlocal -ks failed (see $IOP_DIR/ikecert.log)"
done
"$ikecert" -R "$A" certdb -a <"$IOP_DIR/b.pem" >>"$IOP_DIR/ikecert.log" 2>&1 ||
    iop_die "ikecert certdb -a failed (see $IOP_DIR/ikecert.log)"
"$ikecert" -R "$B" certdb -a <"$IOP_DIR/a.pem" >>"$IOP_DIR/ikecert.log" 2>&1 ||
    iop_die "ikecert certdb -a failed (see $IOP_DIR/ikecert.log)"

iop_iked_start "$IOP_NSB" "$B"
pid_b=$IOP_IKED_PID
iop_iked_start "$IOP_NSA" "$A"
pid_a=$IOP_IKED_PID

iop_check "acquire starts the negotiation, first ping passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
iop_check "ping between the inner hosts" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
iop_check "A authenticated B with $log" \
    grep -q "peer 198.51.100.2\[500\] authenticated by $log" "$A/iked.log"
iop_check "B authenticated A with $log" \
    grep -q "peer 198.51.100.1\[500\] authenticated by $log" "$B/iked.log"
"$ikeadm" -R "$A" dump p1 >"$IOP_DIR/p1.out" 2>&1
iop_check "ikeadm dump p1: $dump" \
    grep -q "Authentication method: $dump" "$IOP_DIR/p1.out"
iop_check "ikeadm dump p1: B's FQDN" \
    grep -q "REMID: b.example.com" "$IOP_DIR/p1.out"

# B's certificate in A's store is replaced by one with a new key and the
# same name, as after a key rollover.  A SIGHUP then deletes the ISAKMP
# SA that B's old certificate authenticated.  Only the signature methods
# keep the peer's certificate on the SA.
case $method in
*_sig|ecdsa_*)
	mkdir -p "$IOP_DIR/b2"
	"$ikecert" -R "$IOP_DIR/b2" certlocal -ks $key \
	    -D "C=US, O=Example, CN=b.example.com" -A "DNS=b.example.com" \
	    >"$IOP_DIR/b2.pem" 2>>"$IOP_DIR/ikecert.log" ||
	    iop_die "ikecert certlocal -ks failed (see $IOP_DIR/ikecert.log)"
	"$ikecert" -R "$A" certdb -r "DNS=b.example.com" \
	    >>"$IOP_DIR/ikecert.log" 2>&1 ||
	    iop_die "ikecert certdb -r failed (see $IOP_DIR/ikecert.log)"
	"$ikecert" -R "$A" certdb -a <"$IOP_DIR/b2.pem" \
	    >>"$IOP_DIR/ikecert.log" 2>&1 ||
	    iop_die "ikecert certdb -a failed (see $IOP_DIR/ikecert.log)"
	kill -HUP "$pid_a"
	gone="changed at the reload: the peer's certificate no longer verifies"
	iop_check "reload with B's certificate replaced deletes the ISAKMP SA" \
	    iop_wait_grep "$A/iked.log" "$gone" 5
	;;
esac
iop_stop "$pid_a"
iop_check "A exits 0 on SIGTERM" [ $? -eq 0 ]
iop_stop "$pid_b"
iop_summary
