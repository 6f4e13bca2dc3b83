#!/bin/bash
# certchain.sh MODE [INITIATOR] [rsa|ecdsa]: in.iked against strongSwan
# charon with certificates issued by a CA through an intermediate CA
# (tests/cert/mkpki.sh), trusted by in.iked through cert_root with the
# CRLs of both CAs, and by charon through its x509ca folder.
#
#   chain      Main Mode and Quick Mode either way (INITIATOR iked or
#              peer).  charon shows the SAs, a ping crosses the tunnel and
#              ikeadm dump p1 names the method and the peer's DN.
#   storecert  chain, but charon sends no CERT payload (send_cert = never),
#              so in.iked takes charon's certificate from publickeys.
#   revoked    charon presents a certificate the intermediate CA revoked.
#   expired    charon presents a certificate whose validity has passed.
#   remoteid   charon's valid certificate is not one the rule's remote_id
#              names.
#
# (An identity that its certificate does not carry cannot be had from
# charon, which picks the certificate by its identity; the engine tests
# change the ID payload in transit for that case.)
#
# In the last three charon initiates and in.iked must refuse: no SA on
# either side, the Notify named in in.iked's log and the reason with it.
mode=${1:?usage: certchain.sh chain|storecert|revoked|expired|remoteid [iked|peer] [rsa|ecdsa]}
initiator=${2:-peer}
keytype=${3:-ecdsa}
IOP_NAME=cc
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
command -v openssl >/dev/null 2>&1 || iop_skip "the openssl command is not installed"
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm

case $keytype in
rsa)	method=rsa_sig keyalg=rsa sig_log="RSA" dump="RSA signatures" ;;
ecdsa)	method=ecdsa_p256 keyalg=ec sig_log="ECDSA" dump="ECDSA P-256 signatures" ;;
*)	echo "unknown key type $keytype"; exit 2 ;;
esac
case $mode in
chain|storecert) peer_leaf=peer ;;
revoked)	peer_leaf=revoked initiator=peer ;;
expired)	peer_leaf=expired initiator=peer ;;
remoteid)	peer_leaf=peer initiator=peer ;;
*)		echo "unknown mode $mode"; exit 2 ;;
esac

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon P=$IOP_DIR/pki
mkdir -p "$A" "$B"
KEYALG=$keyalg sh "$(dirname "$0")/../cert/mkpki.sh" "$P" \
    >"$IOP_DIR/mkpki.log" 2>&1 || {
	# The cleanup removes IOP_DIR, so show the log before dying.
	cat "$IOP_DIR/mkpki.log" >&2
	iop_die "mkpki.sh failed (its output is above)"
}
dn_iked="C=US, O=Example, CN=gw.example.com"
case $peer_leaf in
peer)		dn_peer="C=US, O=Example, CN=peer.example.com" ;;
revoked)	dn_peer="C=US, O=Example, CN=old.example.com" ;;
expired)	dn_peer="C=US, O=Example, CN=expired.example.com" ;;
esac

# in.iked: its leaf and key as slot "mine", both CA certificates, the
# CRLs; the rule trusts what the intermediate CA issued.
IKE_GLOBALS="cert_root \"C=US, O=Example Trust, CN=Example Root CA\"" \
    iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
sed -i -e "s/auth_method preshared/auth_method $method/" \
    -e "s/^\tlabel \"peer\"/\tlabel \"peer\"\n\tlocal_id_type dn\n\tlocal_id \"SLOT=mine\"\n\tremote_id \"ISSUER=C=US, O=Example Trust, CN=Example Intermediate CA\"/" \
    "$A/etc/inet/ike/config"
: >"$A/etc/inet/secret/ike.preshared"
mkdir -p "$A/etc/inet/ike/publickeys" "$A/etc/inet/ike/crls" \
    "$A/etc/inet/secret/ike.privatekeys"
cp "$P/root.pem" "$A/etc/inet/ike/publickeys/root"
cp "$P/inter.pem" "$A/etc/inet/ike/publickeys/inter"
cp "$P/leaf.pem" "$A/etc/inet/ike/publickeys/mine"
cp "$P/root.crl" "$A/etc/inet/ike/crls/root"
cp "$P/inter.crl" "$A/etc/inet/ike/crls/inter"
install -m 600 "$P/leaf.key" "$A/etc/inet/secret/ike.privatekeys/mine"

