#!/bin/bash
# dhjobs.sh: the responder's Diffie-Hellman jobs, the g^xy that the
# threads compute between MM4 and MM5 and between QM2 and QM3.  The test
# puts them under load, signals and ikeadm, and against peers that
# misbehave while a job waits.  in.iked keeps a tunnel with strongSwan
# charon all along.
#
#   netns A  in.iked, 198.51.100.1 (veth0 to B), 192.0.2.129/26 (vatk to C)
#   netns B  charon, 198.51.100.2; tunnel 192.0.2.1 <-> 203.0.113.1
#   netns C  the peers, 192.0.2.130/26: bench/ikeperf with sources in
#            198.18.0.0/15 (rule "load", MODP-3072 with PFS MODP-3072),
#            and dhpeer.py from 192.0.2.130 (rule "py", MODP-2048 with
#            PFS MODP-2048)
#
#   dhjobs.sh load    ikeperf while in.iked gets SIGHUP, ikeadm flush p1
#                     and a changed preshared key, then SIGTERM during
#                     the load.  Checks that in.iked replies to ikeadm,
#                     keeps its documented thread count (in.iked(8),
#                     THREADS) and the charon tunnel, and returns to its
#                     memory after flushes.  Its errors must name the
#                     peers.  It must exit 0 within 5 s and leave no rule,
#                     route, TUN device or XFRM policy behind.
#   dhjobs.sh peers   dhpeer.py cases: MM3 and QM1 sent many times, sent
#                     and abandoned, MM3 with invalid MODP, Curve25519 and
#                     Curve448 KE values, QM1 with invalid PFS KE values
#                     (rejected without QM2), and an encrypted error
#                     Notify before MM5.
IOP_NAME=dh
mode=${1:-load}
. "$(dirname "$0")/../interop/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
command -v python3 >/dev/null 2>&1 || iop_skip "python3 is not installed"
command -v openssl >/dev/null 2>&1 ||
    iop_skip "the openssl command is not installed (dhpeer.py uses it for AES)"
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
[ -x "$ikeadm" ] || iop_skip "ikeadm not built at $ikeadm"
ikeperf=${IKED_BUILD}/bench/ikeperf
[ -x "$ikeperf" ] || iop_skip "ikeperf not built at $ikeperf"
here=$(cd "$(dirname "$0")" && pwd)
LOAD_PSK=dhjobs-load-psk-0123456789

# Under AddressSanitizer freed memory first waits in a quarantine, which
# this test limits to 64 MiB, and the shadow grows with it.
asan_kb=0
if nm -D "$IOP_IKED" 2>/dev/null | grep -q __asan_init ||
    ldd "$IOP_IKED" 2>/dev/null | grep -q libasan; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=64
	asan_kb=$((128 * 1024))
fi

iop_setup
iop_netns_pair
iop_netns_attacker
ip -n "$IOP_NSA" route add 198.18.0.0/15 via 192.0.2.130
ip -n "$IOP_NSC" route add local 198.18.0.0/15 dev lo

A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
IKE_GLOBALS="max_half_open 1024" \
    iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
cat >>"$A/etc/inet/ike/config" <<CONF
{
	label "load"
	local_addr 198.51.100.1
	remote_addr 198.18.0.0/15
	p2_pfs 15
	p1_xform { auth_method preshared oakley_group 15 auth_alg sha256 encr_alg aes(128..128) }
}
{
	label "py"
	local_addr 198.51.100.1
	remote_addr 192.0.2.130
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha1 encr_alg aes(128..128) }
	p1_xform { auth_method preshared oakley_group 31 auth_alg sha1 encr_alg aes(128..128) }
	p1_xform { auth_method preshared oakley_group 32 auth_alg sha1 encr_alg aes(128..128) }
}
CONF
cat >>"$A/etc/inet/secret/ike.preshared" <<CONF
{
	localidtype IP
	localid 198.51.100.1
	remoteidtype IP
	remoteid 198.18.0.0/15
	key "$LOAD_PSK"
}
{
	localidtype IP
	localid 198.51.100.1
	remoteidtype IP
	remoteid 192.0.2.130
	key "$IOP_PSK"
}
CONF
cat >>"$A/etc/inet/ipsecinit.conf" <<CONF
{ tsrc 198.51.100.1 tdst 198.18.0.0/15 laddr 192.0.2.1/32 raddr 198.19.0.0/16 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha256 sa shared }
{ tsrc 198.51.100.1 tdst 192.0.2.130 laddr 203.0.113.1/32 raddr 198.19.250.1/32 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha1 sa shared }
CONF

iop_charon_conf "$B"
iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A"
log=$A/iked.log
pid=$IOP_IKED_PID

# tunnel_up: (re)negotiate the charon tunnel and ping through it.
tunnel_up() {
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 \
	    >"$B/initiate.out" 2>&1 &&
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
}

