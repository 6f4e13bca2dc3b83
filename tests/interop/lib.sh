# lib.sh: helpers for the interop tests, which run in.iked against real
# peers (strongSwan charon with kernel-libipsec, libreswan pluto, another
# in.iked) in network namespaces.  Source it from a test script with bash.
#
# Topology made by iop_netns_pair:
#
#   netns $IOP_NSA                               netns $IOP_NSB
#   lo 192.0.2.1/32, 2001:db8:a::1/128           lo 203.0.113.1/32, 2001:db8:b::1/128
#   veth0 198.51.100.1/24 <----- veth pair -----> veth0 198.51.100.2/24
#         2001:db8:1::1/64                              2001:db8:1::2/64
#
# There is no default route, so nothing leaves the two namespaces.  Every
# process a test starts is recorded, and the EXIT trap stops it, waits for
# it and deletes the namespaces, on failure too.  All files live in one
# mktemp -d folder, removed at the end unless IOP_KEEP=1.  IOP_NS_PREFIX,
# when set, starts every namespace name, to keep concurrent runs apart.
#
# A script prints one PASS or FAIL line per check and ends with
# "N passed, N failed"; it exits 0 when all passed, 77 when skipped.

IOP_NAME=${IOP_NAME:-iop}
IOP_PSK=${IOP_PSK:-test-psk-0123456789}
IOP_LIBRESWAN=${LIBRESWAN_ROOT:-/opt/libreswan}
IOP_CHARON=/usr/lib/ipsec/charon
IOP_PASS=0
IOP_FAIL=0
IOP_PIDS=""
IOP_NETNS=""
IOP_DIR=""

iop_log() {
	printf '%s %s\n' "$(date +%H:%M:%S.%N | cut -c1-12)" "$*"
}

iop_skip() {
	echo "SKIP: $*"
	exit 77
}

iop_die() {
	echo "FAIL: $*"
	IOP_FAIL=$((IOP_FAIL + 1))
	exit 1
}

# iop_die_log FILE MESSAGE: print the end of FILE, then iop_die.  The
# folder that contains FILE is removed at the exit.
iop_die_log() {
	if [ -f "$1" ]; then
		echo "last lines of $1:"
		tail -n 30 "$1" | sed 's/^/    /'
	fi
	shift
	iop_die "$@"
}

# iop_check DESCRIPTION COMMAND...: run COMMAND, count and print the result.
iop_check() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "PASS: $desc"
		IOP_PASS=$((IOP_PASS + 1))
		return 0
	fi
	echo "FAIL: $desc"
	IOP_FAIL=$((IOP_FAIL + 1))
	return 1
}

# iop_not COMMAND...: succeed when COMMAND fails.
iop_not() {
	! "$@"
}

iop_summary() {
	echo "$IOP_PASS passed, $IOP_FAIL failed"
	[ "$IOP_FAIL" -eq 0 ]
}

iop_require_root() {
	[ "$(id -u)" -eq 0 ] ||
	    iop_skip "needs root to create network namespaces"
	ip netns list >/dev/null 2>&1 ||
	    iop_skip "ip netns does not work here"
}

