#!/bin/sh
# bench.sh: build, run every benchmark of bench/ and write BENCHMARKS.md.
#
#   sh scripts/bench.sh          full run, about 10 minutes, needs root
#
# It measures, on this machine and in one run:
#   - the crypto floor (bench/cryptofloor): what one tunnel costs in
#     Diffie-Hellman, PRF, hash and cipher work, through src/crypto;
#   - the tunnel rate (bench/ikeperf): Main Mode + Quick Mode with PFS
#     from many source addresses, against in.iked (-B userspace and
#     -B none) and strongSwan charon with kernel-libipsec, interleaved,
#     with the CPU time per tunnel of the responder and of the generator,
#     which share the machine's cores;
#   - a profile of in.iked during a tunnel-rate run (perf);
#   - the SA table at scale: in.iked -B none filling its table, memory
#     per SA pair and the time of a Quick Mode on an existing SA as the
#     table grows, and bench/salookup timing the engine's lookups and
#     timer scan at 1k, 10k and 100k ISAKMP SAs;
#   - ESP throughput with iperf3 through an in.iked pair (userspace ESP)
#     and a charon pair (libipsec), AES-GCM and AES-CBC + HMAC-SHA-256,
#     with the CPU time both daemons of a pair spent on it, and
#     bench/espcost, the userspace cost of one ESP packet without sockets.
#
# Everything runs in two network namespaces made here, joined by a veth,
# with no default route.  A local route makes all of 198.18.0.0/15 local
# in the generator's namespace (adding 100,000 addresses one by one takes
# minutes), and the responder routes that prefix back through the veth.  Namespaces and processes are removed at
# the end, also on failure.
#
# Settings (environment): BENCH_RUNS (3), BENCH_TUNNELS per run (1500),
# BENCH_INFLIGHT (32), BENCH_SCALE target SAs (100000),
# BENCH_SCALE_SECONDS budget for filling the table (150),
# IKED_BENCH_BUILD (build-bench), BENCH_OUT (BENCHMARKS.md),
# BENCH_IKED_VERSION (the in.iked version to report; default: git),
# BENCH_PARTS, the parts to run (all of "floor rate profile scale esp"),
# BENCH_ESP_SECONDS per iperf3 run (3), BENCH_NETNS the namespaces'
# name prefix (bench).  BENCH_CASES (GROUP:PFS_GROUP, default "14:14
# 19:19 31:31 14:0") and BENCH_IMPLS (default "iked-userspace iked-none
# charon") select the tunnel-rate runs.
# BENCH_ESP_TESTS lists the iperf3 runs of the ESP part: "tcp" (the
# default), "tcp-reverse" from 203.0.113.1 to 192.0.2.1, "tcp-p4" with
# four streams, and "udp" with 1,300-byte datagrams at full rate.
# BENCH_GEN_WORKERS is the number of generator processes in the rate
# runs (1).  On two cores, 2 measured no faster because the responder
# needs one of them.  BENCH_GEN_WRAP prefixes the generator's command,
# e.g. "perf record -g -o /tmp/gen.data".
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${IKED_BENCH_BUILD:-$top/build-bench}
RUNS=${BENCH_RUNS:-3}
TUNNELS=${BENCH_TUNNELS:-1500}
INFLIGHT=${BENCH_INFLIGHT:-32}
GEN_WORKERS=${BENCH_GEN_WORKERS:-1}
SCALE=${BENCH_SCALE:-100000}
SCALE_SECONDS=${BENCH_SCALE_SECONDS:-150}
PARTS=${BENCH_PARTS:-floor rate profile scale esp}
ESP_TESTS=${BENCH_ESP_TESTS:-tcp}
ESP_SECONDS=${BENCH_ESP_SECONDS:-3}
OUT=${BENCH_OUT:-$top/BENCHMARKS.md}
PSK=ikeperf-psk-0123456789
T0=$(date +%s)

