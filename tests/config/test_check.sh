#!/bin/sh
# in.iked -c against file trees in a temporary root: the examples pass
# with a one-line summary, errors give "file:line: message" lines and
# exit 1, and -v shows every value with its source but no key bytes.
set -u

IKED=${IKED_BUILD:?set IKED_BUILD to the build root}/src/daemon/in.iked
DATA=${IKED_SOURCE:?set IKED_SOURCE to the source root}/tests/config/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# make_root DIR: the three example files, with the key file at mode 600.
make_root() {
	mkdir -p "$1/etc/inet/ike" "$1/etc/inet/secret"
	cp "$DATA/example.config" "$1/etc/inet/ike/config"
	cp "$DATA/example.preshared" "$1/etc/inet/secret/ike.preshared"
	chmod 600 "$1/etc/inet/secret/ike.preshared"
	cp "$DATA/example.ipsecinit" "$1/etc/inet/ipsecinit.conf"
}

# run ARGS...: in.iked -c ARGS, output in $tmp/out and $tmp/err, status
# in $rc.
run() {
	"$IKED" -c "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
}

expect_out() {
	grep -Eq -- "$1" "$tmp/out" || fail "stdout lacks /$1/: $(cat "$tmp/out")"
}

expect_err() {
	grep -Eq -- "$1" "$tmp/err" || fail "stderr lacks /$1/: $(cat "$tmp/err")"
}

# Every stderr line must read file:line: message.
expect_err_format() {
	if grep -Evq '^[^:]+:[0-9]+: .+' "$tmp/err"; then
		fail "stderr line not in file:line: form: $(cat "$tmp/err")"
	fi
}

# 1. The examples are valid.
good=$tmp/good
make_root "$good"
run -R "$good"
[ "$rc" -eq 0 ] || fail "examples: exit $rc: $(cat "$tmp/err")"
# The example tunnel entry has no rule for its outer addresses: a warning.
expect_err "ipsecinit.conf:14: warning: no rule has local_addr 198.51.100.1 and remote_addr 198.51.100.2 of this tunnel entry"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "examples: not 1 warning: $(cat "$tmp/err")"
expect_out "configuration valid: 2 rules, 2 global p1_xforms; 2 preshared keys; 7 policy entries"
[ "$(wc -l < "$tmp/out")" -eq 1 ] || fail "summary is not one line"

# 2. -v shows sources and hides keys.
run -v -R "$good"
[ "$rc" -eq 0 ] || fail "-v: exit $rc"
expect_out 'retry_timer_init +0\.500 s +\(file, line 3\)'
expect_out 'min_p1_lifetime +10 s +\(default\)'
expect_out 'p2_softlife_secs +3240 s +\(default\)'
expect_out 'p2_pfs +14 +\(global, line 10\)'
expect_out 'p2_lifetime_secs +1800 s +\(file, line 30\)'
expect_out 'pkcs11_path +libpkcs11\.so +\(default\)'
expect_out 'key \(hidden, 16 bytes\)'
expect_out 'key \(hidden, 30 bytes\)'
if grep -Eq '9f2c4e6a|battery' "$tmp/out"; then
	fail "-v output contains key bytes"
fi

# 3. Errors: one file:line: message per error, exit 1, nothing on stdout.
bad=$tmp/bad
make_root "$bad"
cat > "$bad/etc/inet/ike/config" <<'CONF'
retry_limit many
p1_xform { auth_method preshared oakley_group 13 encr_alg aes auth_alg sha1 }
{
	label "x"
	local_addr 192.0.2.1
	remote_addr 198.51.100.1
	p1_nonce_len 20
}
CONF
run -R "$bad"
[ "$rc" -eq 1 ] || fail "bad config: exit $rc"
[ -s "$tmp/out" ] && fail "bad config: stdout not empty"
expect_err_format
expect_err "$bad/etc/inet/ike/config:1: invalid retry_limit 'many'"
expect_err "$bad/etc/inet/ike/config:2: invalid oakley_group 13: expected one of 1 2 5 14"
expect_err "$bad/etc/inet/ike/config:7: p1_nonce_len is a global parameter"
[ "$(wc -l < "$tmp/err")" -eq 3 ] || fail "bad config: not 3 errors: $(cat "$tmp/err")"

