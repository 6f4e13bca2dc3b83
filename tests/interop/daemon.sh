#!/bin/bash
# daemon.sh: in.iked as a process, without a peer: configuration errors
# at start-up, sockets, the PID file, SIGHUP reloads (good and bad),
# datagram checks on ports 500 and 4500, SIGTERM, and detaching without -d.
IOP_NAME=dm
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_iked

iop_setup
iop_netns_pair
R=$IOP_DIR/root
iop_iked_conf "$R" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
cfg=$R/etc/inet/ike/config
cp "$cfg" "$IOP_DIR/config.good"

# udp_listening PORT ADDR: in.iked has a UDP socket bound to ADDR:PORT.
udp_listening() {
	ip netns exec "$IOP_NSA" ss -H -u -l -n "sport = :$1" | grep -qF " $2:$1 "
}

# ---- start-up errors
printf '{\n\tlabel "broken"\n\tlocal_addr 198.51.100.1\n\tbogus_keyword 1\n}\n' \
    >>"$cfg"
ip netns exec "$IOP_NSA" "$IOP_IKED" -d -R "$R" -B none \
    >"$IOP_DIR/bad.log" 2>&1
status=$?
iop_check "config with errors: exit status 1" [ $status -eq 1 ]
iop_check "config with errors: file:line message" \
    grep -q "$cfg:[0-9]" "$IOP_DIR/bad.log"
iop_check "config with errors: no PID file left" \
    test ! -e "$R/var/run/in.iked.pid"

ip netns exec "$IOP_NSA" "$IOP_IKED" -d -R "$R" -f "$IOP_DIR/missing" \
    -B none >"$IOP_DIR/missing.log" 2>&1
status=$?
iop_check "missing config file: exit status 1" [ $status -eq 1 ]
iop_check "missing config file: message names it" \
    grep -q "$IOP_DIR/missing" "$IOP_DIR/missing.log"

# ---- a running daemon
cp "$IOP_DIR/config.good" "$cfg"
ip netns exec "$IOP_NSA" "$IOP_IKED" -d -R "$R" -B xfrm \
    >"$IOP_DIR/xfrm.log" 2>&1
status=$?
iop_check "-B xfrm, not available: exit status 1" [ $status -eq 1 ]
iop_check "-B xfrm, not available: message names the backend" \
    grep -q "opening the xfrm SA backend failed" "$IOP_DIR/xfrm.log"
iop_check "-B xfrm, not available: advice offers only the others" \
    grep -q "choose another with -B userspace or none$" "$IOP_DIR/xfrm.log"
iop_iked_start "$IOP_NSA" "$R" -p modkeys
pid=$IOP_IKED_PID
log=$R/iked.log
iop_check "start-up counts in the singular for one of each" \
    grep -q "in.iked starting: 1 rule, 1 preshared key, 1 policy entry from" "$log"
iop_check "policy count in the singular for one entry" \
    grep -q "from 1 entry of" "$log"
iop_check "PID file holds the daemon's PID" \
    grep -qx "$pid" "$R/var/run/in.iked.pid"
iop_check "listening on 198.51.100.1 port 500" udp_listening 500 198.51.100.1
# CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12) and CAP_NET_RAW (13) only.
if ! grep -q "built without libcap-ng" "$log"; then
	iop_check "capabilities reduced to 0x3400" \
	    grep -Eq "^CapEff:[[:space:]]+0+3400$" "/proc/$pid/status"
fi
iop_check "listening on 198.51.100.1 port 4500" udp_listening 4500 198.51.100.1
iop_check "userspace backend: TUN device iked0 up" \
    ip -n "$IOP_NSA" link show iked0
iop_check "userspace backend: routing rule for its table" \
    sh -c "ip -n '$IOP_NSA' rule | grep -q 'lookup 4500'"
iop_check "userspace backend: tunnel route for 203.0.113.1" \
    sh -c "ip -n '$IOP_NSA' route show table 4500 | grep -q '203.0.113.1'"

ip netns exec "$IOP_NSA" "$IOP_IKED" -d -R "$R" -B none \
    >"$IOP_DIR/second.log" 2>&1
status=$?
iop_check "second instance on the same root: exit status 1" [ $status -eq 1 ]
iop_check "second instance: message names the running PID" \
    grep -q "already running (pid $pid" "$IOP_DIR/second.log"