# charon: the root CA only, because in.iked sends the intermediate CA
# after its own certificate; its leaf and key.
iop_charon_conf "$B"
sed -i 's/ pem pkcs1 / pem pkcs1 pkcs8 /' "$B/strongswan.conf"
cp "$P/root.pem" "$B/x509ca/"
cp "$P/$peer_leaf.pem" "$B/x509/peer.pem"
cp "$P/$peer_leaf.key" "$B/private/peer.key"
local_id=$dn_peer send_cert=ifasked
if [ "$mode" = storecert ]; then
	send_cert=never
	cp "$P/peer.pem" "$A/etc/inet/ike/publickeys/charon"
fi
if [ "$mode" = remoteid ]; then
	# The rule accepts one other peer only.
	sed -i 's/remote_id "ISSUER=.*"/remote_id "C=US, O=Example, CN=other.example.com"/' \
	    "$A/etc/inet/ike/config"
fi
cat >"$B/swanctl.conf" <<EOF
connections {
  v1 {
    version = 1
    local_addrs = 198.51.100.2
    remote_addrs = 198.51.100.1
    proposals = aes128-sha256-modp2048
    rekey_time = 4h
    dpd_delay = 0
    send_cert = $send_cert
    local { auth = pubkey
            certs = peer.pem
            id = "$local_id" }
    remote { auth = pubkey
             id = "$dn_iked" }
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
sed -i 's/auth_alg sha1/auth_alg sha256/' "$A/etc/inet/ike/config"
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A"

if [ "$mode" != chain ] && [ "$mode" != storecert ]; then
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 10 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon's initiation fails" \
	    iop_not grep -q "completed successfully" "$B/initiate.out"
	iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
	iop_check "charon: no IKE SA established" \
	    iop_not grep -q "state=ESTABLISHED" "$B/sas.out"
	"$ikeadm" -R "$A" dump p1 >"$IOP_DIR/p1.out" 2>&1
	iop_check "in.iked: no Phase 1 SA" \
	    iop_not grep -q "ACTIVE" "$IOP_DIR/p1.out"
	case $mode in
	revoked)
		iop_check "in.iked: the CRL revokes the certificate" \
		    grep -q "authentication failed.*is revoked by the CRL of \"C=US, O=Example Trust, CN=Example Intermediate CA\"" "$A/iked.log"
		notify=INVALID-CERTIFICATE ;;
	expired)
		iop_check "in.iked: the certificate has expired" \
		    grep -q "authentication failed.*expired on 2020-02-01" "$A/iked.log"
		notify=INVALID-CERTIFICATE ;;
	remoteid)
		iop_check "in.iked: the certificate is not the rule's remote_id" \
		    grep -q "authentication failed.*\"$dn_peer\" does not match the rule's remote_id" "$A/iked.log"
		notify=AUTHENTICATION-FAILED ;;
	esac
	iop_check "in.iked answers with $notify" \
	    grep -q "sent Notify $notify" "$A/iked.log"
	iop_stop "$IOP_IKED_PID"
	iop_summary
	exit
fi

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
iop_check "charon: in.iked authenticated with its CA-issued certificate" \
    grep -Eq "authentication of '$dn_iked' with $sig_log.* successful" "$B/charon.log"
iop_check "in.iked: charon authenticated through the chain" \
    grep -q "authenticated by .* signature with certificate \"C=US, O=Example, CN=peer.example.com\"" "$A/iked.log"
iop_check "ping between the inner hosts" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
if [ "$mode" = storecert ]; then
	iop_check "charon sent no certificate" \
	    iop_not grep -q "sending end entity cert" "$B/charon.log"
fi
"$ikeadm" -R "$A" dump p1 >"$IOP_DIR/p1.out" 2>&1
iop_check "ikeadm dump p1: $dump" \
    grep -q "Authentication method: $dump" "$IOP_DIR/p1.out"
iop_check "ikeadm dump p1: the peer's DN" \
    grep -q "REMID: C=US, O=Example, CN=peer.example.com" "$IOP_DIR/p1.out"
iop_check "ikeadm dump p1: our DN" \
    grep -q "LOCID: C=US, O=Example, CN=gw.example.com" "$IOP_DIR/p1.out"
iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