iop_require_charon() {
	[ -x "$IOP_CHARON" ] && command -v swanctl >/dev/null 2>&1 ||
	    iop_skip "strongSwan charon and swanctl are not installed (run scripts/deps.sh)"
	[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
	    iop_skip "strongSwan kernel-libipsec is not installed (libcharon-extra-plugins)"
}

iop_require_pluto() {
	[ -x "$IOP_LIBRESWAN/usr/libexec/ipsec/pluto" ] ||
	    iop_skip "libreswan is not unpacked in $IOP_LIBRESWAN (run scripts/deps.sh)"
	command -v certutil >/dev/null 2>&1 ||
	    iop_skip "certutil is not installed (libnss3-tools)"
}

iop_require_nft() {
	command -v nft >/dev/null 2>&1 ||
	    iop_skip "nft is not installed (nftables): no NAT between the peers"
}

iop_require_tshark() {
	command -v dumpcap >/dev/null 2>&1 && command -v tshark >/dev/null 2>&1 ||
	    iop_skip "dumpcap and tshark are not installed"
}

iop_require_iked() {
	IOP_IKED=${IKED_BUILD:-}/src/daemon/in.iked
	[ -x "$IOP_IKED" ] ||
	    iop_skip "in.iked not built at $IOP_IKED (set IKED_BUILD)"
	IOP_IKED=$(realpath "$IOP_IKED")
}

# Stop every recorded process, wait for it, delete the namespaces.
iop_cleanup() {
	rc=$?
	trap - EXIT INT TERM
	for p in $IOP_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done

	for p in $IOP_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for ns in $IOP_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done

	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$IOP_DIR" ]; then
		for f in "$IOP_DIR"/*.log "$IOP_DIR"/*/*.log; do
			[ -f "$f" ] || continue
			echo "---- last lines of $f"
			tail -n 40 "$f"
		done
	fi

	if [ -n "$IOP_DIR" ] && [ "${IOP_KEEP:-0}" != 1 ]; then
		rm -rf "$IOP_DIR"
	elif [ -n "$IOP_DIR" ]; then
		echo "kept $IOP_DIR"
	fi
	exit "$rc"
}

iop_setup() {
	IOP_DIR=$(mktemp -d "/tmp/iop-$IOP_NAME.XXXXXX") ||
	    iop_die "mktemp failed"
	IOP_NSA="${IOP_NS_PREFIX:-}${IOP_NAME}A$$"
	IOP_NSB="${IOP_NS_PREFIX:-}${IOP_NAME}B$$"
	trap iop_cleanup EXIT
	trap 'exit 1' INT TERM
}

# iop_track PID: stop PID at the end of the test.
iop_track() {
	IOP_PIDS="$1 $IOP_PIDS"
}

# iop_stop PID: SIGTERM, then wait up to 5 s for it; returns its status.
iop_stop() {
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
	st=$?
	IOP_PIDS=$(echo " $IOP_PIDS " | sed "s/ $1 / /")
	return $st
}

# iop_netns_add NAME: a namespace with lo up, deleted at the end.
iop_netns_add() {
	ip netns add "$1" || iop_die "ip netns add $1 failed"
	IOP_NETNS="$1 $IOP_NETNS"
	ip -n "$1" link set lo up
}

iop_netns_pair() {
	iop_netns_add "$IOP_NSA"
	iop_netns_add "$IOP_NSB"
	ip link add veth0 netns "$IOP_NSA" type veth peer name veth0 \
	    netns "$IOP_NSB" || iop_die "creating the veth pair failed"
	ip -n "$IOP_NSA" addr add 198.51.100.1/24 dev veth0
	ip -n "$IOP_NSB" addr add 198.51.100.2/24 dev veth0
	ip -n "$IOP_NSA" addr add 2001:db8:1::1/64 dev veth0 nodad
	ip -n "$IOP_NSB" addr add 2001:db8:1::2/64 dev veth0 nodad
	ip -n "$IOP_NSA" addr add 192.0.2.1/32 dev lo
	ip -n "$IOP_NSB" addr add 203.0.113.1/32 dev lo
	ip -n "$IOP_NSA" addr add 2001:db8:a::1/128 dev lo nodad
	ip -n "$IOP_NSB" addr add 2001:db8:b::1/128 dev lo nodad
	ip -n "$IOP_NSA" link set veth0 up
	ip -n "$IOP_NSB" link set veth0 up
}

# iop_netns_attacker: after iop_netns_pair, a third namespace $IOP_NSC
# behind $IOP_NSA: vatk 192.0.2.129/26 in A, veth0 192.0.2.130/26 in C,
# and a route from C to 198.51.100.0/24 through A.  A's reverse-path
# filter is off, so that C may send with a forged source address.
iop_netns_attacker() {
	IOP_NSC="${IOP_NS_PREFIX:-}${IOP_NAME}C$$"
	iop_netns_add "$IOP_NSC"
	ip link add vatk netns "$IOP_NSA" type veth peer name veth0 \
	    netns "$IOP_NSC" || iop_die "creating the veth pair A-C failed"
	ip -n "$IOP_NSA" addr add 192.0.2.129/26 dev vatk
	ip -n "$IOP_NSC" addr add 192.0.2.130/26 dev veth0
	ip -n "$IOP_NSA" link set vatk up
	ip -n "$IOP_NSC" link set veth0 up
	ip -n "$IOP_NSC" route add 198.51.100.0/24 via 192.0.2.129
	ip netns exec "$IOP_NSA" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.vatk.rp_filter=0
}

# iop_netns_nat: $IOP_NSA and $IOP_NSB joined through $IOP_NSN, a router
# that masquerades everything leaving towards B with random source ports,
# as a home NAT does:
#
#   A veth0 198.51.100.1/24 -- N 198.51.100.254 | 203.0.113.254 -- B veth0 203.0.113.2/24
#   A lo 192.0.2.1/32                                               B lo 192.0.2.129/32
#
# A routes only 203.0.113.0/24 through N; B needs no route back.
iop_netns_nat() {
	IOP_NSN="${IOP_NS_PREFIX:-}${IOP_NAME}N$$"
	iop_netns_add "$IOP_NSA"
	iop_netns_add "$IOP_NSB"
	iop_netns_add "$IOP_NSN"
	ip link add veth0 netns "$IOP_NSA" type veth peer name vetha \
	    netns "$IOP_NSN" || iop_die "creating the veth pair A-N failed"
	ip link add veth0 netns "$IOP_NSB" type veth peer name vethb \
	    netns "$IOP_NSN" || iop_die "creating the veth pair B-N failed"
	ip -n "$IOP_NSA" addr add 198.51.100.1/24 dev veth0
	ip -n "$IOP_NSN" addr add 198.51.100.254/24 dev vetha
	ip -n "$IOP_NSN" addr add 203.0.113.254/24 dev vethb
	ip -n "$IOP_NSB" addr add 203.0.113.2/24 dev veth0
	ip -n "$IOP_NSA" addr add 192.0.2.1/32 dev lo
	ip -n "$IOP_NSB" addr add 192.0.2.129/32 dev lo
	ip -n "$IOP_NSA" link set veth0 up
	ip -n "$IOP_NSB" link set veth0 up
	ip -n "$IOP_NSN" link set vetha up
	ip -n "$IOP_NSN" link set vethb up
	ip -n "$IOP_NSA" route add 203.0.113.0/24 via 198.51.100.254
	ip netns exec "$IOP_NSN" sysctl -q -w net.ipv4.ip_forward=1
	ip netns exec "$IOP_NSN" nft -f - <<EOF || iop_die "nft masquerade failed"
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "vethb" masquerade random
	}
}
EOF
}