# 4. -f replaces the config path only; keys and policy still come from -R.
run -f "$bad/etc/inet/ike/config" -R "$good"
[ "$rc" -eq 1 ] || fail "-f: exit $rc"
expect_err "^$bad/etc/inet/ike/config:1: "
run -f "$good/etc/inet/ike/config" -R "$bad"
[ "$rc" -eq 0 ] || fail "-f good config with -R: exit $rc: $(cat "$tmp/err")"

# 5. A key file that others may read is rejected with the fix.
chmod 644 "$good/etc/inet/secret/ike.preshared"
run -R "$good"
[ "$rc" -eq 1 ] || fail "mode 644: exit $rc"
expect_err "ike.preshared: file is readable or writable by group or others \(mode 0644\): run chmod 600 $good/etc/inet/secret/ike.preshared"
# The rejected file is not parsed: no messages about its contents.
cp "$good/etc/inet/secret/ike.preshared" "$tmp/keys.saved"
printf 'bogus 1\nmore 2\n' >> "$good/etc/inet/secret/ike.preshared"
run -R "$good"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "mode 644: not 1 error: $(cat "$tmp/err")"
cp "$tmp/keys.saved" "$good/etc/inet/secret/ike.preshared"
chmod 600 "$good/etc/inet/secret/ike.preshared"
# A symbolic link as key file is rejected without reading its target.
mv "$good/etc/inet/secret/ike.preshared" "$tmp/keys.target"
ln -s "$tmp/keys.target" "$good/etc/inet/secret/ike.preshared"
run -R "$good"
[ "$rc" -eq 1 ] || fail "symlinked key file: exit $rc"
expect_err "^$good/etc/inet/secret/ike.preshared: is a symbolic link, which is not followed for a key file: replace the link with the file itself"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "symlinked key file: not 1 error: $(cat "$tmp/err")"
rm "$good/etc/inet/secret/ike.preshared"
mv "$tmp/keys.target" "$good/etc/inet/secret/ike.preshared"

# 6. No ipsecinit.conf: valid, and the summary names the missing file.
rm "$good/etc/inet/ipsecinit.conf"
run -R "$good"
[ "$rc" -eq 0 ] || fail "no ipsecinit.conf: exit $rc: $(cat "$tmp/err")"
expect_out "no $good/etc/inet/ipsecinit.conf \(no IPsec policy\)"
expect_err "^$good/etc/inet/ipsecinit.conf: warning: file not found, so no IPsec policy is loaded"

# 7. No key file: an error only when a rule uses preshared keys.
rm "$good/etc/inet/secret/ike.preshared"
run -R "$good"
[ "$rc" -eq 1 ] || fail "no key file: exit $rc"
expect_err "config:15: rule \"gw-a to gw-b\" uses preshared authentication but $good/etc/inet/secret/ike.preshared does not exist"
cat > "$good/etc/inet/ike/config" <<'CONF'
{
	label "certificates only"
	local_addr 192.0.2.1
	remote_addr 198.51.100.0/24
	local_id_type dn
	local_id "CN=gw-a"
	remote_id "CN=gw-b"
	p1_xform { auth_method rsa_sig oakley_group 19 encr_alg aes auth_alg sha256 }
}
CONF
run -R "$good"
[ "$rc" -eq 0 ] || fail "certificate rules without key file: exit $rc: $(cat "$tmp/err")"
expect_out "no $good/etc/inet/secret/ike.preshared \(no rule needs it\)"

# 8. No config file at all.
run -R "$tmp/empty"
[ "$rc" -eq 1 ] || fail "no config: exit $rc"
expect_err "$tmp/empty/etc/inet/ike/config: file not found"

# 9. A host name that does not resolve is an error naming it.  The check
# runs in a new network namespace with no interface up, so the lookup
# cannot leave this machine.
if unshare --net true 2>/dev/null; then
	echo '{ raddr no-such-host.invalid } bypass { }' \
		> "$good/etc/inet/ipsecinit.conf"
	unshare --net "$IKED" -c -R "$good" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "unresolved name: exit $rc"
	expect_err "ipsecinit.conf:1: invalid raddr 'no-such-host.invalid': host name not resolved"
	echo '{ raddr localhost } bypass { }' > "$good/etc/inet/ipsecinit.conf"
	unshare --net "$IKED" -c -R "$good" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] || fail "localhost: exit $rc: $(cat "$tmp/err")"