# Datagrams from B: too short for ISAKMP on 500, a NAT keepalive and a
# two-byte runt on 4500.
ip netns exec "$IOP_NSB" bash -c '
	printf "short" >/dev/udp/198.51.100.1/500
	printf "\377" >/dev/udp/198.51.100.1/4500
	printf "ab" >/dev/udp/198.51.100.1/4500'
iop_check "short ISAKMP datagram is dropped with a log line" \
    iop_wait_grep "$log" "dropped a 5-byte datagram from 198.51.100.2.*ISAKMP header" 5
iop_check "runt on port 4500 is dropped with a log line" \
    iop_wait_grep "$log" "dropped a 2-byte datagram from 198.51.100.2" 5
ip netns exec "$IOP_NSB" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x01" * 40000, ("198.51.100.1", 500))
s.sendto(b"\x00\x00\x00\x00" + b"\x01" * 12, ("198.51.100.1", 4500))
'
iop_check "oversize ISAKMP datagram is dropped with a log line" \
    iop_wait_grep "$log" "dropped a 40000-byte datagram from 198.51.100.2.*limit" 5
iop_check "short message behind the non-ESP marker is dropped" \
    iop_wait_grep "$log" "dropped a 12-byte datagram from 198.51.100.2.*ISAKMP header" 5
iop_check "NAT keepalive is not logged as dropped" \
    iop_not grep -q "dropped a 1-byte" "$log"
iop_check "daemon survives the bad datagrams" kill -0 "$pid"

# Aggressive Mode: an unencrypted INVALID-EXCHANGE-TYPE (7) Notify back.
ip netns exec "$IOP_NSB" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.2", 500))
s.settimeout(5)
hdr = b"\x11" * 8 + b"\x00" * 8 + struct.pack("!BBBBII", 0, 0x10, 4, 0, 0, 28)
s.sendto(hdr, ("198.51.100.1", 500))
try:
	reply = s.recv(2048)
except socket.timeout:
	sys.exit("no answer to Aggressive Mode")
if reply[:8] != b"\x11" * 8 or reply[18] != 5 or reply[19] & 1:
	sys.exit("answer is not a clear Informational: %s" % reply.hex())
if reply[16] != 11 or struct.unpack("!H", reply[28 + 10:28 + 12])[0] != 7:
	sys.exit("answer is not INVALID-EXCHANGE-TYPE: %s" % reply.hex())
' >"$IOP_DIR/aggressive.out" 2>&1
status=$?
iop_check "Aggressive Mode: answered with INVALID-EXCHANGE-TYPE" \
    [ $status -eq 0 ]
ip netns exec "$IOP_NSB" python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
hdr = b"\x22" * 8 + b"\x00" * 8 + struct.pack("!BBBBII", 1, 0x10, 2, 0, 0, 32)
s.sendto(hdr + struct.pack("!BBH", 0, 0, 0xffff), ("198.51.100.1", 500))
'
iop_check "malformed MM1: logged with the peer address" \
    iop_wait_grep "$log" "malformed MM1 from 198.51.100.2(\\[[0-9]+\\])? dropped" 5
iop_check "Aggressive Mode: rejection logged with the peer" \
    iop_wait_grep "$log" "Aggressive Mode from 198.51.100.2(\\[500\\])? rejected" 5