cd "$top" || exit 1
if [ ! -d "$build" ]; then
	meson setup "$build" >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || { echo "bench: the build failed"; exit 1; }

IKED_BUILD=$build
IOP_NAME=${BENCH_NETNS:-${IOP_NAME:-bench}}
. "$top/tests/interop/lib.sh"
iop_require_root
iop_require_iked
iop_require_charon
IKEPERF=$build/bench/ikeperf
IKEADM=$build/src/ikeadm/ikeadm
iop_setup
# Results and profiles go to the build folder, which outlives the run's
# temporary folder and is kept for a look afterwards.
WORK=$build/bench-run
rm -rf "$WORK"
mkdir -p "$WORK" || exit 1
RES=$WORK/results.txt
: >"$RES"

bench_log() {
	printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# bench_put KEY=VALUE...: one result line.
bench_put() {
	echo "$*" >>"$RES"
}

# bench_part NAME: whether BENCH_PARTS includes NAME.
bench_part() {
	case " $PARTS " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# ---- topology

iop_netns_pair
GEN=$IOP_NSA
RSP=$IOP_NSB
ip -n "$GEN" route add local 198.18.0.0/15 dev lo ||
    iop_die "cannot add the local route for 198.18.0.0/15"
ip -n "$RSP" route add 198.18.0.0/15 via 198.51.100.1 ||
    iop_die "cannot route 198.18.0.0/15 to the generator"

# ---- responders

group_sw() {
	case $1 in
	14) echo modp2048 ;;
	19) echo ecp256 ;;
	31) echo curve25519 ;;
	*) echo "modp$1" ;;
	esac
}

# iked_resp BACKEND GROUP PFS INNER_PREFIX: start in.iked as responder
# for all of 198.18.0.0/15; sets RESP_PID.  Returns 1 when in.iked does
# not accept the configuration (an unsupported group, for instance).
iked_resp() {
	local root
	root=$IOP_DIR/iked.$1.$2.$3.$$.$RANDOM
	iop_iked_root "$root"
	cat >"$root/etc/inet/ike/config" <<EOF
# in.iked benchmark responder
retry_timer_init 1
retry_timer_max 4
retry_limit 4
p2_pfs $3
{
	label "load"
	local_addr 198.51.100.2
	remote_addr 198.18.0.0/15
	p1_xform { auth_method preshared oakley_group $2 auth_alg sha256 encr_alg aes(128..128) }
}
EOF
	cat >"$root/etc/inet/secret/ike.preshared" <<EOF
{
	localidtype IP
	localid 198.51.100.2
	remoteidtype IP
	remoteid 198.18.0.0/15
	key "$PSK"
}
EOF
	chmod 600 "$root/etc/inet/secret/ike.preshared"
	cat >"$root/etc/inet/ipsecinit.conf" <<EOF
{ tsrc 198.51.100.2 tdst 198.18.0.0/15 laddr 203.0.113.1/32 raddr $4 } ipsec { encr_algs aes(128) encr_auth_algs hmac-sha256 sa shared }
EOF
	if ! "$IOP_IKED" -c -R "$root" >"$root/check.out" 2>&1; then
		bench_log "in.iked rejects group $2: $(grep -m1 error "$root/check.out")"
		return 1
	fi
	IOP_BACKEND=$1 iop_iked_start "$RSP" "$root"
	RESP_PID=$IOP_IKED_PID
	RESP_ROOT=$root
	# -d turns debug logging on; the benchmark runs at the default.
	"$IKEADM" -R "$root" set debug 0 >/dev/null 2>&1 ||
	    bench_log "ikeadm set debug 0 failed; in.iked logs debug lines"
	return 0
}