else
	echo "note: unshare --net not permitted; name resolution not checked"
fi

# 10. A FIFO or other non-regular file is rejected at once, not read.
fifo=$tmp/fifo
make_root "$fifo"
mkfifo "$tmp/config.fifo"
timeout 10 "$IKED" -c -R "$fifo" -f "$tmp/config.fifo" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "FIFO config: exit $rc"
expect_err "$tmp/config.fifo: not a regular file"
for f in secret/ike.preshared ipsecinit.conf; do
	rm "$fifo/etc/inet/$f"
	mkfifo -m 600 "$fifo/etc/inet/$f"
	timeout 10 "$IKED" -c -R "$fifo" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "FIFO $f: exit $rc"
	expect_err "$fifo/etc/inet/$f: not a regular file"
	rm "$fifo/etc/inet/$f"
	touch "$fifo/etc/inet/$f"
	chmod 600 "$fifo/etc/inet/$f"
done

# 11. -h prints the usage to stdout and exits 0.
"$IKED" -h > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "-h: exit $rc"
expect_out "^usage: in.iked "
[ -s "$tmp/err" ] && fail "-h: stderr not empty: $(cat "$tmp/err")"

# An argument that is not an option is named before the usage.
"$IKED" extra-arg > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "extra argument: exit $rc"
expect_err "^in.iked: unexpected argument 'extra-arg': in.iked takes only options$"
expect_err "^usage: in.iked "

# 12. encr_auth_algs none is exactly "no integrity algorithm", not any.
none=$tmp/none
make_root "$none"
echo '{ laddr 192.0.2.10 raddr 198.51.100.20 } ipsec { encr_algs aes encr_auth_algs none }' \
	> "$none/etc/inet/ipsecinit.conf"
run -v -R "$none"
[ "$rc" -eq 0 ] || fail "encr_auth_algs none: exit $rc: $(cat "$tmp/err")"
expect_out "encr_algs +aes"
if grep -Eq "encr_auth_algs +any" "$tmp/out"; then
	fail "encr_auth_algs none shown as any: $(grep encr_auth "$tmp/out")"
fi

# 13. The examples of ipsecinit.conf(5) are valid and raise no warning.
man5=$IKED_SOURCE/man/ipsecinit.conf.5
ex=$tmp/manex
make_root "$ex"
awk '/^\.Sh EXAMPLES/ { f = 1 } /^\.Sh DIAGNOSTICS/ { f = 0 }
    f && /^\.Ed/ { b = 0 } f && b && !/in\.iked/ { print }
    f && /^\.Bd/ { b = 1 }' "$man5" > "$ex/etc/inet/ipsecinit.conf"
cat > "$ex/etc/inet/ike/config" <<'CONF'
p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }
{ label "host" local_addr 192.0.2.10 remote_addr 198.51.100.20 }
{ label "site" local_addr 198.51.100.1 remote_addr 198.51.100.2 }
{ label "road warriors" local_addr 198.51.100.1 remote_addr 203.0.113.0/24 }
CONF
cat >> "$ex/etc/inet/secret/ike.preshared" <<'PSK'
{ localid 198.51.100.1 remoteid 198.51.100.2 key 0011 }
{ localid 198.51.100.1 remoteid 203.0.113.0/24 key 2233 }
PSK
run -R "$ex"
[ "$rc" -eq 0 ] || fail "ipsecinit.conf(5) examples: exit $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "ipsecinit.conf(5) examples: $(cat "$tmp/err")"
expect_out "7 policy entries"

# 14. Warnings: printed as file:line: warning: ..., exit status still 0.
warn=$tmp/warn
make_root "$warn"
: > "$warn/etc/inet/ipsecinit.conf"
printf '# nothing\n' > "$warn/etc/inet/ike/config"
run -R "$warn"
[ "$rc" -eq 0 ] || fail "no rules: exit $rc: $(cat "$tmp/err")"
expect_err "^$warn/etc/inet/ike/config: warning: no rules: "
expect_out "configuration valid: 0 rules"
cat > "$warn/etc/inet/ike/config" <<'CONF'
p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }
p2_idletime_secs 7200
p2_lifetime_secs 3600
{
	label "first"
	local_addr 192.0.2.10
	remote_addr 198.51.100.20
}
{
	label "second"
	local_addr 192.0.2.10
	remote_addr 198.51.100.20
	p2_idletime_secs 60
}
{
	label "other"
	local_addr 192.0.2.10
	remote_addr 198.51.100.21
	p2_lifetime_secs 600
	p2_idletime_secs 900
}
{
	label "short"
	local_addr 192.0.2.10
	remote_addr 198.51.100.22
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha256
	    encr_alg aes p1_lifetime_secs 20 }
}
CONF
echo '{ tsrc 192.0.2.10 tdst 198.51.100.20 laddr 10.0.0.0/8 } ipsec { encr_algs aes encr_auth_algs sha1 }' \
	> "$warn/etc/inet/ipsecinit.conf"
