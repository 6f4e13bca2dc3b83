#!/bin/bash
# ikeadm.sh: every ikeadm command against a running in.iked that has a
# tunnel to strongSwan charon (kernel-libipsec).
#
# Checks, in order:
#  - get debug|priv|stats|defaults, set debug with a file and with a
#    change of the current level (-op), dbg rbdump;
#  - get and dump of p1, rule and preshared (addresses, cookies and the
#    four-token identity form); the preshared key and SKEYIDs only at
#    keymat (the encryption key equals the -K key log), masked by -p;
#  - -j output, one JSON object per line, valid UTF-8 also for a label
#    that is not;
#  - dump of groups, encralgs, authalgs and certcache, flush certcache;
#  - malformed requests written straight to the socket get error replies,
#    and the daemon and the tunnel keep working;
#  - read rule with a pipe still open for writing, and write rule into a
#    pipe, sent straight to the socket, fail at once, and ikeadm refuses
#    a FIFO;
#  - del p1 by cookies and by addresses, and flush p1: charon receives
#    the Delete and drops the IKE SA;
#  - read preshared after a key changed on disk: the old key fails, the
#    new one works;
#  - del rule, then add rule from stdin and a tunnel through the new rule;
#  - add preshared interactively and from a file, get and del preshared;
#    a second entry with the same ids is refused as a duplicate;
#  - write rule and write preshared (mode 0600, never over an existing
#    file) read back; add rule FILE; read preshared keeps added rules and
#    rejects a key file open to others; the parser's messages about a
#    file ikeadm sent come back naming that file;
#  - token and unknown commands rejected, also in help; a user other
#    than root is told that ikeadm needs root;
#  - denials after set priv base, and with in.iked -p 0;
#  - no sanitizer report in any output.
IOP_NAME=adm
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
[ -x "$ikeadm" ] || iop_skip "ikeadm not built at $ikeadm"
command -v python3 >/dev/null 2>&1 || iop_skip "python3 is not installed"

outer_a=198.51.100.1 outer_b=198.51.100.2
inner_a=192.0.2.1 inner_b=203.0.113.1
old_key=old-psk-0123456789 new_key=new-psk-9876543210
# The rule added with ikeadm uses AES-256 and SHA-256, so charon offers
# that transform too.
SW_IKE=aes128-sha1-modp2048,aes256-sha256-modp2048
PSK=$old_key SW_PSK=$old_key
export SW_IKE PSK SW_PSK

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon W=$IOP_DIR/out
mkdir -p "$A" "$B" "$W"
iop_iked_conf "$A" $outer_a $outer_b $inner_a $inner_b
iop_charon_conf "$B"
iop_swanctl_conf "$B" $outer_b $outer_a $inner_b $inner_a
iop_charon_start "$IOP_NSB" "$B"
# -K writes each Phase 1 encryption key, which dump p1 must show too.
iop_iked_start "$IOP_NSA" "$A" -p keymat -K "$A/keys"
log=$A/iked.log

# adm ARGS...: ikeadm against A, interactive without ARGS; stdout to
# $W/out, stderr to $W/err.  It runs in A's namespace, so that the name
# lookups of the address lines never leave it.
adm() {
	ip netns exec "$IOP_NSA" "$ikeadm" -R "$A" "$@" >"$W/out" 2>"$W/err"
	st=$?
	cat "$W/err" >>"$W/all.err"
	return $st
}

# json_lines FILE: every line is one JSON object, and there is one.
json_lines() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8", errors="strict"):
    if not isinstance(json.loads(line), dict):
        sys.exit(1)
    n += 1
sys.exit(0 if n > 0 else 1)
' "$1"
}

# ike_sa_count: IKE SAs charon lists.
ike_sa_count() {
	iop_sw "$B" --list-sas --raw 2>/dev/null | grep -c "state=ESTABLISHED"
}