# charon_resp GROUP PFS: charon with kernel-libipsec as responder for
# all of 198.18.0.0/15; sets RESP_PID.
charon_resp() {
	local d g esp s
	d=$IOP_DIR/charon.$1.$2.$RANDOM
	mkdir -p "$d/run"
	for s in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private \
	    rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$d/$s"
	done
	g=$(group_sw "$1")
	esp=aes128-sha256
	[ "$2" != 0 ] && esp=$esp-$(group_sw "$2")
	# A hashed IKE SA table (the default is a single row), no updown.
	cat >"$d/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gmp pem pkcs1 x509 pubkey kdf kernel-libipsec kernel-netlink socket-default vici
  ikesa_table_size = 4096
  ikesa_table_segments = 16
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  retransmit_tries = 3
  filelog {
    bench {
      path = $d/charon.log
      append = no
      default = 1
    }
  }
  syslog {
    daemon { default = -1 }
    auth { default = -1 }
  }
  plugins {
    vici {
      socket = unix://$d/run/charon.vici
    }
  }
}
EOF
	cat >"$d/swanctl.conf" <<EOF
connections {
  load {
    version = 1
    aggressive = no
    local_addrs = 198.51.100.2
    remote_addrs = 198.18.0.0/15
    proposals = aes128-sha256-$g
    rekey_time = 4h
    dpd_delay = 0
    local { auth = psk
            id = 198.51.100.2 }
    remote { auth = psk
             id = %any }
    children {
      c {
        mode = tunnel
        local_ts = 203.0.113.1/32
        remote_ts = 198.19.0.0/16
        esp_proposals = $esp
        rekey_time = 1h
        life_time = 2h
        rand_time = 0
        start_action = none
      }
    }
  }
}
secrets {
  ike-load {
    secret = "$PSK"
  }
}
EOF
	iop_charon_start "$RSP" "$d"
	RESP_PID=$IOP_CHARON_PID
	RESP_ROOT=$d
	return 0
}

resp_stop() {
	iop_stop "$RESP_PID" >/dev/null 2>&1
	RESP_PID=""
}

# ikeperf_run SRC_BASE ARGS...: the generator in its namespace; prints
# its result line.
ikeperf_run() {
	local base
	base=$1
	shift
	ip netns exec "$GEN" ${BENCH_GEN_WRAP:-} "$IKEPERF" -t 198.51.100.2 -s "$base" \
	    -k "$PSK" -P "$RESP_PID" "$@" 2>/dev/null | grep '^ikeperf:'
}

# kv LINE KEY: the value of KEY=... in a result line.
kv() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# ---- 1. crypto floor

bench_floor() {
	bench_log "crypto floor"
	for r in $(seq "$RUNS"); do
		"$build/bench/cryptofloor" | sed "s/^cryptofloor: /floor run=$r /" \
		    >>"$RES"
	done
}

# ---- 2. tunnel rate, interleaved: every case and implementation once
# per round, so that the machine's load drifts over all of them alike.

bench_rate() {
	CASES=${BENCH_CASES:-14:14 19:19 31:31 14:0}
	IMPLS=${BENCH_IMPLS:-iked-userspace iked-none charon}
	addr_block=0
	for r in $(seq "$RUNS"); do
		for c in $CASES; do
			g=${c%:*} pfs=${c#*:}
			for impl in $IMPLS; do
				bench_log "round $r: $impl group $g pfs $pfs"
				case $impl in
				iked-userspace)
					iked_resp userspace "$g" "$pfs" 198.19.0.0/16 ||
					    { bench_put "rate impl=$impl group=$g pfs=$pfs run=$r unsupported=1"; continue; } ;;
				iked-none)
					iked_resp none "$g" "$pfs" 198.19.0.0/16 ||
					    { bench_put "rate impl=$impl group=$g pfs=$pfs run=$r unsupported=1"; continue; } ;;
				charon)
					charon_resp "$g" "$pfs" ;;
				esac
				# A fresh block of 2048 source addresses for every
				# run; the inner addresses are the same in 198.19/16.
				base=198.18.$(((addr_block % 30) * 8)).1
				addr_block=$((addr_block + 1))
				line=$(ikeperf_run "$base" -a 2000 -n "$TUNNELS" \
				    -c "$INFLIGHT" -g "$g" -f "$pfs" -w 15000 -L 60 \
				    -W "$GEN_WORKERS")
				resp_stop
				# The generator's own engine may reject the group.
				case $line in
				*ok=*) ;;
				*) bench_put "rate impl=$impl group=$g pfs=$pfs run=$r unsupported=generator"
				   continue ;;
				esac
				bench_put "rate impl=$impl group=$g pfs=$pfs run=$r ${line#ikeperf: }"
			done
		done
	done
}