echo '{ tsrc 192.0.2.10 tdst 198.51.100.0/24 laddr 10.0.0.0/8 } ipsec { encr_algs aes encr_auth_algs sha1 }' \
	>> "$warn/etc/inet/ipsecinit.conf"
echo '{ localid 192.0.2.10 remoteid 198.51.100.21 key 0011 }' \
	>> "$warn/etc/inet/secret/ike.preshared"
echo '{ localid 192.0.2.10 remoteid 198.51.100.22 key 0022 }' \
	>> "$warn/etc/inet/secret/ike.preshared"
chmod 777 "$warn/etc/inet/secret"
run -R "$warn"
[ "$rc" -eq 0 ] || fail "warnings: exit $rc: $(cat "$tmp/err")"
expect_err_format_warn() {
	if grep -Evq '^[^:]+(:[0-9]+)?: warning: .+' "$tmp/err"; then
		fail "stderr line not a warning: $(cat "$tmp/err")"
	fi
}
expect_err_format_warn
expect_err "config:9: warning: rule \"second\" is never used: rule \"first\" at line 4 has the same local_addr and remote_addr"
expect_err "config:2: warning: p2_idletime_secs 7200 is larger than p2_lifetime_secs 3600"
expect_err "config:20: warning: rule \"other\": p2_idletime_secs 900 is larger than p2_lifetime_secs 600"
expect_err "ipsecinit.conf:2: warning: no rule has local_addr 192.0.2.10 and remote_addr 198.51.100.0/24"
expect_err "config:27: warning: rule \"short\": p1_xform: p1_lifetime_secs 20 is shorter than 240 seconds: every Phase 1 renewal costs a Diffie-Hellman exchange"
expect_err "^$warn/etc/inet/secret: warning: folder of the key file is writable by group or others \(mode 0777\)"
[ "$(wc -l < "$tmp/err")" -eq 6 ] || fail "warnings: not 6: $(cat "$tmp/err")"
chmod 700 "$warn/etc/inet/secret"

# 15. A rule with public key encryption whose peer has no certificate in
# publickeys: a warning that names remote_id and how to import it.
pke=$tmp/pke
mkdir -p "$pke/etc/inet/ike" "$pke/etc/inet/secret" \
    "$pke/etc/inet/ike/publickeys"
cat > "$pke/etc/inet/ike/config" <<'EOF2'
p1_xform { auth_method rsa_encrypt oakley_group 14 encr_alg aes auth_alg sha256 }
{
	label "enc"
	local_addr 192.0.2.1
	remote_addr 198.51.100.1
	local_id_type dn
	local_id "CN=a.example.com"
	remote_id "CN=b.example.com"
}
EOF2
run -R "$pke"
[ "$rc" -eq 0 ] || fail "rsa_encrypt: exit $rc: $(cat "$tmp/err")"
expect_err_format_warn
expect_err "config:2: warning: rule \"enc\" uses rsa_encrypt but no certificate for the peer matching remote_id \"CN=b.example.com\" is in $pke/etc/inet/ike/publickeys: import it with ikecert certdb -a"

# 16. -v lists the policy entries in match order: bypass first, then the
# stronger entries, with file order kept between equals and across drop.
ord=$tmp/order
make_root "$ord"
cat > "$ord/etc/inet/ipsecinit.conf" <<'EOF2'
{ raddr 192.0.2.1 } ipsec { auth_algs sha1 }
{ raddr 192.0.2.2 } ipsec { encr_algs aes }
{ raddr 192.0.2.3 } bypass { }
{ raddr 192.0.2.4 } ipsec { auth_algs sha1 encr_algs aes }
{ raddr 192.0.2.5 } ipsec { encr_algs aes }
{ raddr 192.0.2.0/24 } drop { }
{ raddr 192.0.2.7 } ipsec { encr_algs aes }
EOF2
run -v -R "$ord"
[ "$rc" -eq 0 ] || fail "match order: exit $rc: $(cat "$tmp/err")"
order=$(sed -n 's/^policy entry (.*ipsecinit\.conf:\([0-9]*\)):$/\1/p' \
    "$tmp/out" | tr '\n' ' ')
