#!/bin/sh
# Build a small PKI under DIR with the openssl command, for the chain
# tests: a root CA, an intermediate CA, leaves (good, revoked, from an
# unknown CA), and the CRLs of both CAs.  Everything is made fresh on
# each run so that no certificate in the repository can expire.
#
#   DIR/root.pem inter.pem leaf.pem revoked.pem stranger.pem (+ keys)
#   DIR/peer.pem (a second good leaf) expired.pem (validity in 2020)
#   DIR/root.crl inter.crl
#
# KEYALG picks the keys: ec (P-256, the default), rsa (2048 bits) or
# ec384.
set -eu

dir=$1
mkdir -p "$dir"
cd "$dir"

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = .
database = $dir/$ENV::CA_NAME.index
new_certs_dir = $dir
serial = $dir/$ENV::CA_NAME.serial
crlnumber = $dir/$ENV::CA_NAME.crlnum
default_md = sha256
default_days = 30
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = copy
email_in_dn = no
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::ALT
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
CNF

export ALT="DNS:unused.example.com" CA_NAME=unused

newca() {
	: > "$1.index"
	echo 1000 > "$1.serial"
	echo 1000 > "$1.crlnum"
}

key() {
	case ${KEYALG:-ec} in
	rsa)	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out "$1.key" 2>/dev/null ;;
	ec384)	openssl genpkey -algorithm EC \
		    -pkeyopt ec_paramgen_curve:P-384 -out "$1.key" 2>/dev/null ;;
	*)	openssl genpkey -algorithm EC \
		    -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null ;;
	esac
}

# sign NAME SUBJECT CA-NAME EXTENSION [openssl ca options...]
sign() {
	name=$1 subj=$2 ca=$3 ext=$4
	shift 4
	key "$name"
	openssl req -new -key "$name.key" -subj "$subj" -config ca.cnf \
	    -out "$name.csr" 2>/dev/null
	CA_NAME=$ca openssl ca -batch -config ca.cnf -cert "$ca.pem" \
	    -keyfile "$ca.key" -extensions "$ext" -in "$name.csr" \
	    -out "$name.pem" -notext "$@" 2>/dev/null
}

selfsign() {
	name=$1 subj=$2
	newca "$name"
	key "$name"
	openssl req -new -x509 -key "$name.key" -subj "$subj" -days 60 \
	    -config ca.cnf -extensions v3_ca -out "$name.pem" 2>/dev/null
}

crl() {
	CA_NAME=$1 openssl ca -gencrl -config ca.cnf -cert "$1.pem" \
	    -keyfile "$1.key" -out "$1.crl" 2>/dev/null
}

selfsign root "/C=US/O=Example Trust/CN=Example Root CA"
newca inter
sign inter "/C=US/O=Example Trust/CN=Example Intermediate CA" root v3_ca
ALT="DNS:gw.example.com,IP:192.0.2.1,email:gw@example.com"
sign leaf "/C=US/O=Example/CN=gw.example.com" inter v3_leaf
ALT="DNS:old.example.com"
sign revoked "/C=US/O=Example/CN=old.example.com" inter v3_leaf
CA_NAME=inter openssl ca -config ca.cnf -cert inter.pem -keyfile inter.key \
    -revoke revoked.pem 2>/dev/null
ALT="DNS:peer.example.com,IP:203.0.113.1,email:peer@example.com"
sign peer "/C=US/O=Example/CN=peer.example.com" inter v3_leaf
ALT="DNS:expired.example.com,IP:192.0.2.3"
sign expired "/C=US/O=Example/CN=expired.example.com" inter v3_leaf \
    -startdate 20200101000000Z -enddate 20200201000000Z
selfsign other "/C=US/O=Other/CN=Other Root CA"
ALT="DNS:stranger.example.com"
sign stranger "/C=US/O=Other/CN=stranger.example.com" other v3_leaf
crl root
crl inter