# ---- 3. profile of in.iked during a tunnel-rate run

# bench_perf_top DATA N: the share of each binary, then the N symbols
# with the most self time.
bench_perf_top() {
	perf report -i "$1" --stdio --no-children --sort dso -g none \
	    --percent-limit 2 2>/dev/null | grep -E '^ +[0-9.]+%' |
	    sed 's/ *$//'
	echo
	perf report -i "$1" --stdio --no-children --sort symbol -g none \
	    --percent-limit 1 2>/dev/null | grep -E '^ +[0-9.]+%' |
	    sed 's/ *$//' | head -n "$2"
}

PROFILE=$WORK/profile.txt
: >"$PROFILE"
bench_profile() {
	if perf record -q -o "$WORK/perf.try" -- true >/dev/null 2>&1; then
		bench_log "profile: in.iked -B userspace, group 19 with PFS"
		iked_resp userspace 19 19 198.19.0.0/16
		perf record -q -F 997 -g -p "$RESP_PID" -o "$WORK/perf.data" \
		    >/dev/null 2>&1 &
		perf_pid=$!
		sleep 0.5
		line=$(ikeperf_run 198.18.0.1 -a 4000 -n 1500 -c "$INFLIGHT" \
		    -g 19 -f 19 -L 60)
		kill -INT "$perf_pid"
		wait "$perf_pid"
		resp_stop
		bench_put "profile ${line#ikeperf: }"
		bench_perf_top "$WORK/perf.data" 16 >"$PROFILE"
	fi
}

# ---- 4. the SA table at scale (in.iked -B none)

bench_scale() {
	bench_log "scale: filling in.iked's table towards $SCALE SA pairs"
	iked_resp none 19 0 198.18.0.0/15
	rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$RESP_PID/status")
	bench_put "scale stage=0 sas=0 rss_kb=$rss0"
	filled=0
	stage=0
	scale_t0=$(date +%s)
	for target in 1000 10000 $SCALE; do
		[ "$target" -gt "$filled" ] || continue
		left=$((SCALE_SECONDS - ($(date +%s) - scale_t0)))
		[ $left -gt 5 ] || break
		stage=$((stage + 1))
		n=$((target - filled))
		# Inner address = source address; the policy covers the whole /15.
		base=$(python3 -c "import ipaddress; print(ipaddress.ip_address('198.18.0.1') + $filled)")
		line=$(ikeperf_run "$base" -a "$n" -n "$n" -c 64 -g 19 -f 0 -i 0 \
		    -w 30000 -L "$left")
		ok=$(kv "$line" ok)
		filled=$((filled + ${ok:-0}))
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$RESP_PID/status")
		# A probe: 10 new tunnels, each followed by 10 Quick Modes on its
		# ISAKMP SA, one at a time, from addresses outside the filled range.
		probe=$(ikeperf_run "198.19.250.$((stage * 16))" -a 10 -n 10 -c 1 \
		    -g 19 -f 0 -i 0 -q 10)
		bench_log "scale: $filled SA pairs held, RSS $rss kB"
		bench_put "scale stage=$stage sas=$filled rss_kb=$rss fill_rate=$(kv "$line" rate) fill_s=$(kv "$line" wall_s) probe_p50_ms=$(kv "$probe" p50_ms) qm_p50_ms=$(kv "$probe" qm_p50_ms) qm_p99_ms=$(kv "$probe" qm_p99_ms)"
		[ "$filled" -ge "$target" ] || break
	done
	# Profile a few tunnels against the full table.
	if [ -s "$PROFILE" ]; then
		perf record -q -F 997 -g -p "$RESP_PID" -o "$WORK/perf2.data" \
		    >/dev/null 2>&1 &
		perf_pid=$!
		sleep 0.5
		ikeperf_run 198.19.251.1 -a 200 -n 200 -c 16 -g 19 -f 0 -i 0 -L 20 \
		    >/dev/null
		kill -INT "$perf_pid"
		wait "$perf_pid"
		bench_perf_top "$WORK/perf2.data" 10 >"$WORK/profile2.txt"
	fi
	resp_stop

	# The engine's per-message table work at 1k, 10k and 100k ISAKMP SAs,
	# in one process: the daemon cannot reach 100k within the budget.
	bench_log "scale: engine lookups at 1k, 10k and 100k SAs"
	"$build/bench/salookup" | sed 's/^salookup: /lookup /' >>"$RES"
}