# wait_no_ike_sa [SECONDS]: until charon lists no established IKE SA.
wait_no_ike_sa() {
	i=0
	while [ "$(ike_sa_count)" -ne 0 ]; do
		i=$((i + 1))
		[ $i -gt $((${1:-5} * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

iop_check "tunnel to charon: first ping passes" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 15

# ---- global objects
adm get priv
iop_check "get priv: keymat from -p keymat" \
    grep -q "Current privilege level is 0x2, access to keying material" "$W/out"
adm get stats
iop_check "get stats: one current initiator SA" \
    grep -Eq "^Current: +initiator: +1 " "$W/out"
iop_check "get stats: no PKCS#11 library line" \
    iop_not grep -q "PKCS#11" "$W/out"
adm get defaults
iop_check "get defaults: header" \
    grep -q "^Global defaults. Some values can be over-ridden" "$W/out"
iop_check "get defaults: p1_lifetime_secs row" \
    grep -Eq "^p1_lifetime_secs +default +28800 " "$W/out"
iop_check "get defaults: p2_pfs from the configuration" \
    grep -Eq "^p2_pfs +config +14 " "$W/out"
iop_check "get defaults: IKE port number 500" \
    grep -Eq "^- +default +500 .*IKE port" "$W/out"

adm set debug op+phase1 "$W/debug.log"
iop_check "set debug FILE: level changed to 0xc" \
    grep -Eq "Successfully changed debug level from 0x[0-9a-f]+ to 0xc$" "$W/out"
iop_check "set debug FILE: the file is created mode 0600" \
    test "$(stat -c %a "$W/debug.log")" = 600
adm get debug
iop_check "get debug: 0xc, operational and Phase 1" \
    grep -q "Current debug level is 0xc" "$W/out"
iop_check "dbg rbdump: succeeds" adm dbg rbdump
iop_check "dbg rbdump: the rule base goes to the debug file" \
    iop_wait_grep "$W/debug.log" 'rule base: .*peer' 5
adm set debug -op
iop_check "set debug -op: operational is turned off" \
    grep -q "Successfully changed debug level from 0xc to 0x8$" "$W/out"
adm set debug 0
iop_check "set debug 0: back to no categories" \
    grep -q "No debug categories enabled." "$W/out"

# ---- Phase 1 SAs
adm dump p1
iop_check "dump p1: one ACTIVE SA with charon" \
    grep -q "IKESA: Current state is ACTIVE" "$W/out"
iop_check "dump p1: the local host is the initiator" \
    grep -q "IKESA: The local host is the initiator." "$W/out"
iop_check "dump p1: ends with its completion line" \
    grep -q "^Completed dump of phase 1 SA info" "$W/out"
iop_check "dump p1: the preshared key at keymat" \
    grep -q "^KEY:   Pre-shared key (18 bytes): $(printf %s "$old_key" | od -An -tx1 | tr -d ' \n')/144" "$W/out"
read -r icookie rcookie <<EOF
$(sed -n 's/^IKESA: Cookies: Initiator \(0x[0-9a-f]*\)  Responder \(0x[0-9a-f]*\)$/\1 \2/p' "$W/out" | head -n 1)
EOF
iop_check "dump p1: SKEYID_d of SHA-1 at keymat" \
    grep -Eq "^KEY:   SKEYID_d \(20 bytes\): [0-9a-f]{40}/160$" "$W/out"
enc=$(grep -i "^${icookie#0x}," "$A/keys/ikev1_decryption_table" | cut -d, -f2)
iop_check "dump p1: the encryption key of the -K key log" \
    grep -q "^KEY:   Encryption key (16 bytes): ${enc:-none}/128$" "$W/out"
adm -p dump p1
iop_check "dump p1 -p: key bytes print as XX" \
    grep -q "^KEY:   Pre-shared key (18 bytes): \(XX\)\{18\}/144" "$W/out"
iop_check "dump p1 -p: SKEYID bytes print as XX" \
    grep -q "^KEY:   SKEYID (20 bytes): \(XX\)\{20\}/160" "$W/out"
adm get p1 $outer_a $outer_b
iop_check "get p1 by addresses: the same SA" grep -q "$icookie" "$W/out"
adm get p1 "${icookie:-0x1}" "${rcookie:-0x1}"
iop_check "get p1 by cookies: found" \
    grep -q "IKESA: Current state is ACTIVE" "$W/out"
adm -n get p1 $outer_a $outer_b
iop_check "get p1 -n: no name in the address lines" \
    grep -Eq "^REMIP: AF_INET: port [0-9]+, $outer_b\.$" "$W/out"
iop_check "get p1 of unknown addresses: exit status 1" \
    iop_not adm get p1 $outer_a 198.51.100.77
iop_check "get p1 of unknown addresses: not found" \
    grep -q "^Could not find requested phase 1 SA.$" "$W/err"
iop_check "get p1 of unknown cookies: exit status 1" \
    iop_not adm get p1 0x1 0x2

# ---- rules and preshared keys
adm get rule peer
iop_check "get rule: the rule" grep -q "GLOBL: Label 'peer'" "$W/out"
iop_check "get rule of an unknown label: exit status 1" \
    iop_not adm get rule nosuch
iop_check "get rule of an unknown label: not found" \
    grep -q "^Could not find requested policy rule.$" "$W/err"
adm dump rule
iop_check "dump rule: the rule and the completion line" \
    grep -q "^Completed dump of policy rules" "$W/out"
adm get preshared $outer_a $outer_b
iop_check "get preshared by addresses: the entry with its key" \
    grep -q "PSKEY: Pre-shared key (18 bytes)" "$W/out"
adm get preshared ip $outer_a IPv4 $outer_b
iop_check "get preshared by identities: the entry" \
    grep -q "PSKEY: For main mode" "$W/out"
iop_check "get preshared of unknown identities: exit status 1" \
    iop_not adm get preshared fqdn a.example fqdn b.example
iop_check "get preshared of unknown identities: not found" \
    grep -q "^Could not find requested preshared key.$" "$W/err"
adm -p dump preshared
iop_check "dump preshared -p: key bytes print as XX" \
    grep -q "PSKEY: Pre-shared key (18 bytes): \(XX\)\{18\}/144" "$W/out"

# ---- algorithms and the certificate cache
adm dump groups
iop_check "dump groups: header and group 14" \
    grep -q "^List of Diffie-Hellman groups for setting up IKE SAs" "$W/out"
iop_check "dump groups: completion line" \
    grep -q "^Completed dump of groups" "$W/out"
adm dump encralgs
iop_check "dump encralgs: header" \
    grep -q "^List of encryption algorithms for IKE" "$W/out"
adm dump authalgs
iop_check "dump authalgs: header" \
    grep -q "^List of authentication algorithms for IKE" "$W/out"
adm dump certcache
iop_check "dump certcache: completes on an empty cache" \
    grep -q "^Completed dump of certcache" "$W/out"
adm flush certcache
iop_check "flush certcache: status line" \
    grep -q "^Successfully flushed cert cache.$" "$W/err"

# ---- JSON lines
for c in "get stats" "get defaults" "get debug" "get priv" "dump p1" \
    "get p1 $outer_a $outer_b" "dump rule" "get rule peer" \
    "dump preshared" "get preshared $outer_a $outer_b" "dump groups" \
    "dump encralgs" "dump authalgs"; do
	# shellcheck disable=SC2086
	adm -j $c
	cp "$W/out" "$W/json.out"
	iop_check "-j $c: one JSON object per line" json_lines "$W/json.out"
done

# A label that is no UTF-8 (in.iked takes any byte) still gives JSON.
printf '{\n\tlabel "bin\377\300\257"\n\tlocal_addr %s\n\tremote_addr 198.51.100.6\n\tp1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }\n}\n' \
    $outer_a >"$W/rule.bin"
iop_check "add rule with a label of invalid UTF-8" adm add rule "$W/rule.bin"
adm -j dump rule
cp "$W/out" "$W/json.out"
iop_check "-j dump rule: valid UTF-8 JSON with that label" \
    json_lines "$W/json.out"
iop_check "-j dump rule: invalid bytes print as U+FFFD" \
    grep -q '"label":"bin\\ufffd\\ufffd\\ufffd"' "$W/json.out"
iop_check "del rule of the invalid UTF-8 label" \
    adm del rule "$(printf 'bin\377\300\257')"

# ---- malformed requests straight to the socket
cat >"$W/bad.py" <<'EOF'
# Each request is one datagram; each must get an ERROR reply (command 30).
import socket, struct, sys

def req(cmd, body=b"", length=None, version=2):
    n = 8 + len(body) if length is None else length
    return struct.pack(">BBHI", version, cmd, 0, n) + body

def field(tag, value):
    return struct.pack(">HH", tag, len(value)) + value

cases = {
    "short header": b"\x02\x00\x00",
    "bad length": req(0, length=100),
    "bad version": req(0, version=9),
    "unknown command": req(0x7f),
    "token command": req(23),
    "bad cursor": req(7, field(1, struct.pack(">I", 4000))),
    "dump without cursor": req(7),
    "cursor on a get": req(0, field(1, struct.pack(">I", 0))),
    "truncated field": req(7, b"\x00\x01\x00\x04\x00"),
}
failed = 0
for name, data in cases.items():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.send(data)
    rep = s.recv(65536)
    s.close()
    ok = len(rep) >= 8 and rep[1] == 30
    print("%s: %s" % (name, "error reply" if ok else "no error reply"))
    failed += not ok
sys.exit(1 if failed else 0)
EOF
python3 "$W/bad.py" "$A/var/run/ike_door" >"$W/bad.out" 2>&1
for c in "short header" "bad length" "bad version" "unknown command" \
    "token command" "bad cursor" "dump without cursor" "cursor on a get" \
    "truncated field"; do
	iop_check "malformed request, $c: error reply" \
	    grep -q "^$c: error reply" "$W/bad.out"
done
iop_check "malformed requests: in.iked still runs" kill -0 "$IOP_IKED_PID"
iop_check "malformed requests: the tunnel still passes traffic" \
    iop_ping_ok "$IOP_NSA" $inner_a $inner_b
iop_check "malformed requests: ikeadm still works" adm get stats

# ---- files that would block the daemon: pipes sent straight to the
# socket, one still open for writing to read and one to write, and a FIFO
# named to ikeadm
cat >"$W/pipe.py" <<'EOF'
# READ_RULES (command 13) with the read end of a pipe whose write end
# stays open: in.iked must reply with an ERROR (command 30) at once.
import os, socket, struct, sys

def field(tag, value):
    return struct.pack(">HH", tag, len(value)) + value

body = field(6, b"open pipe") + field(7, struct.pack(">I", 1))
r, w = os.pipe()
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
socket.send_fds(s, [struct.pack(">BBHI", 2, 13, 0, 8 + len(body)) + body],
                [r])
try:
    rep = s.recv(65536)
except socket.timeout:
    rep = b""
print("read: " + ("error reply" if len(rep) >= 8 and rep[1] == 30 else
                  "no error reply"))

# WRITE_RULES (command 14) into a pipe: refused, nothing written.
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
body = field(6, b"pipe") + field(7, struct.pack(">I", 1))
socket.send_fds(s, [struct.pack(">BBHI", 2, 14, 0, 8 + len(body)) + body],
                [w])
try:
    rep = s.recv(65536)
except socket.timeout:
    rep = b""
os.close(w)
print("write: " + ("error reply" if len(rep) >= 8 and rep[1] == 30 else
                   "no error reply"))
try:
    n = len(os.read(r, 65536))  # in.iked made r non-blocking
except BlockingIOError:
    n = 0
print("write: %d bytes in the pipe" % n)
EOF
python3 "$W/pipe.py" "$A/var/run/ike_door" >"$W/pipe.out" 2>&1
iop_check "read rule, pipe open for writing: error reply" \
    grep -q "^read: error reply" "$W/pipe.out"
iop_check "write rule into a pipe: error reply" \
    grep -q "^write: error reply" "$W/pipe.out"
iop_check "write rule into a pipe: nothing written" \
    grep -q "^write: 0 bytes in the pipe" "$W/pipe.out"
iop_check "read rule, pipe open for writing: the reason is logged" \
    grep -q "open pipe: pipe has no more data but is still open" "$log"
mkfifo -m 600 "$W/fifo"
iop_check "read rule FIFO: refused" iop_not adm read rule "$W/fifo"
iop_check "read rule FIFO: ikeadm names the file" \
    grep -q "fifo is not a regular file" "$W/err"
iop_check "pipe and FIFO: the tunnel still passes traffic" \
    iop_ping_ok "$IOP_NSA" $inner_a $inner_b
iop_check "pipe and FIFO: ikeadm still works" adm get stats

# ---- del p1 and flush p1: charon receives the Delete
adm del p1 "${icookie:-0x1}" "${rcookie:-0x1}"
iop_check "del p1 by cookies: status line" \
    grep -q "^Successfully deleted selected phase 1 SA.$" "$W/err"
iop_check "del p1: charon logs the received Delete" \
    iop_wait_grep "$B/charon.log" 'received DELETE for IKE_SA' 5
iop_check "del p1: charon lists no IKE SA" wait_no_ike_sa 5
iop_check "del p1 again: exit status 1" \
    iop_not adm del p1 "${icookie:-0x1}" "${rcookie:-0x1}"
iop_check "del p1 again: not found" \
    grep -q "^Could not find requested phase 1 SA.$" "$W/err"
iop_check "traffic negotiates a new SA after del p1" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 15
n=$(grep -c 'received DELETE for IKE_SA' "$B/charon.log")
adm del p1 $outer_a $outer_b
iop_check "del p1 by addresses: status line" \
    grep -q "^Successfully deleted selected phase 1 SA.$" "$W/err"
iop_check "del p1 by addresses: charon logs the received Delete" \
    iop_wait_count "$B/charon.log" 'received DELETE for IKE_SA' $((n + 1)) 5
iop_check "del p1 by addresses: charon lists no IKE SA" wait_no_ike_sa 5
iop_check "traffic negotiates a new SA after del p1 by addresses" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 15
n=$(grep -c 'received DELETE for IKE_SA' "$B/charon.log")
adm flush p1
iop_check "flush p1: status line" \
    grep -q "^Successfully flushed P1 SAs.$" "$W/err"
iop_check "flush p1: charon logs another Delete" \
    iop_wait_count "$B/charon.log" 'received DELETE for IKE_SA' $((n + 1)) 5
iop_check "flush p1: charon lists no IKE SA" wait_no_ike_sa 5
sleep 0.5
adm dump p1
iop_check "flush p1: dump p1 shows no ACTIVE SA" \
    iop_not grep -q "Current state is ACTIVE" "$W/out"

# ---- read preshared after the key changed on disk
sed -i "s/$old_key/$new_key/" "$A/etc/inet/secret/ike.preshared"
SW_PSK=$new_key iop_swanctl_conf "$B" $outer_b $outer_a $inner_b $inner_a
iop_sw "$B" --load-creds --clear --file "$B/swanctl.conf" >"$W/creds.out" 2>&1
iop_sw "$B" --initiate --ike v1 --child v1c --timeout 12 >"$W/init1.out" 2>&1
iop_check "old key still in use: charon's negotiation with the new key fails" \
    iop_not grep -q "completed successfully" "$W/init1.out"
adm read preshared
iop_check "read preshared: status line" \
    grep -q "^Completed read of preshared key configuration information.$" "$W/err"
adm get preshared $outer_a $outer_b
iop_check "read preshared: the new key is in use" \
    grep -q "PSKEY: Pre-shared key (18 bytes): $(printf %s "$new_key" | od -An -tx1 | tr -d ' \n')/144" "$W/out"
iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 >"$W/init2.out" 2>&1
iop_check "new key read: charon's negotiation succeeds" \
    grep -q "completed successfully" "$W/init2.out"
iop_check "new key read: the tunnel passes traffic" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 10

# ---- del rule, then add rule from stdin and a tunnel that uses it
adm del rule peer
iop_check "del rule: status line" \
    grep -q "^Successfully deleted selected policy rule.$" "$W/err"
iop_check "del rule: get rule no longer finds it" iop_not adm get rule peer
iop_check "del rule: its SA is deleted at charon" wait_no_ike_sa 5
iop_check "del rule again: exit status 1" iop_not adm del rule peer
iop_check "del rule again: not found" \
    grep -q "^Could not find requested policy rule.$" "$W/err"
adm <<EOF
# a rule with stronger algorithms than the one deleted
add rule {
	label "added"
	local_addr $outer_a
	remote_addr $outer_b
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 \\
	    encr_alg aes(256..256) }
}
EOF
iop_check "add rule from stdin: status line" \
    grep -q "^Successfully created new policy rule.$" "$W/err"
adm get rule added
iop_check "add rule: get rule shows it" grep -q "GLOBL: Label 'added'" "$W/out"
iop_check "add rule: traffic negotiates through the new rule" \
    iop_ping "$IOP_NSA" $inner_a $inner_b 15
iop_check "add rule: in.iked names the new rule" \
    grep -q 'established with .*(rule "added")' "$log"
iop_sw "$B" --list-sas --raw >"$W/sas.out" 2>&1
iop_check "add rule: charon's IKE SA uses AES-256 and SHA-256" \
    grep -Eq "encr-keysize=256 .*prf-alg=PRF_HMAC_SHA2_256" "$W/sas.out"

# ---- add, get and del preshared
printf 'add preshared { localidtype IP localid %s remoteidtype IP remoteid 198.51.100.9 key 0123456789abcdef }\n' $outer_a |
    adm
iop_check "add preshared (interactive): status line" \
    grep -q "^Successfully created new preshared key.$" "$W/err"
printf 'add preshared { localid %s remoteid 198.51.100.9 key 2222 }\n' \
    $outer_a | adm
iop_check "add preshared with the same ids: Duplicate entry" \
    grep -q "^ikeadm: add preshared key failed: .*Duplicate entry$" "$W/err"
iop_check "add preshared with the same ids: the message names the ids" \
    grep -q "duplicate preshared entry: .*localid $outer_a and remoteid 198.51.100.9" \
    "$W/err"
adm dump preshared
iop_check "add preshared with the same ids: one entry stays" \
    test "$(grep -c "^PSKEY: For" "$W/out")" -eq 2
printf 'add preshared { localidtype FQDN localid a.example remoteidtype FQDN remoteid b.example key 00112233 }\n' |
    adm
iop_check "add preshared with FQDN identities: status line" \
    grep -q "^Successfully created new preshared key.$" "$W/err"
iop_check "add preshared on the command line: refused" \
    iop_not adm add preshared '{' localid $outer_a remoteid 198.51.100.9 key 01 '}'
iop_check "add preshared on the command line: message" \
    grep -q "Must be in interactive mode to add key info." "$W/err"
iop_check "get preshared of the new entry by addresses" \
    adm get preshared $outer_a 198.51.100.9
iop_check "get preshared of the FQDN entry" \
    adm get preshared fqdn a.example fqdn B.EXAMPLE
adm del preshared fqdn a.example fqdn b.example
iop_check "del preshared by identities: status line" \
    grep -q "^Successfully deleted selected preshared key.$" "$W/err"
iop_check "del preshared by identities: gone" \
    iop_not adm get preshared fqdn a.example fqdn b.example
adm del preshared $outer_a 198.51.100.9
iop_check "del preshared by addresses: status line" \
    grep -q "^Successfully deleted selected preshared key.$" "$W/err"
iop_check "del preshared again: exit status 1" \
    iop_not adm del preshared $outer_a 198.51.100.9
iop_check "del preshared again: not found" \
    grep -q "^Could not find requested preshared key.$" "$W/err"
adm dump preshared
iop_check "del preshared: the tunnel's entry stays" \
    test "$(grep -c '^PSKEY: For' "$W/out")" -eq 1
printf '{\n\tlocalidtype IP\n\tlocalid %s\n\tremoteidtype IP\n\tremoteid 198.51.100.8\n\tkey "from-a-file"\n}\n' \
    $outer_a >"$W/psk.add"
adm add preshared "$W/psk.add"
iop_check "add preshared FILE: status line" \
    grep -q "^Successfully created new preshared key.$" "$W/err"
iop_check "add preshared FILE: the entry is in use" \
    adm get preshared $outer_a 198.51.100.8
iop_check "del preshared of the file's entry" \
    adm del preshared ipv4 $outer_a ipv4 198.51.100.8

# ---- commands the daemon rejects, and ones ikeadm does not know
iop_check "token login: rejected" iop_not adm token login softtoken
iop_check "token login: PKCS#11 is not supported" \
    grep -q "PKCS#11 tokens are not supported" "$W/err"
iop_check "unknown command: rejected" iop_not adm frobnicate p1
iop_check "unknown command: message" \
    grep -q "^ikeadm: Unrecognized command 'frobnicate'" "$W/err"
iop_check "unknown object: rejected" iop_not adm get widgets
iop_check "unknown object: message" \
    grep -q "^ikeadm: Unrecognized object 'widgets'" "$W/err"
iop_check "help of an unknown command: rejected" iop_not adm help frobnicate
iop_check "help of an unknown command: message" \
    grep -q "^ikeadm: Unrecognized command 'frobnicate'" "$W/err"
ip netns exec "$IOP_NSA" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$ikeadm" -R "$A" get debug >"$W/out" 2>"$W/err"
iop_check "as another user: rejected with the reason" \
    grep -q "Permission denied; ikeadm must run as root" "$W/err"

# ---- write rule and write preshared
adm write rule "$W/rules.w"
iop_check "write rule: status line" \
    grep -q "^Completed write of policy rule configuration information.$" "$W/err"
iop_check "write rule: mode 0600" test "$(stat -c %a "$W/rules.w")" = 600
iop_check "write rule: the added rule" grep -q 'label "added"' "$W/rules.w"
adm write preshared "$W/psk.w"
iop_check "write preshared: mode 0600" test "$(stat -c %a "$W/psk.w")" = 600
iop_check "write preshared: the entry" \
    grep -q "remoteid $outer_b" "$W/psk.w"
cp "$W/psk.w" "$W/psk.copy"
iop_check "write preshared over an existing file: refused" \
    iop_not adm write preshared "$W/psk.w"
iop_check "write preshared over an existing file: left alone" \
    cmp -s "$W/psk.w" "$W/psk.copy"
iop_check "write preshared: the file reads back" \
    adm read preshared "$W/psk.w"
iop_check "write rule: the file reads back" adm read rule "$W/rules.w"
iop_check "read rule FILE: status line" \
    grep -q "^Completed read of policy rule configuration information.$" "$W/err"
cat >"$W/rule.add" <<EOF
{
	label "from-file"
	local_addr $outer_a
	remote_addr 198.51.100.7
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }
}
EOF
iop_check "add rule FILE: succeeds" adm add rule "$W/rule.add"
iop_check "add rule FILE again: rejected" iop_not adm add rule "$W/rule.add"
iop_check "add rule FILE again: the message names the file and line" \
    grep -q "^ikeadm: $W/rule.add:1: duplicate label \"from-file\": the rule at running rules:" "$W/err"
printf '{\n\tlabel "bad"\n\tlocal_addr 192.0.2.999\n}\n' >"$W/rule.bad"
iop_check "read rule of a bad file: rejected" iop_not adm read rule "$W/rule.bad"
iop_check "read rule of a bad file: the message names the file and line" \
    grep -q "^ikeadm: $W/rule.bad:3: .*192.0.2.999" "$W/err"
adm dump rule
iop_check "add rule FILE: both rules in use" \
    test "$(grep -c "^GLOBL: Label '" "$W/out")" -eq 2
iop_check "read preshared without a file: succeeds" adm read preshared
iop_check "read preshared without a file: added rule kept" \
    adm get rule from-file
chmod 644 "$A/etc/inet/secret/ike.preshared"
iop_check "read preshared of a mode 644 file: rejected" \
    iop_not adm read preshared
iop_check "read preshared of a mode 644 file: logged with the fix" \
    grep -q "ike.preshared is open to group or others (mode 0644)" "$log"
chmod 600 "$A/etc/inet/secret/ike.preshared"
iop_check "del rule of the file's rule" adm del rule from-file
iop_check "the tunnel survives the rule changes" \
    iop_ping_ok "$IOP_NSA" $inner_a $inner_b

# ---- lower privilege levels
adm set priv modkeys
iop_check "set priv modkeys: status line" \
    grep -q "Successfully changed privilege level from 0x2 to 0x1" "$W/out"
adm dump preshared
iop_check "modkeys: dump preshared hides the key" \
    iop_not grep -q "Pre-shared key" "$W/out"
adm dump p1
iop_check "modkeys: dump p1 shows the SA" grep -q "^IKESA: Cookies" "$W/out"
iop_check "modkeys: dump p1 has no KEY lines" iop_not grep -q "^KEY:" "$W/out"
iop_check "modkeys: set priv keymat refused" iop_not adm set priv keymat
iop_check "modkeys: set priv keymat message" \
    grep -q "Not allowed at current privilege level" "$W/err"
adm set priv base
iop_check "set priv base: status line" \
    grep -q "Successfully changed privilege level from 0x1 to 0x0" "$W/out"
for c in "dump preshared" "get preshared $outer_a $outer_b" \
    "del preshared $outer_a $outer_b" "read preshared" \
    "write preshared $W/psk.base"; do
	# shellcheck disable=SC2086
	iop_check "base: $c refused" iop_not adm $c
	iop_check "base: $c message" \
	    grep -q "Not allowed at current privilege level" "$W/err"
done
iop_check "base: write preshared leaves no file" test ! -e "$W/psk.base"
printf 'add preshared { localid %s remoteid 198.51.100.9 key 01 }\n' $outer_a |
    adm
iop_check "base: add preshared refused" \
    grep -q "Not allowed at current privilege level" "$W/err"
iop_check "base: dump p1 still works" adm dump p1
iop_check "base: the tunnel still passes traffic" \
    iop_ping_ok "$IOP_NSA" $inner_a $inner_b

# ---- in.iked -p 0
iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
cp "$log" "$A/iked-keymat.log"
iop_iked_start "$IOP_NSA" "$A" -p 0
adm get priv
iop_check "in.iked -p 0: base privileges" \
    grep -q "Current privilege level is 0x0, base privileges enabled" "$W/out"
iop_check "in.iked -p 0: dump preshared refused" iop_not adm dump preshared
iop_check "in.iked -p 0: refusal message" \
    grep -q "Not allowed at current privilege level" "$W/err"
iop_check "in.iked -p 0: set priv modkeys refused" \
    iop_not adm set priv modkeys
iop_check "in.iked -p 0: get stats works" adm get stats
iop_stop "$IOP_IKED_PID"
# With -Db_sanitize=address,undefined both programs report to stderr.
iop_check "no sanitizer report from in.iked or ikeadm" \
    iop_not grep -Eq "Sanitizer|runtime error" "$A/iked-keymat.log" "$log" \
    "$W/all.err"
iop_summary