# iop_wait_path PATH [SECONDS]
iop_wait_path() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt $((${2:-5} * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# iop_wait_gone PATH [SECONDS]
iop_wait_gone() {
	i=0
	while [ -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt $((${2:-5} * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# iop_wait_grep FILE PATTERN [SECONDS]: wait until grep -E finds PATTERN.
iop_wait_grep() {
	i=0
	until grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $((${3:-5} * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# iop_wait_count FILE PATTERN N [SECONDS]: wait until grep -E counts at
# least N lines matching PATTERN.
iop_wait_count() {
	i=0
	until [ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; do
		i=$((i + 1))
		[ $i -gt $((${4:-5} * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# iop_ping NS SRC DST [SECONDS]: retry single pings until one gets a reply.
# The first packets on in.iked's side only trigger the negotiation.
iop_ping() {
	end=$(($(date +%s) + ${4:-10}))
	while [ "$(date +%s)" -lt "$end" ]; do
		ip netns exec "$1" ping -n -c 1 -W 1 -I "$2" "$3" \
		    >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# iop_ping_ok NS SRC DST: three pings in a row, each with a reply.
iop_ping_ok() {
	ip netns exec "$1" ping -n -c 3 -i 0.2 -W 2 -I "$2" "$3"
}

# ---- in.iked

# iop_iked_root ROOT: the folders of the Solaris files under ROOT.
iop_iked_root() {
	mkdir -p "$1/etc/inet/ike" "$1/etc/inet/secret" "$1/var/run"
	chmod 700 "$1/etc/inet/secret"
}

# iop_iked_conf ROOT LOCAL REMOTE LINNER RINNER: write the three files for
# one tunnel from LOCAL to REMOTE protecting LINNER <-> RINNER (host
# addresses).  Algorithms come from these variables:
#   IKE_ENCR "aes(128..128)"  IKE_HASH sha1  IKE_GROUP 14  P2_PFS 14
#   ESP_ENCR "aes(128)"  ESP_AUTH hmac-sha1  PSK (default $IOP_PSK)
#   IKE_GLOBALS: extra global lines, e.g. retransmission settings
#   IKE_LOCAL_ADDR: local_addr of the rule when not LOCAL (a prefix)
iop_iked_conf() {
	root=$1 laddr=$2 raddr=$3 linner=$4 rinner=$5
	iop_iked_root "$root"
	cat >"$root/etc/inet/ike/config" <<EOF
# in.iked interop test: $laddr <-> $raddr
retry_timer_init 0.5
retry_timer_max 2
retry_limit 4
p2_pfs ${P2_PFS:-14}
${IKE_GLOBALS:-}
{
	label "peer"
	local_addr ${IKE_LOCAL_ADDR:-$laddr}
	remote_addr $raddr
	p1_xform { auth_method preshared oakley_group ${IKE_GROUP:-14} auth_alg ${IKE_HASH:-sha1} encr_alg ${IKE_ENCR:-aes(128..128)} }
}
EOF
	cat >"$root/etc/inet/secret/ike.preshared" <<EOF
# in.iked interop test
{
	localidtype IP
	localid $laddr
	remoteidtype IP
	remoteid $raddr
	key "${PSK:-$IOP_PSK}"
}
EOF
	chmod 600 "$root/etc/inet/secret/ike.preshared"
	case $linner in
	*:*) plen=128 ;;
	*) plen=32 ;;
	esac
	cat >"$root/etc/inet/ipsecinit.conf" <<EOF
# in.iked interop test: tunnel $linner <-> $rinner through $laddr <-> $raddr
{ tsrc $laddr tdst $raddr laddr $linner/$plen raddr $rinner/$plen } ipsec { encr_algs ${ESP_ENCR:-aes(128)} encr_auth_algs ${ESP_AUTH:-hmac-sha1} sa shared }
EOF
}

# iop_iked_start NS ROOT [ARGS...]: in.iked -d in NS; sets IOP_IKED_PID.
# Output goes to ROOT/iked.log; waits until the daemon runs.  The SA
# backend is IOP_BACKEND, userspace by default.
iop_iked_start() {
	ns=$1 root=$2
	shift 2
	ip netns exec "$ns" "$IOP_IKED" -d -R "$root" \
	    -B "${IOP_BACKEND:-userspace}" "$@" \
	    </dev/null >"$root/iked.log" 2>&1 &
	IOP_IKED_PID=$!
	iop_track "$IOP_IKED_PID"
	i=0
	while ! grep -q "in.iked running" "$root/iked.log" &&
	    kill -0 "$IOP_IKED_PID" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	grep -q "in.iked running" "$root/iked.log" ||
	    iop_die_log "$root/iked.log" \
	    "in.iked did not start in $ns (see $root/iked.log)"
}

# ---- strongSwan charon

# iop_charon_conf DIR: strongswan.conf with kernel-libipsec, fast
# retransmits, a file log and the vici socket in DIR/run.
iop_charon_conf() {
	mkdir -p "$1/run"
	for s in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private \
	    rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$1/$s"
	done
	cat >"$1/strongswan.conf" <<EOF
# strongswan.conf of an interop peer; STRONGSWAN_CONF selects it
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 md5 hmac gmp pem pkcs1 x509 pubkey kdf kernel-libipsec kernel-netlink socket-default vici updown
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  retransmit_tries = 3
  filelog {
    peer {
      path = $1/charon.log
      time_format = %H:%M:%S
      append = no
      flush_line = yes
      default = 1
      ike = 2
      chd = 2
      cfg = 2
      knl = 2
      net = 1
      enc = 1
    }
  }
  syslog {
    daemon { default = -1 }
    auth { default = -1 }
  }
  plugins {
    vici {
      socket = unix://$1/run/charon.vici
    }
  }
}
swanctl {
  load = pem pkcs1 pkcs8 x509 pubkey openssl random
}
EOF
}

# iop_swanctl_conf DIR LOCAL REMOTE LINNER RINNER: one IKEv1 connection
# "v1" with child "v1c".  Proposals: SW_IKE, SW_ESP; PSK as for in.iked.
iop_swanctl_conf() {
	case $4 in
	*:*) plen=128 ;;
	*) plen=32 ;;
	esac
	cat >"$1/swanctl.conf" <<EOF
connections {
  v1 {
    version = 1
    aggressive = no
    local_addrs = $2
    remote_addrs = $3
    proposals = ${SW_IKE:-aes128-sha1-modp2048}
    rekey_time = ${SW_IKE_REKEY:-4h}
    dpd_delay = ${SW_DPD:-0}
    local { auth = psk
            id = $2 }
    remote { auth = psk
             id = $3 }
    children {
      v1c {
        mode = tunnel
        local_ts = $4/$plen
        remote_ts = $5/$plen
        esp_proposals = ${SW_ESP:-aes128-sha1-modp2048}
        rekey_time = ${SW_CHILD_REKEY:-1h}
        life_time = ${SW_CHILD_LIFE:-2h}
        rand_time = 0
        start_action = none
      }
    }
  }
}
secrets {
  ike-peer {
    id-1 = $2
    id-2 = $3
    secret = "${SW_PSK:-$IOP_PSK}"
  }
}
EOF
}

# iop_charon_start NS DIR: charon in NS with its own /run; sets
# IOP_CHARON_PID and loads DIR/swanctl.conf.
iop_charon_start() {
	rm -f "$2/run/charon.pid" "$2/run/charon.vici"
	ip netns exec "$1" sh -c '
		mount --bind "$1/run" /run || exit 1
		STRONGSWAN_CONF="$1/strongswan.conf" exec "$2"
	' charon-sh "$2" "$IOP_CHARON" </dev/null >"$2/charon.stdout" 2>&1 &
	IOP_CHARON_PID=$!
	iop_track "$IOP_CHARON_PID"
	iop_wait_path "$2/run/charon.vici" 10 ||
	    iop_die_log "$2/charon.log" \
	    "charon did not start in $1 (see $2/charon.log)"
	iop_sw "$2" --load-all --file "$2/swanctl.conf" >"$2/load.out" 2>&1 ||
	    iop_die "swanctl --load-all failed (see $2/load.out)"
}

# iop_charon_pair: the namespace pair with in.iked (root A=$IOP_DIR/iked)
# in $IOP_NSA and charon (B=$IOP_DIR/charon) in $IOP_NSB, one tunnel
# 192.0.2.1 <-> 203.0.113.1 between 198.51.100.1 and 198.51.100.2, both
# started.  The variables of iop_iked_conf, such as IKE_GLOBALS, apply.
iop_charon_pair() {
	iop_netns_pair
	A=$IOP_DIR/iked B=$IOP_DIR/charon
	mkdir -p "$A" "$B"
	iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
	iop_charon_conf "$B"
	iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	iop_charon_start "$IOP_NSB" "$B"
	iop_iked_start "$IOP_NSA" "$A"
}

# iop_sw DIR ARGS...: swanctl against the charon of DIR.
iop_sw() {
	d=$1
	shift
	STRONGSWAN_CONF="$d/strongswan.conf" swanctl "$@" \
	    --uri "unix://$d/run/charon.vici"
}

# iop_sw_spis DIR: "SPI-IN SPI-OUT" of the newest child SA in state
# INSTALLED (a rekeyed one is REKEYED).  The raw listing is one line per
# IKE SA, so it is split at each child SA first.
iop_sw_spis() {
	iop_sw "$1" --list-sas --raw 2>/dev/null | tr '{' '\n' |
	    sed -n 's/.*state=INSTALLED.* spi-in=\([0-9a-f]*\) spi-out=\([0-9a-f]*\).*/\1 \2/p' |
	    tail -n 1
}

# ---- libreswan pluto

# iop_pluto_conf DIR LOCAL REMOTE LINNER RINNER: IKEv1 conn "v1".
iop_pluto_conf() {
	mkdir -p "$1/run" "$1/ipsec.d/policies" "$1/nss"
	cat >"$1/ipsec.conf" <<EOF
config setup
    ikev1-policy=accept
    logfile=$1/pluto.log
    logappend=no
    logtime=yes
    plutodebug=base
    dumpdir=$1/run
    nssdir=$1/nss
    ipsecdir=$1/ipsec.d
    secretsfile=$1/ipsec.secrets

conn v1
    ikev2=no
    authby=secret
    left=$2
    leftid=$2
    leftsubnet=$4/32
    right=$3
    rightid=$3
    rightsubnet=$5/32
    leftupdown=/bin/true
    ikelifetime=8h
    salifetime=1h
    rekey=no
    retransmit-timeout=10s
    ike=${LS_IKE:-aes128-sha1;modp2048}
    phase2=esp
    phase2alg=${LS_ESP:-aes128-sha1;modp2048}
    pfs=yes
    auto=add
EOF
	printf '%s %s : PSK "%s"\n' "$2" "$3" "$IOP_PSK" >"$1/ipsec.secrets"
	chmod 600 "$1/ipsec.secrets"
	certutil -N -d "sql:$1/nss" --empty-password >/dev/null 2>&1
}

# iop_pluto_start NS DIR: pluto in NS (bind mount of its libexec over
# /usr/libexec, which pluto hard-codes); sets IOP_PLUTO_PID.
iop_pluto_start() {
	rm -f "$2/run/pluto.pid" "$2/run/pluto.ctl" "$2/pluto.log"
	ip netns exec "$1" sh -c '
		mount --bind "$2/usr/libexec" /usr/libexec || exit 1
		exec "$2/usr/libexec/ipsec/pluto" --nofork \
		    --config "$1/ipsec.conf" --rundir "$1/run" \
		    --secretsfile "$1/ipsec.secrets" \
		    --ipsecdir "$1/ipsec.d" --nssdir "$1/nss" \
		    --logfile "$1/pluto.log"
	' pluto-sh "$2" "$IOP_LIBRESWAN" </dev/null >"$2/pluto.stdout" 2>&1 &
	IOP_PLUTO_PID=$!
	iop_track "$IOP_PLUTO_PID"
	iop_wait_grep "$2/pluto.log" "loading secrets from" 10 ||
	    iop_die_log "$2/pluto.log" \
	    "pluto did not start in $1 (see $2/pluto.log)"
}

# iop_whack DIR ARGS...
iop_whack() {
	d=$1
	shift
	"$IOP_LIBRESWAN/usr/libexec/ipsec/whack" --rundir "$d/run" "$@"
}

# ---- capture

# iop_cap_start NS IFACE FILE [FILTER]: dumpcap, by default of IKE and
# ESP only; sets IOP_CAP_PID.
iop_cap_start() {
	ip netns exec "$1" dumpcap -q -i "$2" \
	    -f "${4:-udp port 500 or udp port 4500 or esp}" -w "$3" \
	    </dev/null >"$3.log" 2>&1 &
	IOP_CAP_PID=$!
	iop_track "$IOP_CAP_PID"
	iop_wait_grep "$3.log" "Capturing on" 10 ||
	    iop_die "dumpcap did not start (see $3.log)"
	# Packets sent right after "Capturing on" can still be missed.
	sleep 0.5
}

# iop_cap_stop: give the ring buffer time to drain, then stop dumpcap.
iop_cap_stop() {
	sleep 1
	iop_stop "$IOP_CAP_PID"
}