# ---- 5. ESP throughput with iperf3

# esp_iked ESP_PROPS CIPHER RUN: the ESP tests through an in.iked pair.
esp_iked() {
	local a b d pa pb
	a=$IOP_DIR/esp-a.$RANDOM b=$IOP_DIR/esp-b.$RANDOM
	iop_iked_conf "$a" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
	iop_iked_conf "$b" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	for d in "$a" "$b"; do
		sed -i "s/ipsec { .* }/ipsec { $1 sa shared }/" \
		    "$d/etc/inet/ipsecinit.conf"
	done
	IOP_BACKEND=userspace iop_iked_start "$RSP" "$b"
	pb=$IOP_IKED_PID
	IOP_BACKEND=userspace iop_iked_start "$GEN" "$a"
	pa=$IOP_IKED_PID
	"$IKEADM" -R "$a" set debug 0 >/dev/null 2>&1
	"$IKEADM" -R "$b" set debug 0 >/dev/null 2>&1
	if iop_ping "$GEN" 192.0.2.1 203.0.113.1 10 >/dev/null; then
		esp_tests iked "$2" "$3" "$pa" "$pb"
	else
		esp_tests iked "$2" "$3"
	fi
	iop_stop "$pa" >/dev/null 2>&1
	iop_stop "$pb" >/dev/null 2>&1
}

# esp_charon SW_ESP CIPHER RUN: the ESP tests through a charon pair with
# kernel-libipsec.
esp_charon() {
	local a b pa pb
	a=$IOP_DIR/esp-ca.$RANDOM b=$IOP_DIR/esp-cb.$RANDOM
	iop_charon_conf "$a"
	iop_charon_conf "$b"
	SW_ESP=$1 iop_swanctl_conf "$a" 198.51.100.1 198.51.100.2 192.0.2.1 \
	    203.0.113.1
	SW_ESP=$1 iop_swanctl_conf "$b" 198.51.100.2 198.51.100.1 \
	    203.0.113.1 192.0.2.1
	iop_charon_start "$RSP" "$b"
	pb=$IOP_CHARON_PID
	iop_charon_start "$GEN" "$a"
	pa=$IOP_CHARON_PID
	if iop_sw "$a" --initiate --ike v1 --child v1c --timeout 15 \
	    >"$a/initiate.out" 2>&1 &&
	    iop_ping "$GEN" 192.0.2.1 203.0.113.1 10 >/dev/null; then
		esp_tests charon "$2" "$3" "$pa" "$pb"
	else
		esp_tests charon "$2" "$3"
	fi
	iop_stop "$pa" >/dev/null 2>&1
	iop_stop "$pb" >/dev/null 2>&1
}

# esp_tests IMPL CIPHER RUN [PID_A PID_B]: one result line per test of
# BENCH_ESP_TESTS; without the daemons' PIDs the tunnel is not up.
esp_tests() {
	local t line
	for t in $ESP_TESTS; do
		line=
		[ $# -ge 5 ] && line=$(esp_iperf "$t" "$4" "$5")
		bench_put "esp impl=$1 cipher=$2 test=$t run=$3 $line"
	done
}

# esp_cpu PID...: the user and system clock ticks of the processes.
esp_cpu() {
	local p t=0 n
	for p in "$@"; do
		n=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null)
		t=$((t + ${n:-0}))
	done
	echo "$t"
}