# ---- ikeadm over the control socket ROOT/var/run/ike_door
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
if [ -x "$ikeadm" ]; then
	iop_check "ikeadm: control socket created" test -S "$R/var/run/ike_door"
	"$ikeadm" -R "$R" get priv >"$IOP_DIR/adm-priv.out" 2>&1
	iop_check "ikeadm get priv: level of -p modkeys" \
	    grep -q "privilege level is 0x1" "$IOP_DIR/adm-priv.out"
	"$ikeadm" -R "$R" dump rule >"$IOP_DIR/adm-rule.out" 2>&1
	iop_check "ikeadm dump rule: shows the rule" \
	    grep -q "Label 'peer'" "$IOP_DIR/adm-rule.out"
	iop_check "ikeadm dbg rbdump: succeeds" "$ikeadm" -R "$R" dbg rbdump
	iop_check "ikeadm dbg rbdump: counts in the singular for one" \
	    iop_wait_grep "$log" "dump requested by ikeadm: 1 rule, 1 preshared key$" 5
	iop_check "ikeadm get stats: succeeds" "$ikeadm" -R "$R" get stats
	iop_check "ikeadm read rule: succeeds" "$ikeadm" -R "$R" read rule
	iop_check "ikeadm read rule: the daemon reloads" \
	    iop_wait_grep "$log" "ikeadm read: reading" 5
	"$ikeadm" -R "$R" set debug all "$IOP_DIR/debug.log" \
	    >"$IOP_DIR/adm-debug.out" 2>&1
	iop_check "ikeadm set debug FILE: succeeds" \
	    grep -q "0x3ff" "$IOP_DIR/adm-debug.out"
	"$ikeadm" -R "$R" read rule >/dev/null 2>&1
	iop_check "ikeadm set debug FILE: the daemon logs to that file" \
	    iop_wait_grep "$IOP_DIR/debug.log" "ikeadm read: reading" 5

	# Rules and keys written out, changed and read back, then added to.
	iop_check "ikeadm write rule: succeeds" \
	    "$ikeadm" -R "$R" write rule "$IOP_DIR/rules.out"
	iop_check "ikeadm write rule: file has the rule" \
	    grep -q 'label "peer"' "$IOP_DIR/rules.out"
	sed 's/label "peer"/label "renamed"/' "$IOP_DIR/rules.out" \
	    >"$IOP_DIR/rules.in"
	iop_check "ikeadm read rule FILE: succeeds" \
	    "$ikeadm" -R "$R" read rule "$IOP_DIR/rules.in"
	"$ikeadm" -R "$R" dump rule >"$IOP_DIR/adm-rule2.out" 2>&1
	iop_check "ikeadm read rule FILE: the rules are replaced" \
	    grep -q "Label 'renamed'" "$IOP_DIR/adm-rule2.out"
	"$ikeadm" -R "$R" add rule '{ label "extra" local_addr 198.51.100.1
	    remote_addr 198.51.100.9 p1_xform { auth_method preshared
	    oakley_group 14 auth_alg sha256 encr_alg aes } }' >/dev/null 2>&1
	"$ikeadm" -R "$R" dump rule >"$IOP_DIR/adm-rule3.out" 2>&1
	iop_check "ikeadm add rule: both rules in use" \
	    test "$(grep -c "Label '" "$IOP_DIR/adm-rule3.out")" -eq 2
	iop_check "ikeadm add rule with an error: rejected" \
	    iop_not "$ikeadm" -R "$R" add rule '{ label "bad" bogus 1 }'
	iop_check "ikeadm add rule with an error: logged with its line" \
	    iop_wait_grep "$log" "ikeadm add rule:1: unknown keyword 'bogus'" 5
	iop_check "ikeadm write preshared: succeeds" \
	    "$ikeadm" -R "$R" write preshared "$IOP_DIR/psk.out"
	iop_check "ikeadm write preshared: file has the entry" \
	    grep -q "remoteid 198.51.100.2" "$IOP_DIR/psk.out"
	printf 'add preshared { localidtype IP localid 198.51.100.1 remoteidtype IP remoteid 198.51.100.9 key 6578747261 }\n' |
	    "$ikeadm" -R "$R" >"$IOP_DIR/adm-psk.out" 2>&1
	"$ikeadm" -R "$R" dump preshared >"$IOP_DIR/adm-psk2.out" 2>&1
	iop_check "ikeadm add preshared: the new entry is in use" \
	    grep -q "198.51.100.9" "$IOP_DIR/adm-psk2.out"
	# Back to the files on disk for the checks below.
	kill -HUP "$pid"
	iop_wait_grep "$log" "SIGHUP: configuration in use" 5
else
	echo "ikeadm not built: its checks are left out"
fi

# ---- SIGHUP with a broken file keeps the old configuration
printf 'p2_pfs 99\n' >>"$cfg"
kill -HUP "$pid"
iop_check "bad reload: errors logged with file:line" \
    iop_wait_grep "$log" "$cfg:[0-9]+:.*p2_pfs" 5
iop_check "bad reload: previous configuration stays in use" \
    iop_wait_grep "$log" "reload failed" 5
iop_check "bad reload: daemon still running" kill -0 "$pid"
iop_check "bad reload: the check command names the root" \
    grep -q "check with in.iked -c -R $R -f $cfg" "$log"
iop_check "bad reload: sockets kept" udp_listening 500 198.51.100.1

# ---- SIGHUP with a configuration warning: logged once with file:line
{ printf 'p1_lifetime_secs 12\n'; cat "$IOP_DIR/config.good"; } >"$cfg"
kill -HUP "$pid"
iop_check "reload with a warning: logged with file:line" \
    iop_wait_grep "$log" "warning: $cfg:1: p1_lifetime_secs 12 is shorter" 5
