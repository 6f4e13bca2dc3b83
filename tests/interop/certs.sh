#!/bin/bash
# certs.sh iked|peer [rsa|ecdsa]: in.iked against strongSwan charon with
# signature authentication and self-signed certificates: RSA-2048
# (auth_method rsa_sig, the default) or ECDSA on P-256 with SHA-256
# (auth_method ecdsa_p256, RFC 4754).
#
# in.iked's key and certificate come from ikecert certlocal -ks; charon's
# from the openssl command.  Each side trusts the other's certificate
# directly: in.iked through cert_trust, charon as a CA of its own.
#
# Checks: the IKE SA is ESTABLISHED with public-key authentication on
# charon's side, the child SA is INSTALLED, a ping passes, and ikeadm
# dump certcache lists both certificates.
initiator=${1:?usage: certs.sh iked|peer [rsa|ecdsa]}
keytype=${2:-rsa}
IOP_NAME=ct
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
command -v openssl >/dev/null 2>&1 || iop_skip "the openssl command is not installed"
ikecert=${IKED_BUILD}/src/ikecert/ikecert
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
[ -x "$ikecert" ] || iop_skip "ikecert not built at $ikecert"

case $keytype in
rsa)
	method=rsa_sig ikecert_key="-m 2048 -t rsa-sha1"
	openssl_key="-newkey rsa:2048" sig_log="RSA"
	;;
ecdsa)
	method=ecdsa_p256 ikecert_key="-t ecdsa-sha256"
	openssl_key="-newkey ec -pkeyopt ec_paramgen_curve:P-256"
	sig_log="ECDSA"
	;;
*)
	echo "unknown key type $keytype"
	exit 2
	;;
esac
dn_a="C=US, O=Example, CN=iked-a"
dn_b="C=US, O=Example, CN=charon-b"

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
IKE_GLOBALS="cert_trust \"$dn_b\"" \
    iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
# The rule authenticates with certificates instead of the preshared key.
sed -i -e "s/auth_method preshared/auth_method $method/" \
    -e "s/^\tlabel \"peer\"/\tlabel \"peer\"\n\tlocal_id_type dn\n\tlocal_id \"$dn_a\"\n\tremote_id \"$dn_b\"/" \
    "$A/etc/inet/ike/config"
: >"$A/etc/inet/secret/ike.preshared"

"$ikecert" -R "$A" certlocal -ks $ikecert_key -D "$dn_a" \
    -A IP=198.51.100.1 >"$IOP_DIR/iked-cert.pem" 2>"$IOP_DIR/ikecert.log" ||
    iop_die "ikecert certlocal -ks failed (see $IOP_DIR/ikecert.log)"
sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$IOP_DIR/iked-cert.pem" \
    >"$IOP_DIR/iked.crt"

iop_charon_conf "$B"
sed -i 's/ pem pkcs1 / pem pkcs1 pkcs8 /' "$B/strongswan.conf"
openssl req -x509 $openssl_key -nodes -days 30 -sha256 \
    -subj "/C=US/O=Example/CN=charon-b" \
    -addext "subjectAltName=IP:198.51.100.2" \
    -keyout "$B/private/charon.key" -out "$B/x509/charon.crt" \
    >"$IOP_DIR/openssl.log" 2>&1 || iop_die "openssl req failed"
cp "$IOP_DIR/iked.crt" "$B/x509ca/iked.crt"
"$ikecert" -R "$A" certdb -a <"$B/x509/charon.crt" >>"$IOP_DIR/ikecert.log" 2>&1 ||
    iop_die "ikecert certdb -a failed (see $IOP_DIR/ikecert.log)"

cat >"$B/swanctl.conf" <<EOF
connections {
  v1 {
    version = 1
    local_addrs = 198.51.100.2
    remote_addrs = 198.51.100.1
    proposals = aes128-sha1-modp2048
    rekey_time = 4h
    dpd_delay = 0
    local { auth = pubkey
            certs = charon.crt
            id = "$dn_b" }
    remote { auth = pubkey
             id = "$dn_a" }
    children {
      v1c {
        mode = tunnel
        local_ts = 203.0.113.1/32
        remote_ts = 192.0.2.1/32
        esp_proposals = aes128-sha1-modp2048
        rekey_time = 1h
        life_time = 2h
        rand_time = 0
        start_action = none
      }
    }
  }
}
EOF
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A"

if [ "$initiator" = iked ]; then
	iop_check "acquire starts the negotiation, first ping passes" \
	    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
else
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon initiates successfully" \
	    grep -q "completed successfully" "$B/initiate.out"
fi

iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
iop_check "charon: IKE SA ESTABLISHED" grep -q "state=ESTABLISHED" "$B/sas.out"
iop_check "charon: child SA INSTALLED" grep -q "state=INSTALLED" "$B/sas.out"
iop_check "charon: peer authenticated with its certificate" \
    grep -Eq "authentication of '$dn_a' with $sig_log.* successful" "$B/charon.log"
iop_check "ping between the inner hosts" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
if [ -x "$ikeadm" ]; then
	"$ikeadm" -R "$A" dump certcache >"$IOP_DIR/certcache.out" 2>&1
	iop_check "ikeadm dump certcache: in.iked's own certificate" \
	    grep -q "CN=iked-a" "$IOP_DIR/certcache.out"
	iop_check "ikeadm dump certcache: charon's certificate" \
	    grep -q "CN=charon-b" "$IOP_DIR/certcache.out"
fi

iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