# status_field NAME: a field of in.iked's /proc status (VmRSS in kB).
status_field() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"
}

adm() {
	ip netns exec "$IOP_NSA" timeout 10 "$ikeadm" -R "$A" "$@"
}

# gen FIRST_SRC N [PSK]: ikeperf with N tunnels of rule "load".
gen() {
	ip netns exec "$IOP_NSC" "$ikeperf" -t 198.51.100.1 -T 192.0.2.1 \
	    -k "${3:-$LOAD_PSK}" -s "$1" -a "$2" -n "$2" -c 32 -g 15 -f 15 \
	    -w 10000 2>/dev/null | grep '^ikeperf:'
}

# ok_count LINE: the number of completed tunnels in an ikeperf line.
ok_count() {
	sed -n 's/^ikeperf: ok=\([0-9]*\) .*/\1/p' <<<"$1"
}

peer() {
	ip netns exec "$IOP_NSC" python3 "$here/dhpeer.py" \
	    --target 198.51.100.1 --source 192.0.2.130 --psk "$IOP_PSK" "$@"
}

# log_since LINE PATTERN [SECONDS]: wait until a line after LINE of the
# log matches the extended regular expression PATTERN.
log_since() {
	i=0
	until tail -n +"$1" "$log" | grep -Eq -- "$2"; do
		i=$((i + 1))
		[ $i -gt $((${3:-5} * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# half_open_left: whether ikeadm lists a Main Mode waiting for MM5.
half_open_left() {
	adm -j dump p1 | grep -q '"state":"SENT SECOND MSG'
}

rule_left() {
	ip -n "$IOP_NSA" rule list | grep -q "lookup 4500"
}

lines() {
	wc -l <"$log"
}

iop_check "the charon tunnel passes a ping before the load" tunnel_up ||
    iop_die "no tunnel to test against (see $B/initiate.out)"
cores=$(getconf _NPROCESSORS_ONLN)
threads=1
if [ "$cores" -gt 1 ]; then
	threads=$((cores > 8 ? 9 : cores + 1))
fi
iop_check "in.iked runs $threads threads on $cores processors" \
    [ "$(status_field Threads)" -eq $threads ]

load_mode() {
	# Warm up the allocator and the key pair pools, then measure.
	gen 198.18.0.1 300 >/dev/null
	adm flush p1 >/dev/null
	sleep 1
	rss_base=$(status_field VmRSS)

	out=$(gen 198.18.4.1 600 &
	    for i in 1 2 3 4 5 6; do sleep 0.4; kill -HUP "$pid"; done
	    wait)
	iop_log "SIGHUP during the load: $out"
	iop_check "tunnels complete while in.iked reloads" \
	    [ "$(ok_count "$out")" -gt 0 ]
	iop_check "ikeadm answers after reloads under load" adm dump p1

	out=$(gen 198.18.8.1 600 &
	    for i in 1 2 3 4; do sleep 0.5; adm flush p1 >/dev/null; done
	    wait)
	iop_log "ikeadm flush p1 during the load: $out"
	iop_check "tunnels complete while ikeadm flushes" \
	    [ "$(ok_count "$out")" -gt 0 ]

	# A new preshared key for rule "load" while its peers still use
	# the old one: each failure names the peer.
	start=$(lines)
	out=$(gen 198.18.12.1 600 &
	    sleep 0.7
	    sed -i "s/$LOAD_PSK/dhjobs-new-psk-9876543210/" \
	        "$A/etc/inet/secret/ike.preshared"
	    kill -HUP "$pid"
	    wait)
	iop_log "preshared key changed during the load: $out"
	iop_check "errors after the key change name the peer" \
	    log_since "$start" 'authentication failed for peer 198\.1[89]\.[0-9.]+\[500\]|198\.1[89]\.[0-9.]+\[500\] .*removed: its Phase 1 authentication changed'
	out=$(gen 198.18.16.1 300 dhjobs-new-psk-9876543210)
	iop_check "tunnels complete with the new key" \
	    [ "$(ok_count "$out")" -eq 300 ]

	adm flush p1 >/dev/null
	sleep 2
	rss_end=$(status_field VmRSS)
	iop_log "VmRSS after warm-up $rss_base kB, after the load $rss_end kB"
	# The allocator keeps freed pages of the busiest round; a leak of a
	# key pair or job per tunnel grows past that (2400 tunnels).
	iop_check "memory returns after the load and flushes" \
	    [ "$rss_end" -le $((rss_base * 2 + 8192 + asan_kb)) ]
	iop_check "in.iked still runs $threads threads" \
	    [ "$(status_field Threads)" -eq $threads ]
	iop_check "ikeadm answers after the load" adm dump p1
	iop_check "the charon tunnel passes a ping after the load" tunnel_up

	# SIGTERM while Diffie-Hellman jobs are queued and running.
	# -L 3: ikeperf starts no tunnel after 3 s.  It is stopped right
	# after in.iked, so that it does not wait out its -w timeouts.
	ip netns exec "$IOP_NSC" "$ikeperf" -t 198.51.100.1 -T 192.0.2.1 \
	    -k dhjobs-new-psk-9876543210 -s 198.18.20.1 -a 2000 -n 2000 \
	    -c 32 -g 15 -f 15 -w 10000 -L 3 >/dev/null 2>&1 &
	gen_pid=$!
	iop_track "$gen_pid"
	sleep 1.5
	start_ms=$(date +%s%3N)
	iop_stop "$pid"
	status=$?
	stop_ms=$(($(date +%s%3N) - start_ms))
	iop_stop "$gen_pid" >/dev/null
	iop_log "in.iked stopped $stop_ms ms after SIGTERM with status $status"
	iop_check "in.iked exits 0 on SIGTERM during the load" [ $status -eq 0 ]
	iop_check "in.iked logs its stop" grep -q "in.iked stopped" "$log"
	iop_check "no routing rule of in.iked left" iop_not rule_left
	iop_check "no route of table 4500 left" \
	    [ -z "$(ip -n "$IOP_NSA" route show table 4500)" ]
	iop_check "no TUN device left" \
	    iop_not ip -n "$IOP_NSA" link show iked0
	iop_check "no XFRM policy left" \
	    [ -z "$(ip -n "$IOP_NSA" xfrm policy)" ]
}

# Rule "py" of dhpeer.py has PFS MODP-2048 (the global p2_pfs 14).
peers_mode() {
	start=$(lines)
	peer notify-before-mm5 >/dev/null
	iop_check "an encrypted Notify before MM5 ends the exchange" \
	    log_since "$start" 'peer 192\.0\.2\.130\[500\] rejected Phase 1 .*AUTHENTICATION-FAILED' 3

	iop_check "MM5 after 100 copies of MM3 is answered" \
	    peer mm3-retx -n 100
	start=$(lines)
	peer qm1-retx -n 100 >/dev/null
	iop_check "QM3 after 100 copies of QM1 installs the SAs" \
	    log_since "$start" 'IPsec SAs with 192\.0\.2\.130\[500\] installed'

	for v in 0 1 p-1 ones short; do
		start=$(lines)
		peer mm-ke --value "$v" >/dev/null
		iop_check "MM3 with KE $v: error names the peer" \
		    log_since "$start" '(Diffie-Hellman with|KE payload from) 192\.0\.2\.130\[500\]' 3
	done

	# Curve25519 and Curve448 stay in the event loop (in.iked(8),
	# THREADS), so a low-order value fails at MM3.
	for g in 31 32; do
		for v in 0 1; do
			start=$(lines)
			peer curve-ke --group "$g" --value "$v" >/dev/null
			iop_check "group $g KE u=$v: error names the peer" \
			    log_since "$start" 'Diffie-Hellman with 192\.0\.2\.130\[500\] failed: .*low-order' 3
		done
	done

	for v in 0 1 p-1 ones short; do
		start=$(lines)
		out=$(peer qm-ke --value "$v")
		iop_check "QM1 with KE $v: error names the peer without QM3" \
		    log_since "$start" 'PFS Diffie-Hellman with 192\.0\.2\.130\[500\] failed: .*INVALID-KEY-INFORMATION' 3
		iop_check "QM1 with KE $v: rejected without QM2" \
		    iop_not grep -q "QM2" <<<"$out"
	done

	finish_peers
}

# finish_peers: abandoned exchanges, then the checks that in.iked is
# unharmed and stops cleanly.
finish_peers() {
	rss_before=$(status_field VmRSS)
	peer vanish -n 200 >/dev/null
	peer qm1-vanish -n 50 >/dev/null
	# retry_limit 4 with retry_timer_max 2 gives up after about 8 s.
	sleep 10
	iop_check "abandoned Main Modes are gone" iop_not half_open_left
	rss_after=$(status_field VmRSS)
	iop_log "VmRSS before the abandoned exchanges $rss_before kB, after $rss_after kB"
	iop_check "abandoned exchanges release their memory" \
	    [ "$rss_after" -le $((rss_before + 8192 + asan_kb)) ]
	iop_check "in.iked still runs $threads threads" \
	    [ "$(status_field Threads)" -eq $threads ]
	iop_check "the charon tunnel passes a ping after the peers" \
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
	iop_stop "$pid"
	status=$?
	iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
}

case $mode in
load)
	load_mode
	;;
peers)
	peers_mode
	;;
*)
	echo "unknown mode $mode"
	exit 2
	;;
esac

iop_check "no sanitizer report in the log" \
    iop_not grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"
iop_summary