iop_check "reload with a warning: the label appears once" \
    iop_not grep -q "warning: $cfg:1: warning:" "$log"

# ---- SIGHUP with a prefix as local address: wildcard socket, PKTINFO
sed 's#local_addr 198.51.100.1#local_addr 198.51.100.0/24#' \
    "$IOP_DIR/config.good" >"$cfg"
n=$(grep -c "SIGHUP: configuration in use" "$log")
kill -HUP "$pid"
iop_check "good reload: logged" \
    iop_wait_count "$log" "SIGHUP: configuration in use" $((n + 1)) 5
iop_check "prefix local_addr: wildcard socket on port 500" \
    udp_listening 500 0.0.0.0
iop_check "prefix local_addr: wildcard socket on port 4500" \
    udp_listening 4500 0.0.0.0
iop_check "prefix local_addr: specific socket closed" \
    iop_not udp_listening 500 198.51.100.1

# ---- SIGHUP adding an IPv6 rule: both families get sockets
cp "$IOP_DIR/config.good" "$cfg"
cat >>"$cfg" <<EOF
{
	label "v6"
	local_addr 2001:db8:1::1
	remote_addr 2001:db8:1::2
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }
}
EOF
cat >>"$R/etc/inet/secret/ike.preshared" <<EOF
{
	localidtype IP
	localid 2001:db8:1::1
	remoteidtype IP
	remoteid 2001:db8:1::2
	key "another-key-for-ipv6"
}
EOF
kill -HUP "$pid"
iop_check "IPv6 reload: logged" \
    iop_wait_grep "$log" "SIGHUP: configuration in use: 2 rules" 5
iop_check "IPv6 rule: listening on [2001:db8:1::1] port 500" \
    udp_listening 500 "[2001:db8:1::1]"
iop_check "IPv6 rule: listening on [2001:db8:1::1] port 4500" \
    udp_listening 4500 "[2001:db8:1::1]"
iop_check "IPv6 reload: IPv4 socket back on 198.51.100.1" \
    udp_listening 500 198.51.100.1
# The socket layer logs at most 5 drops per 10 s, and this is the fifth
# drop of the script: a further one may be counted but not logged.
ip netns exec "$IOP_NSB" bash -c 'printf "tiny" >/dev/udp/2001:db8:1::1/500'
iop_check "short IPv6 datagram is dropped with a log line" \
    iop_wait_grep "$log" "dropped a 4-byte datagram from 2001:db8:1::2" 5
# More drops than the limit lets through: the count is logged when the
# interval ends, without waiting for another message.
ip netns exec "$IOP_NSB" bash -c 'for i in 1 2 3; do
	printf "tiny" >/dev/udp/198.51.100.1/500; done'
iop_check "suppressed drops: summary logged when the interval ends" \
    iop_wait_grep "$log" "[0-9]+ similar messages? suppressed in the last 1[0-9] seconds" 15

# ---- a local_addr on no interface: one warning per address
cp "$cfg" "$IOP_DIR/config.v6"
for l in far1 far2; do
	cat >>"$cfg" <<EOF
{
	label "$l"
	local_addr 198.51.100.199
	remote_addr 198.51.100.$([ $l = far1 ] && echo 7 || echo 8)
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }
}
EOF
done
n=$(grep -c "SIGHUP: configuration in use" "$log")
kill -HUP "$pid"
iop_check "unconfigured local_addr: reload applied" \
    iop_wait_count "$log" "SIGHUP: configuration in use" $((n + 1)) 5
iop_check "unconfigured local_addr: warned once, naming the first rule" \
    test "$(grep -c 'local_addr 198.51.100.199 of rule "far1" is not configured on any interface' "$log")" -eq 1
iop_check "unconfigured local_addr: no warning for the second rule" \
    iop_not grep -q 'rule "far2" is not configured' "$log"
iop_check "unconfigured local_addr: bound with IP_FREEBIND" \
    udp_listening 500 198.51.100.199
iop_check "configured local_addr: no warning" \
    iop_not grep -q 'local_addr 198.51.100.1 of rule' "$log"

# ---- signals without a use: ignored; SIGUSR1 logs a status line
for sig in USR1 USR2 ALRM PIPE; do
	kill -"$sig" "$pid"
done
iop_check "SIGUSR1: status line logged" \
    iop_wait_grep "$log" "SIGUSR1: running with 4 rules" 5