# esp_iperf TEST PID_A PID_B: one iperf3 run through the tunnel; prints
# "mbps=... mbytes=... cpu_s=..." or nothing when iperf3 failed.  cpu_s
# is the user and system time the two daemons spent during the run.
esp_iperf() {
	local sp args c0 c1 out
	case $1 in
	tcp) args= ;;
	tcp-reverse) args=-R ;;
	tcp-p4) args="-P 4" ;;
	udp) args="-u -b 0 -l 1300" ;;
	*) bench_log "unknown ESP test $1 in BENCH_ESP_TESTS"; return ;;
	esac
	ip netns exec "$RSP" iperf3 -s -B 203.0.113.1 -1 >/dev/null 2>&1 &
	sp=$!
	iop_track "$sp"
	sleep 0.3
	c0=$(esp_cpu "$2" "$3")
	out=$(ip netns exec "$GEN" timeout $((ESP_SECONDS + 17)) iperf3 \
	    -c 203.0.113.1 -B 192.0.2.1 -t "$ESP_SECONDS" -J $args 2>/dev/null)
	c1=$(esp_cpu "$2" "$3")
	iop_stop "$sp" >/dev/null 2>&1
	echo "$out" | python3 -c '
import json, sys
try:
    end = json.load(sys.stdin)["end"]
    got = end.get("sum_received") or end["sum"]
    print("mbps=%.1f mbytes=%.1f cpu_s=%.2f" % (
        got["bits_per_second"] / 1e6, got["bytes"] / 1e6,
        int(sys.argv[1]) / int(sys.argv[2])))
except Exception:
    pass' "$((c1 - c0))" "$(getconf CLK_TCK)"
}

bench_esp() {
	local r cipher ik sw
	for r in $(seq "$RUNS"); do
		for cipher in gcm cbc; do
			if [ $cipher = gcm ]; then
				ik="encr_algs aes-gcm(128)" sw=aes128gcm16
			else
				ik="encr_algs aes(128) encr_auth_algs hmac-sha256"
				sw=aes128-sha256
			fi
			bench_log "round $r: ESP $cipher, in.iked pair"
			esp_iked "$ik" "$cipher" "$r"
			bench_log "round $r: ESP $cipher, charon pair"
			esp_charon "$sw" "$cipher" "$r"
		done
	done
	bench_log "ESP: userspace cost per packet"
	for r in $(seq "$RUNS"); do
		"$build/bench/espcost" | sed "s/^espcost: /espcost run=$r /" \
		    >>"$RES"
	done
}

bench_part floor && bench_floor
bench_part rate && bench_rate
bench_part profile && bench_profile
bench_part scale && bench_scale
bench_part esp && bench_esp

# ---- 6. the report

T1=$(date +%s)
{
	echo "machine nproc=$(nproc)"
	echo "machine cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1 | tr ' ' '_')"
	echo "machine mem_kb=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
	echo "machine kernel=$(uname -r)"
	echo "machine inflight=$INFLIGHT"
	echo "machine load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
	if [ -n "${BENCH_IKED_VERSION:-}" ]; then
		echo "version iked=$BENCH_IKED_VERSION"
	else
		echo "version iked=$(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- src || echo -dirty)"
	fi
	echo "version strongswan=$(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null)"
	echo "version openssl=$(openssl version | cut -d' ' -f2)"
	echo "version date=$(date -u +%Y-%m-%dT%H:%MZ)"
	echo "version seconds=$((T1 - T0))"
} >>"$RES"
python3 "$top/bench/report.py" "$RES" "$PROFILE" "$WORK/profile2.txt" \
    >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
bench_log "wrote $OUT in $((T1 - T0)) s"
exit 0
