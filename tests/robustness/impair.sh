# impair.sh: sourced by robust.sh (mode pluto).  libreswan pluto in the
# attacker's namespace initiates IKEv1 to in.iked with one impairment at a
# time (whack --impair).  After each: in.iked runs, its log names what it
# rejected, no ISAKMP SA with pluto became ACTIVE where authentication
# had to fail, the charon tunnel passes a ping, and no sanitizer spoke.
#
# pluto cannot install ESP here (the kernel has none), so a Quick Mode
# never completes on its side; the Main Mode is what is tested.
P=$C/pluto
iop_pluto_conf "$P" 192.0.2.130 198.51.100.1 192.0.2.200 192.0.2.1

# imp_active: cookies of the ACTIVE ISAKMP SAs with pluto, one a line.
imp_active() {
	"$ikeadm" -j -R "$A" dump p1 2>/dev/null |
	    grep '"remote_addr":"192.0.2.130"' | grep '"state":"ACTIVE"' |
	    sed -n 's/.*"initiator_cookie":"\(0x[0-9a-f]*\)".*/\1/p' | sort
}

# imp_grep PATTERN [TENTHS]: wait until in.iked's log, from where the
# case began, matches PATTERN.
imp_grep() {
	i=0
	until tail -c +"$from" "$log" | grep -Eq -- "$1"; do
		i=$((i + 1))
		[ $i -gt "${2:-100}" ] && return 1
		sleep 0.1
	done
}

# imp_case NAME IMPAIRMENT AUTH PATTERN [stop]: pluto initiates with
# IMPAIRMENT (several separated by spaces); PATTERN must appear in
# in.iked's log.  AUTH is "fail" when no new ISAKMP SA may become ACTIVE,
# "ok" when one must, "any" when either is fine.  With "stop" or
# "stop-ok", pluto is stopped (and sends its Deletes) once the SA is up,
# before PATTERN; with "stop" the SA must survive them.
imp_case() {
	name=$1 impair=$2 auth=$3 pattern=$4 stop=${5:-}
	[ -n "${IMPAIR_CASES:-}" ] &&
	    ! echo "$name" | grep -Eq -- "$IMPAIR_CASES" && return 0
	before=$(imp_active)
	from=$(($(wc -c <"$log") + 1))
	iop_pluto_start "$IOP_NSC" "$P"
	for i in $impair; do
		iop_whack "$P" --impair "$i" >"$P/impair.out" 2>&1 ||
		    echo "whack --impair $i failed: $(cat "$P/impair.out")"
	done
	iop_whack "$P" --initiate --name v1 --asynchronous >/dev/null 2>&1
	[ "$auth" = ok ] && imp_grep "$established"
	case $stop in
	stop*)
		after=$(imp_active)
		iop_stop "$IOP_PLUTO_PID"
		;;
	esac
	found=1
	imp_grep "$pattern" || found=0
	# Let a Main Mode that should fail have its chance to succeed.
	case $stop in
	stop*) ;;
	*)
		[ "$auth" = fail ] && sleep 0.5
		after=$(imp_active)
		iop_stop "$IOP_PLUTO_PID"
		;;
	esac
	new=$(comm -13 <(echo "$before") <(echo "$after") | grep -c .)
	why=""
	[ $found -eq 1 ] || why="$why; log lacks /$pattern/"
	if [ "$stop" = stop ]; then
		# The forged Delete must leave the SA in place.
		comm -12 <(echo "$after") <(imp_active) | grep -q . ||
		    why="$why; the SA is gone after a Delete with a bad HASH"
	fi
	kill -0 "$IOP_IKED_PID" 2>/dev/null || why="$why; in.iked is gone"
	case $auth in
	fail) [ "$new" -eq 0 ] || why="$why; $new new ACTIVE SA(s)" ;;
	ok) [ "$new" -ge 1 ] || why="$why; no ACTIVE SA with pluto" ;;
	esac
	iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1 >/dev/null 2>&1 ||
	    why="$why; the charon tunnel does not pass a ping"
	tail -c +"$from" "$log" |
	    grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" &&
	    why="$why; sanitizer report"
	if [ -z "$why" ]; then
		echo "PASS: pluto $name"
		IOP_PASS=$((IOP_PASS + 1))
	else
		echo "FAIL: pluto $name${why}"
		tail -c +"$from" "$log" | grep -v "debug:  " | tail -n 8 |
		    sed 's/^/    | /'
		IOP_FAIL=$((IOP_FAIL + 1))
	fi
}