iop_check "SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE: daemon still running" \
    kill -0 "$pid"

# ---- SIGHUP with no rules: a warning, and the empty file is applied
printf '# no rules\n' >"$cfg"
n=$(grep -c "SIGHUP: configuration in use" "$log")
kill -HUP "$pid"
iop_check "no rules reload: applied" \
    iop_wait_count "$log" "SIGHUP: configuration in use: 0 rules" 1 5
iop_check "no rules reload: warning logged" \
    grep -q "warning: $cfg: no rules" "$log"
cp "$IOP_DIR/config.v6" "$cfg"
kill -HUP "$pid"
iop_wait_count "$log" "SIGHUP: configuration in use" $((n + 2)) 5

# ---- SIGTERM
iop_stop "$pid"
status=$?
iop_check "SIGTERM: exit status 0" [ $status -eq 0 ]
iop_check "SIGTERM: PID file removed" test ! -e "$R/var/run/in.iked.pid"
iop_check "SIGTERM: sockets closed" iop_not udp_listening 500 198.51.100.1
iop_check "SIGTERM: TUN device removed" iop_not ip -n "$IOP_NSA" link show iked0
iop_check "SIGTERM: routing rule removed" \
    iop_not sh -c "ip -n '$IOP_NSA' rule | grep -q 'lookup 4500'"

# ---- SIGKILL leaves the routing rules; the next start replaces them
# rule_count FAMILY: rules of the userspace backend's table 4500.
rule_count() {
	ip -n "$IOP_NSA" "$1" rule | grep -c 'lookup 4500'
}
# iop_iked_start waits for "in.iked running", so the old log must go.
rm -f "$R/iked.log"
iop_iked_start "$IOP_NSA" "$R"
kill -KILL "$IOP_IKED_PID"
wait "$IOP_IKED_PID" 2>/dev/null
iop_check "SIGKILL: IPv4 routing rule left behind" \
    test "$(rule_count -4)" -eq 1
rm -f "$R/iked.log"
iop_iked_start "$IOP_NSA" "$R"
pid=$IOP_IKED_PID
iop_check "restart after SIGKILL: exactly one IPv4 routing rule" \
    test "$(rule_count -4)" -eq 1
iop_check "restart after SIGKILL: exactly one IPv6 routing rule" \
    test "$(rule_count -6)" -eq 1
iop_check "restart after SIGKILL: tunnel route for 203.0.113.1 once" \
    test "$(ip -n "$IOP_NSA" route show table 4500 | grep -c '^203.0.113.1 dev iked0')" -eq 1
iop_check "restart after SIGKILL: prohibit route for 203.0.113.1 once" \
    test "$(ip -n "$IOP_NSA" route show table 4500 | grep -c '^prohibit 203.0.113.1 ')" -eq 1
iop_stop "$pid"
iop_check "stop after restart: routing rules removed" \
    test "$(rule_count -4)" -eq 0 -a "$(rule_count -6)" -eq 0

# ---- without -d: detach, PID file, stop.  The root is given relative
# to the current folder, which the daemon leaves for "/".
cp "$IOP_DIR/config.good" "$cfg"
(cd "$IOP_DIR" && ip netns exec "$IOP_NSA" "$IOP_IKED" -R root -B none \
    >"$IOP_DIR/detach.out" 2>&1)
status=$?
iop_check "detached start: parent exits 0" [ $status -eq 0 ]
iop_check "detached start: PID file written" \
    iop_wait_path "$R/var/run/in.iked.pid" 5
dpid=$(cat "$R/var/run/in.iked.pid" 2>/dev/null)
[ -n "$dpid" ] && iop_track "$dpid"
# other_session PID: PID runs in a session other than this script's.
other_session() {
	sid=$(ps -o sid= -p "$1" | tr -d ' ')
	[ -n "$sid" ] && [ "$sid" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
}
iop_check "detached daemon left the test's session" other_session "${dpid:-0}"
iop_check "detached daemon listens on port 500" udp_listening 500 198.51.100.1
if [ -x "$ikeadm" ]; then
	iop_check "detached daemon reloads files under a relative -R" \
	    "$ikeadm" -R "$R" read rule
fi
kill -TERM "${dpid:-0}" 2>/dev/null
iop_check "detached daemon removes its PID file on SIGTERM" \
    iop_wait_gone "$R/var/run/in.iked.pid" 5
iop_summary