[ "$order" = "3 4 2 5 1 6 7 " ] ||
    fail "match order: lines '$order', expected '3 4 2 5 1 6 7 '"

# 17. A preshared rule that no key entry matches: a warning that names
# the rule and its addresses.  An entry for a prefix that contains the
# addresses is a match.
psk=$tmp/psk
make_root "$psk"
cat > "$psk/etc/inet/ike/config" <<'EOF2'
p1_xform { auth_method preshared oakley_group 14 encr_alg aes auth_alg sha256 }
{
	label "covered"
	local_addr 192.0.2.10
	remote_addr 203.0.113.7
}
{
	label "keyless"
	local_addr 192.0.2.10
	remote_addr 198.51.100.99
}
EOF2
: > "$psk/etc/inet/ipsecinit.conf"
run -R "$psk"
[ "$rc" -eq 0 ] || fail "keyless rule: exit $rc: $(cat "$tmp/err")"
expect_err_format_warn
expect_err "config:7: warning: rule \"keyless\" \(local_addr 192.0.2.10, remote_addr 198.51.100.99\) uses preshared keys, but no entry of $psk/etc/inet/secret/ike.preshared has localid and remoteid addresses within these"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "keyless rule: not 1 warning: $(cat "$tmp/err")"

# 18. Policy: bypass without dir applies to both directions (no message),
# an exact repeat and an empty pattern give warnings naming the lines.
pol=$tmp/pol
make_root "$pol"
cat > "$pol/etc/inet/ipsecinit.conf" <<'EOF2'
{ laddr 192.0.2.10 raddr 198.51.100.20 } bypass { }
{ lport 53 } bypass { }
{ lport 53 } bypass { }
{ } ipsec { encr_algs aes encr_auth_algs sha1 }
EOF2
run -R "$pol"
[ "$rc" -eq 0 ] || fail "policy warnings: exit $rc: $(cat "$tmp/err")"
expect_err_format_warn
expect_err "ipsecinit.conf:3: warning: policy entry repeats the entry at line 2 exactly"
expect_err "ipsecinit.conf:4: warning: policy entry has an empty pattern"
[ "$(wc -l < "$tmp/err")" -eq 2 ] || fail "policy warnings: not 2: $(cat "$tmp/err")"

# 19. Policy: an entry is never used when an entry before it in match
# order has the same pattern and other actions.  Entries for different
# directions (apply and permit, a bypass for one direction) both apply.
sp=$tmp/samepat
make_root "$sp"
cat > "$sp/etc/inet/ipsecinit.conf" <<'EOF2'
{ raddr 198.51.100.20 } ipsec { encr_algs aes encr_auth_algs sha1 }
{ raddr 198.51.100.20 } ipsec { encr_algs 3des encr_auth_algs md5 }
{ raddr 198.51.100.30 } apply { encr_algs aes encr_auth_algs sha1 sa shared }
{ raddr 198.51.100.30 } permit { encr_algs aes encr_auth_algs sha1 }
{ raddr 198.51.100.40 } bypass { dir out }
{ raddr 198.51.100.40 } ipsec { encr_algs aes encr_auth_algs sha1 }
{ raddr 198.51.100.50 } ipsec { encr_algs aes encr_auth_algs sha1 }
{ raddr 198.51.100.50 } bypass { }
EOF2
run -R "$sp"
[ "$rc" -eq 0 ] || fail "same pattern: exit $rc: $(cat "$tmp/err")"
expect_err_format_warn
expect_err "ipsecinit.conf:2: warning: policy entry is never used: the entry at line 1 has the same pattern and comes first in match order"
expect_err "ipsecinit.conf:7: warning: policy entry is never used: the entry at line 8 has the same pattern"
[ "$(wc -l < "$tmp/err")" -eq 2 ] || fail "same pattern: not 2 warnings: $(cat "$tmp/err")"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all in.iked -c checks passed"