me='192\.0\.2\.130\[500\]'
established="ISAKMP SA [^ ]+ established with $me"
authfail="authentication failed for peer $me"

imp_case "without impairment (control)" "" ok "$established"
# In libreswan 4.10 v1-hash-payload acts only together with
# v1-hash-exchange (Quick Mode, Informational, Delete), not on Main Mode
# HASH_I; hostile.py covers a wrong HASH_I.
imp_case "Quick Mode HASH(1) of zeros (v1-hash-exchange:quick)" \
    "v1-hash-exchange:quick v1-hash-payload:0" any \
    "HASH\\(1\\) of Quick Mode [0-9a-f]+ from $me does not verify"
imp_case "Quick Mode HASH(1) left out (v1-hash-exchange:quick)" \
    "v1-hash-exchange:quick v1-hash-payload:omit" any \
    "Quick Mode [0-9a-f]+ from $me does not start with a HASH payload"
imp_case "Quick Mode HASH(1) empty (v1-hash-exchange:quick)" \
    "v1-hash-exchange:quick v1-hash-payload:empty" any \
    "Quick Mode [0-9a-f]+ from $me does not decrypt to valid payloads \\(HASH payload at offset 28: empty body\\)"
imp_case "KE filled with 0x00 (ke-payload:0)" "ke-payload:0" fail \
    "Diffie-Hellman with $me failed: MODP public value is 0 or 1"
imp_case "Delete with a HASH(1) of zeros (v1-hash-exchange:delete)" \
    "v1-hash-exchange:delete v1-hash-payload:0 revival" ok \
    "Informational from $me without a valid HASH\\(1\\); ignored" stop
imp_case "Delete with a bogus Notify (ikev1-del-with-notify)" \
    "ikev1-del-with-notify revival" ok \
    "ISAKMP SA [^ ]+ with $me \\(rule \"attacker\"\\) removed: the peer sent a Delete" \
    stop-ok
# ke-payload:255 is left out: pluto 4.10 crashed (SIGSEGV) with it.
imp_case "KE left out (ke-payload:omit)" "ke-payload:omit" fail \
    "MM3 from $me lacks the Key Exchange payload"
imp_case "KE empty (ke-payload:empty)" "ke-payload:empty" fail \
    "KE payload from $me has 0 bytes|KE payload at offset"
imp_case "KE twice (ke-payload:duplicate)" "ke-payload:duplicate" fail \
    "Diffie-Hellman with $me failed|KE payload from $me|MM3 from $me"
imp_case "reserved ISAKMP flag (send-bogus-isakmp-flag)" \
    "send-bogus-isakmp-flag" fail \
    "malformed ISAKMP message from $me dropped: ISAKMP header: flags"
# major-version-bump, minor-version-bump and corrupt-encrypted change
# nothing in an IKEv1 Main Mode of pluto 4.10 (its SA came up with them),
# so they are not used; hostile.py sends those versions itself.
imp_case "IKE key length 0 (ike-key-length-attribute:0)" \
    "ike-key-length-attribute:0" any \
    "no acceptable Phase 1 proposal from $me|$established|peer $me rejected Phase 1"
imp_case "IKE key length 64 (ike-key-length-attribute:64)" \
    "ike-key-length-attribute:64" fail \
    "no acceptable Phase 1 proposal from $me"
imp_case "IKE key length left out (ike-key-length-attribute:omit)" \
    "ike-key-length-attribute:omit" any \
    "no acceptable Phase 1 proposal from $me|$established"
imp_case "every message sent twice (jacob-two-two)" "jacob-two-two" ok \
    "retransmitted message from $me, sending our stored reply again"
imp_case "duplicates of each incoming message (replay-duplicates)" \
    "replay-duplicates" ok "$established"
imp_case "earlier messages replayed forward (replay-forward)" \
    "replay-forward" ok "$established"
imp_case "earlier messages replayed backward (replay-backward)" \
    "replay-backward" ok "$established"
imp_case "second incoming message dropped (drop-incoming:2)" \
    "drop-incoming:2" ok "$established"
imp_case "second outgoing message dropped (drop-outgoing:2)" \
    "drop-outgoing:2" ok "$established"
imp_case "third outgoing message dropped (drop-outgoing:3)" \
    "drop-outgoing:3" ok "$established"
