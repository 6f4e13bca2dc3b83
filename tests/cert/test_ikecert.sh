#!/bin/sh
# ikecert end to end: every subcommand and option, the files and modes it
# writes, its listings, and its errors.  Usage: test_ikecert.sh IKECERT
set -u

ikecert=$1
src=${IKED_SOURCE:-$(dirname "$0")/../..}
tmp=$(mktemp -d /tmp/iked-ikecert-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
pub=$root/etc/inet/ike/publickeys
keys=$root/etc/inet/secret/ike.privatekeys
crls=$root/etc/inet/ike/crls
failed=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

# ok DESCRIPTION COMMAND...: the command must succeed.
ok() {
	desc=$1
	shift
	checks=$((checks + 1))
	if ! "$@" > "$tmp/out" 2> "$tmp/err"; then
		fail "$desc: exit status $?"
		cat "$tmp/err" >&2
	fi
}

# bad DESCRIPTION PATTERN COMMAND...: the command must fail with exit
# status 1 and print PATTERN (grep -E) on stderr.
bad() {
	desc=$1 pattern=$2
	shift 2
	checks=$((checks + 1))
	"$@" > "$tmp/out" 2> "$tmp/err"
	st=$?
	if [ $st -ne 1 ]; then
		fail "$desc: exit status $st, expected 1"
	elif ! grep -Eq -- "$pattern" "$tmp/err"; then
		fail "$desc: stderr lacks \"$pattern\":"
		cat "$tmp/err" >&2
	fi
}

# has DESCRIPTION PATTERN FILE: FILE must contain PATTERN (grep -E).
has() {
	checks=$((checks + 1))
	grep -Eq -- "$2" "$3" || { fail "$1: \"$2\" not in $3"; cat "$3" >&2; }
}

lacks() {
	checks=$((checks + 1))
	! grep -Eq -- "$2" "$3" || fail "$1: \"$2\" found in $3"
}

mode_is() {
	checks=$((checks + 1))
	m=$(stat -c %a "$2")
	[ "$m" = "$3" ] || fail "$1: $2 has mode $m, expected $3"
}

ik() {
	"$ikecert" -R "$root" "$@"
}

# --- usage and PKCS#11 ---------------------------------------------------
bad "no arguments" "^Usage: ikecert \{ certdb \| certrldb \| certlocal \| tokens \} <options>$" "$ikecert"
bad "unknown subcommand" "unknown subcommand \"certfoo\"" ik certfoo
bad "tokens" "PKCS#11 tokens are not supported" ik tokens
bad "certlocal -T" "-T: PKCS#11 tokens are not supported" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -T mytoken
bad "certdb -U" "-U: PKCS#11 tokens are not supported" ik certdb -U 0
bad "certlocal without action" "Usage: ikecert certlocal" ik certlocal

# --- certlocal -ks --------------------------------------------------------
dn="C=US, O=Example\\, Inc., CN=gw.example.com"
ok "ks rsa-sha1" ik certlocal -ks -m 2048 -t rsa-sha1 -D "$dn" \
    -A IP=192.0.2.1 -A DNS=gw.example.com -A EMAIL=vpn@example.com \
    -A URI=https://gw.example.com/ -A "DN=CN=alt, O=Example" \
    -A RID=1.3.6.1.4.1.99999.1
cp "$tmp/out" "$tmp/gw.pem"
has "ks prints PEM" "^-----BEGIN CERTIFICATE-----" "$tmp/gw.pem"
has "ks messages" "Creating private key" "$tmp/err"
cmp -s "$tmp/gw.pem" "$pub/0" || fail "ks: stdout differs from $pub/0"
checks=$((checks + 1))
mode_is "key file" "$keys/0" 600
mode_is "key directory" "$keys" 700
mode_is "certificate file" "$pub/0" 644
openssl x509 -in "$pub/0" -noout -text > "$tmp/text" 2>&1
has "ks subject" "Subject: C = US, O = \"Example, Inc\.\", CN = gw\.example\.com" "$tmp/text"
has "ks self-signed" "Issuer: C = US, O = \"Example, Inc\.\", CN = gw\.example\.com" "$tmp/text"
has "ks signature" "sha1WithRSAEncryption" "$tmp/text"
has "ks key size" "Public-Key: \(2048 bit\)" "$tmp/text"
has "ks alt IP" "IP Address:192\.0\.2\.1" "$tmp/text"
has "ks alt DNS" "DNS:gw\.example\.com" "$tmp/text"
has "ks alt EMAIL" "email:vpn@example\.com" "$tmp/text"
has "ks alt URI" "URI:https://gw\.example\.com/" "$tmp/text"
has "ks alt DN" "DirName:.*CN ?= ?alt" "$tmp/text"
has "ks alt RID" "Registered ID:1\.3\.6\.1\.4\.1\.99999\.1" "$tmp/text"
openssl verify -CAfile "$pub/0" "$pub/0" > /dev/null 2>&1 ||
    fail "ks: openssl cannot verify the self-signed certificate"
checks=$((checks + 1))
openssl pkey -in "$keys/0" -check -noout > /dev/null 2>&1 ||
    fail "ks: private key fails openssl pkey -check"
checks=$((checks + 1))
# Default validity: four years from now.
end=$(openssl x509 -in "$pub/0" -noout -enddate | sed 's/.* \([0-9]\{4\}\) GMT/\1/')
[ "$end" = $(( $(date -u +%Y) + 4 )) ] || fail "ks: validity ends in $end"
checks=$((checks + 1))

ok "ks rsa-md5" ik certlocal -ks -m 1024 -t rsa-md5 -D "CN=md5.example.com"
openssl x509 -in "$pub/1" -noout -text > "$tmp/text"
has "rsa-md5 signature" "md5WithRSAEncryption" "$tmp/text"

ok "ks dsa-sha1" ik certlocal -ks -m 1024 -t dsa-sha1 -D "CN=dsa.example.com"
openssl x509 -in "$pub/2" -noout -text > "$tmp/text"
has "dsa-sha1 signature" "dsaWithSHA1|dsa_with_SHA1" "$tmp/text"
has "dsa-sha1 key" "Public-Key: \(1024 bit\)" "$tmp/text"

slot=3
for t in "ecdsa-sha256 256 P-256 ecdsa-with-SHA256" \
    "ecdsa-sha384 384 P-384 ecdsa-with-SHA384" \
    "ecdsa-sha512 521 P-521 ecdsa-with-SHA512"; do
	set -- $t
	ok "ks $1" ik certlocal -ks -m "$2" -t "$1" -D "CN=$1.example.com"
	openssl x509 -in "$pub/$slot" -noout -text > "$tmp/text"
	has "$1 curve" "NIST CURVE: $3" "$tmp/text"
	has "$1 signature" "$4" "$tmp/text"
	slot=$((slot + 1))
done
ok "ks ecdsa without -m" ik certlocal -ks -t ecdsa-sha256 -D "CN=ec.example.com"

ok "ks -f ber" ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=ber.example.com" -f ber
openssl x509 -inform DER -in "$tmp/out" -noout -subject > "$tmp/text" 2>&1
has "ks -f ber is DER" "CN ?= ?ber\.example\.com" "$tmp/text"
berslot=$(ls "$pub" | sort -n | tail -1)

# Validity: relative and absolute.
ok "ks expired" ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=old.example.com" \
    -S -2d -F -1d
openssl x509 -noout -checkend 0 < "$tmp/out" > /dev/null 2>&1 &&
    fail "-S -2d -F -1d: certificate has not expired"
checks=$((checks + 1))
ok "ks absolute dates" ik certlocal -ks -m 2048 -t rsa-sha1 \
    -D "CN=future.example.com" -S "2030-01-01" -F "2031-06-30 12:00:00"
openssl x509 -noout -startdate -enddate < "$tmp/out" > "$tmp/text"
has "absolute start" "notBefore=Jan  1 00:00:00 2030 GMT" "$tmp/text"
has "absolute end" "notAfter=Jun 30 12:00:00 2031 GMT" "$tmp/text"
ok "ks relative months" ik certlocal -ks -m 2048 -t rsa-sha1 \
    -D "CN=short.example.com" -F +1y6M
openssl x509 -noout -checkend $((365 * 86400)) < "$tmp/out" > /dev/null ||
    fail "-F +1y6M: certificate ends within a year"
checks=$((checks + 1))

# --- certlocal errors -----------------------------------------------------
n=$(ls "$keys" | wc -l)
bad "bad -m" "invalid RSA key size 1000" \
    ik certlocal -ks -m 1000 -t rsa-sha1 -D "CN=x"
bad "non-numeric -m" "invalid key size \"big\"" \
    ik certlocal -ks -m big -t rsa-sha1 -D "CN=x"
bad "ecdsa -m mismatch" "-t ecdsa-sha384 needs -m 384" \
    ik certlocal -ks -m 256 -t ecdsa-sha384 -D "CN=x"
bad "bad -t" "invalid key type \"rsa-sha3\"" \
    ik certlocal -ks -m 2048 -t rsa-sha3 -D "CN=x"
bad "missing -t" "-t type is required" ik certlocal -ks -m 2048 -D "CN=x"
bad "missing -m" "-m size is required" ik certlocal -ks -t rsa-sha1 -D "CN=x"
bad "missing -D" "-D dname is required" ik certlocal -ks -m 2048 -t rsa-sha1
bad "bad -D" "unknown DN attribute \"XYZ\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "XYZ=1"
lacks "bad -D: checked before the key" "Creating private key" "$tmp/err"
bad "bad -A" "invalid subjectAltName \"FOO=bar\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -A FOO=bar
lacks "bad -A: checked before the key" "Creating private key" "$tmp/err"
bad "bad -A IP" "subjectAltName \"IP=192.0.2.300\" failed" \
    ik certlocal -kc -m 2048 -t rsa-sha1 -D "CN=x" -A IP=192.0.2.300
lacks "bad -A IP: checked before the key" "Creating private key" "$tmp/err"
bad "bad -A DN" "unknown DN attribute \"XYZ\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -A "DN=XYZ=1"
lacks "bad -A DN: checked before the key" "Creating private key" "$tmp/err"
bad "bad -S" "invalid start time \"yesterday\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -S yesterday
bad "bad -F" "invalid end time \"\+3q\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -F +3q
bad "-F day not in its month" "invalid end time \"2027-02-30\" for -F: use" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -F 2027-02-30
bad "-S day not in its month" "invalid start time \"04/31/2027\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -S 04/31/2027
bad "-F before -S" "must be after its start" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -S +2d -F +1d
bad "bad -f" "invalid format \"xml\"" \
    ik certlocal -ks -m 2048 -t rsa-sha1 -D "CN=x" -f xml
bad "two actions" "give only one of" ik certlocal -ks -l
checks=$((checks + 1))
[ "$(ls "$keys" | wc -l)" = "$n" ] || fail "a failed -ks left a key behind"

# --- certlocal -kc ---------------------------------------------------------
ok "kc" ik certlocal -kc -m 2048 -t rsa-sha1 -D "C=US, CN=csr.example.com" \
    -A DNS=csr.example.com
cp "$tmp/out" "$tmp/csr.pem"
has "kc prints a request" "BEGIN CERTIFICATE REQUEST" "$tmp/csr.pem"
openssl req -in "$tmp/csr.pem" -verify -noout -text > "$tmp/text" 2>&1
has "kc request verifies" "verify OK|Certificate request self-signature verify OK" "$tmp/text"
has "kc request alt" "DNS:csr\.example\.com" "$tmp/text"
csrslot=$(sed -n 's/.*key in slot \([0-9]*\).*/\1/p' "$tmp/err")
checks=$((checks + 1))
[ -f "$keys/$csrslot" ] && [ ! -f "$pub/$csrslot" ] ||
    fail "kc: expected a key and no certificate in slot $csrslot"
mode_is "kc key file" "$keys/$csrslot" 600

# --- certlocal -l, -e, -r ---------------------------------------------------
ok "l" ik certlocal -l
has "l first key" "^Local ID Slot Name: 0   Key Type: rsa$" "$tmp/out"
has "l dsa key" "^Local ID Slot Name: 2   Key Type: dsa$" "$tmp/out"
has "l ec key" "^Local ID Slot Name: 3   Key Type: ecdsa$" "$tmp/out"
has "l size" "^	Key Size: 2048$" "$tmp/out"
has "l hash" "^	Public key hash: [0-9A-F]{32}$" "$tmp/out"
ok "l slot" ik certlocal -l 2
has "l slot 2" "Slot Name: 2 " "$tmp/out"
lacks "l slot only 2" "Slot Name: 0 " "$tmp/out"
ok "l -v" ik certlocal -l -v 0
has "l -v certificate" "\(Certificate in certdb slot 0\)" "$tmp/out"
ok "l -v request key" ik certlocal -l -v "$csrslot"
has "l -v no certificate" "\(No certificate in certdb\)" "$tmp/out"
bad "l missing slot" "no private key in slot 99" ik certlocal -l 99

ok "e" ik certlocal -e 0
has "e PEM" "BEGIN PRIVATE KEY" "$tmp/out"
cp "$tmp/out" "$tmp/key0.pem"
ok "e -f pkcs8" ik certlocal -e -f pkcs8 0
openssl pkey -inform DER -in "$tmp/out" -noout > /dev/null 2>&1 ||
    fail "e -f pkcs8: not a DER key"
checks=$((checks + 1))
cp "$tmp/out" "$tmp/key0.der"
bad "e missing slot" "no private key in slot 42" ik certlocal -e 42
bad "e without slot" "Usage: ikecert certlocal" ik certlocal -e
bad "e bad format" "invalid format \"ber\"" ik certlocal -e -f ber 0

# --- certlocal -a ---------------------------------------------------------
bad "a duplicate" "this key is already in slot 0" \
    sh -c "'$ikecert' -R '$root' certlocal -a < '$tmp/key0.pem'"
bad "a duplicate DER" "this key is already in slot 0" \
    sh -c "'$ikecert' -R '$root' certlocal -a < '$tmp/key0.der'"
bad "a garbage" "parsing the private key" \
    sh -c "echo garbage | '$ikecert' -R '$root' certlocal -a"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -aes128 -pass pass:secret -out "$tmp/enc.pem" 2>/dev/null
bad "a encrypted" "encrypted" \
    sh -c "'$ikecert' -R '$root' certlocal -a < '$tmp/enc.pem'"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$tmp/imp.pem" 2>/dev/null
ok "a PEM" sh -c "'$ikecert' -R '$root' certlocal -a < '$tmp/imp.pem'"
impslot=$(sed -n 's/.*imported to slot \([0-9]*\).*/\1/p' "$tmp/err")
mode_is "a key file" "$keys/$impslot" 600
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -outform DER -out "$tmp/imp.der" 2>/dev/null
ok "a PKCS#8 DER" sh -c "'$ikecert' -R '$root' certlocal -a < '$tmp/imp.der'"
ok "l after imports" ik certlocal -l "$impslot"

# --- certdb -a: imported key + openssl certificate share a slot -----------
openssl req -new -x509 -key "$tmp/imp.pem" -subj "/C=US/CN=imported.example.com" \
    -days 30 -out "$tmp/imp-cert.pem" 2>/dev/null
ok "certdb -a links to key" sh -c "'$ikecert' -R '$root' certdb -a < '$tmp/imp-cert.pem'"
has "certdb -a slot" "slot $impslot\)" "$tmp/err"
checks=$((checks + 1))
[ -f "$pub/$impslot" ] || fail "certdb -a: no certificate in slot $impslot"
bad "certdb -a duplicate" "this certificate is already in slot $impslot" \
    sh -c "'$ikecert' -R '$root' certdb -a < '$tmp/imp-cert.pem'"
openssl x509 -in "$tmp/imp-cert.pem" -outform DER -out "$tmp/imp-cert.der"
bad "certdb -a duplicate DER" "already in slot" \
    sh -c "'$ikecert' -R '$root' certdb -a < '$tmp/imp-cert.der'"
bad "certdb -a garbage" "parsing the PEM certificate" \
    sh -c "echo garbage | '$ikecert' -R '$root' certdb -a"

# The -kc request, signed by a CA, lands in the key's slot.
sh "$src/tests/cert/mkpki.sh" "$tmp/pki" || fail "mkpki.sh failed"
openssl x509 -req -in "$tmp/csr.pem" -CA "$tmp/pki/root.pem" \
    -CAkey "$tmp/pki/root.key" -set_serial 77 -days 30 \
    -out "$tmp/csr-cert.der" -outform DER 2>/dev/null
ok "certdb -a DER for kc key" sh -c "'$ikecert' -R '$root' certdb -a < '$tmp/csr-cert.der'"
has "certdb -a kc slot" "slot $csrslot\)" "$tmp/err"
ok "certdb -a CA" sh -c "'$ikecert' -R '$root' certdb -a < '$tmp/pki/root.pem'"
caslot=$(sed -n 's/.*(slot \([0-9]*\)).*/\1/p' "$tmp/err")

# --- certdb -l, -e, -r -------------------------------------------------------
ok "certdb -l" ik certdb -l
has "certdb -l slot" "^Certificate Slot Name: 0   Key Type: rsa$" "$tmp/out"
has "certdb -l key" "^	\(Private key in certlocal slot 0\)$" "$tmp/out"
has "certdb -l subject" "^	Subject Name: <C=US, O=Example\\\\, Inc\., CN=gw\.example\.com>$" "$tmp/out"
has "certdb -l size" "^	Key Size: 2048$" "$tmp/out"
ok "certdb -l -v" ik certdb -l -v "SLOT=0"
has "certdb -l -v issuer" "^	Issuer Name: <C=US, O=Example\\\\, Inc\., CN=gw\.example\.com>$" "$tmp/out"
has "certdb -l -v alt" "^	SubjectAltName: IP=192\.0\.2\.1$" "$tmp/out"
has "certdb -l -v alt DN" "^	SubjectAltName: DN=CN=alt, O=Example$" "$tmp/out"
has "certdb -l -v dates" "^	Not Valid After: " "$tmp/out"
lacks "certdb -l slot filter" "Slot Name: 1 " "$tmp/out"
for spec in "$dn" "cn=GW.example.com,o=example\\, inc.,c=us" \
    "CN=gw.example.com, O=Example\\, Inc., C=US" "SUBJECT=$dn" \
    "ISSUER=$dn" "IP=192.0.2.1" "192.0.2.1" "DNS=gw.example.com" \
    "gw.example.com" "EMAIL=vpn@example.com" "vpn@example.com" \
    "URI=https://gw.example.com/" "DN=CN=alt, O=Example" \
    "RID=1.3.6.1.4.1.99999.1" "SLOT=0" "0"; do
	ok "certdb -l \"$spec\"" ik certdb -l "$spec"
	has "certdb -l \"$spec\" finds slot 0" "^Certificate Slot Name: 0 " "$tmp/out"
	checks=$((checks + 1))
	[ "$(grep -c '^Certificate Slot' "$tmp/out")" = 1 ] ||
	    fail "certdb -l \"$spec\": more than one match"
done
ok "certdb -l ISSUER of CA" ik certdb -l "ISSUER=C=US, O=Example Trust, CN=Example Root CA"
has "certdb -l ISSUER finds two" "Slot Name: $csrslot " "$tmp/out"
has "certdb -l ISSUER finds CA" "Slot Name: $caslot " "$tmp/out"
ok "certdb -l exclusion" ik certdb -l "" "!ISSUER=C=US, O=Example Trust, CN=Example Root CA"
lacks "certdb -l exclusion" "Slot Name: $caslot " "$tmp/out"
has "certdb -l exclusion keeps" "Slot Name: 0 " "$tmp/out"
bad "certdb -l no match" "no certificate matches \"DNS=none.example.com\"" \
    ik certdb -l DNS=none.example.com
bad "certdb -l bad certspec" "invalid certspec" ik certdb -l "IP=300.1.1.1"
bad "certdb -r empty ISSUER=" "invalid certspec: empty DN: expected" \
    ik certdb -r "ISSUER="

ok "certdb -e" ik certdb -e "$dn"
cmp -s "$tmp/out" "$pub/0" || fail "certdb -e: output differs from the file"
checks=$((checks + 1))
ok "certdb -e -f ber" ik certdb -e -f ber SLOT=0
openssl x509 -inform DER -in "$tmp/out" -noout > /dev/null 2>&1 ||
    fail "certdb -e -f ber: not DER"
checks=$((checks + 1))
bad "certdb -e no match" "no certificate matches" ik certdb -e "CN=nobody"
bad "certdb -e without certspec" "Usage: ikecert certdb" ik certdb -e
bad "certdb -e bad format" "invalid format \"txt\"" ik certdb -e -f txt 0

ok "certdb -r" ik certdb -r "CN=md5.example.com"
checks=$((checks + 1))
[ ! -f "$pub/1" ] || fail "certdb -r: $pub/1 still exists"
bad "certdb -r again" "no certificate matches" ik certdb -r "CN=md5.example.com"

ok "certlocal -r" ik certlocal -r 1
checks=$((checks + 1))
[ ! -f "$keys/1" ] || fail "certlocal -r: $keys/1 still exists"
bad "certlocal -r missing" "no private key in slot 1" ik certlocal -r 1
bad "certlocal -r without slot" "Usage: ikecert certlocal" ik certlocal -r

# --- certrldb ------------------------------------------------------------------
ok "certrldb -a" sh -c "'$ikecert' -R '$root' certrldb -a < '$tmp/pki/inter.crl'"
has "certrldb -a slot" "slot 0" "$tmp/err"
mode_is "CRL file" "$crls/0" 644
bad "certrldb -a duplicate" "this CRL is already in slot 0" \
    sh -c "'$ikecert' -R '$root' certrldb -a < '$tmp/pki/inter.crl'"
openssl crl -in "$tmp/pki/root.crl" -outform DER -out "$tmp/root.crl.der"
ok "certrldb -a DER" sh -c "'$ikecert' -R '$root' certrldb -a < '$tmp/root.crl.der'"
bad "certrldb -a garbage" "parsing the CRL" \
    sh -c "echo garbage | '$ikecert' -R '$root' certrldb -a"
ok "certrldb -l" ik certrldb -l
has "certrldb -l slot" "^CRL Slot Name: 0$" "$tmp/out"
has "certrldb -l issuer" "^	Issuer Name: <C=US, O=Example Trust, CN=Example Intermediate CA>$" "$tmp/out"
has "certrldb -l second" "^CRL Slot Name: 1$" "$tmp/out"
ok "certrldb -l -v" ik certrldb -l -v "ISSUER=C=US, O=Example Trust, CN=Example Intermediate CA"
has "certrldb -l -v revoked" "^	Revoked certificates: 1$" "$tmp/out"
has "certrldb -l -v next" "^	Next Update: " "$tmp/out"
lacks "certrldb -l filter" "CRL Slot Name: 1" "$tmp/out"
ok "certrldb -e" ik certrldb -e "C=US, O=Example Trust, CN=Example Root CA"
openssl crl -in "$tmp/out" -noout > /dev/null 2>&1 || fail "certrldb -e: not PEM"
checks=$((checks + 1))
ok "certrldb -e -f ber" ik certrldb -e -f ber SLOT=1
cmp -s "$tmp/out" "$tmp/root.crl.der" || fail "certrldb -e -f ber: differs"
checks=$((checks + 1))
ok "certrldb -r" ik certrldb -r SLOT=0
checks=$((checks + 1))
[ ! -f "$crls/0" ] || fail "certrldb -r: $crls/0 still exists"
bad "certrldb -r no match" "no CRL matches" ik certrldb -r SLOT=0
bad "certrldb -e bad format" "certrldb: invalid format \"txt\" for -f: use pem or ber" \
    ik certrldb -e -f txt SLOT=1
bad "certrldb two actions" "certrldb: give only one of -a, -l, -e, -r" \
    ik certrldb -l -r SLOT=1
bad "certdb two actions" "certdb: give only one of -a, -l, -e, -r" \
    ik certdb -l -e SLOT=0

# --- -R keeps everything under the root ----------------------------------------
checks=$((checks + 1))
find "$tmp" -newer "$tmp/gw.pem" -type f | grep -v -e "^$root/" -e "^$tmp/pki/" \
    -e "^$tmp/out$" -e "^$tmp/err$" -e "^$tmp/text$" -e "^$tmp/[a-z0-9.-]*$" \
    > "$tmp/stray" || true
[ ! -s "$tmp/stray" ] || { fail "files outside the root:"; cat "$tmp/stray" >&2; }

# --- a store that cannot be read: the error names the folder and why -----------
broken=$tmp/broken
mkdir -p "$broken/etc/inet/ike" "$broken/etc/inet/secret"
: > "$broken/etc/inet/ike/publickeys"
: > "$broken/etc/inet/ike/crls"
: > "$broken/etc/inet/secret/ike.privatekeys"
bad "certdb -l unreadable" \
    "cannot read $broken/etc/inet/ike/publickeys: Not a directory" \
    "$ikecert" -R "$broken" certdb -l
bad "certrldb -l unreadable" \
    "cannot read $broken/etc/inet/ike/crls: Not a directory" \
    "$ikecert" -R "$broken" certrldb -l
bad "certlocal -l unreadable" \
    "cannot read $broken/etc/inet/secret/ike.privatekeys: Not a directory" \
    "$ikecert" -R "$broken" certlocal -l

echo "$checks checks, $failed failed"
[ "$failed" -eq 0 ]
