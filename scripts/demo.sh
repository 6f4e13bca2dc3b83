#!/bin/sh
# Demonstrate in.iked: install what is needed, build, then bring up an
# IKEv1 tunnel between in.iked (userspace ESP) and strongSwan's charon
# (kernel-libipsec) in two network namespaces, ping through it and show
# the SAs of both sides and what was encrypted.  Run as root on Debian 12.
#
#   netns demoA<pid>: in.iked                netns demoB<pid>: charon
#   lo 192.0.2.1/32                          lo 203.0.113.1/32
#   veth0 198.51.100.1/24 <-- veth pair --> veth0 198.51.100.2/24
#
# Only documentation addresses are used and there is no default route, so
# nothing leaves the two namespaces.  Both are deleted at the end, also
# when a step fails.  Set DEMO_KEEP=1 to keep the files in the work folder, and
# DEMO_BUILD to build somewhere other than build/.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: run as root: it creates network namespaces" >&2
	exit 1
fi

build=${DEMO_BUILD:-build}
sh scripts/deps.sh || exit 1
echo "demo: building in $build/"
sh scripts/build.sh "$build" || exit 1

iked=$top/$build/src/daemon/in.iked
dir=$(mktemp -d /tmp/iked-demo.XXXXXX) || exit 1
nsa=demoA$$
nsb=demoB$$
pids=""
ok=0

cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	if [ "$ok" -ne 1 ]; then
		for f in "$dir/iked.log" "$dir/charon/charon.log"; do
			[ -s "$f" ] || continue
			echo "---- last lines of $f"
			tail -n 25 "$f"
		done
	fi
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "demo: files kept in $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s.
wait_for() {
	n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 0.1
	done
	return 0
}

echo "demo: network namespaces $nsa and $nsb"
ip netns add "$nsa" || fail "ip netns add $nsa"
ip netns add "$nsb" || fail "ip netns add $nsb"
ip link add veth0 netns "$nsa" type veth peer name veth0 netns "$nsb" ||
    fail "creating the veth pair"
ip -n "$nsa" addr add 198.51.100.1/24 dev veth0
ip -n "$nsb" addr add 198.51.100.2/24 dev veth0
ip -n "$nsa" addr add 192.0.2.1/32 dev lo
ip -n "$nsb" addr add 203.0.113.1/32 dev lo
for ns in "$nsa" "$nsb"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set veth0 up
done

# in.iked: one rule, one preshared key and one tunnel policy.  Everything
# else (lifetimes, nonces, retransmissions) stays at the built-in defaults.
root=$dir/root
mkdir -p "$root/etc/inet/ike" "$root/etc/inet/secret" "$root/var/run"
chmod 700 "$root/etc/inet/secret"
cat >"$root/etc/inet/ike/config" <<EOF
# in.iked demo: gateway 198.51.100.1 to gateway 198.51.100.2
{
	label "demo"
	local_addr 198.51.100.1
	remote_addr 198.51.100.2
	p1_xform { auth_method preshared oakley_group 14 auth_alg sha256 encr_alg aes }
}
EOF
cat >"$root/etc/inet/secret/ike.preshared" <<EOF
# in.iked demo
{
	localidtype IP
	localid 198.51.100.1
	remoteidtype IP
	remoteid 198.51.100.2
	key "demo-preshared-key-0123456789"
}
EOF
chmod 600 "$root/etc/inet/secret/ike.preshared"
cat >"$root/etc/inet/ipsecinit.conf" <<EOF
# in.iked demo: 192.0.2.1 <-> 203.0.113.1 through the two gateways
{ tsrc 198.51.100.1 tdst 198.51.100.2 laddr 192.0.2.1/32 raddr 203.0.113.1/32 } ipsec { encr_algs aes encr_auth_algs hmac-sha256 sa shared }
EOF

# charon: accepts what in.iked proposes; ESP in userspace (kernel-libipsec).
ch=$dir/charon
mkdir -p "$ch/run"
for s in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa \
    ecdsa bliss pkcs8 pkcs12; do
	mkdir -p "$ch/$s"
done
cat >"$ch/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gmp pem pkcs1 x509 pubkey kdf kernel-libipsec kernel-netlink socket-default vici updown
  filelog {
    demo {
      path = $ch/charon.log
      time_format = %H:%M:%S
      default = 1
      flush_line = yes
    }
  }
  syslog {
    daemon { default = -1 }
  }
  plugins {
    vici {
      socket = unix://$ch/run/charon.vici
    }
  }
}
swanctl {
  load = pem pkcs1 x509 pubkey openssl random
}
EOF
cat >"$ch/swanctl.conf" <<EOF
connections {
  demo {
    version = 1
    local_addrs = 198.51.100.2
    remote_addrs = 198.51.100.1
    proposals = aes128-aes192-aes256-sha256-sha1-modp2048-modp3072-ecp256
    rekey_time = 8h
    dpd_delay = 0
    local { auth = psk
            id = 198.51.100.2 }
    remote { auth = psk
             id = 198.51.100.1 }
    children {
      demo {
        mode = tunnel
        local_ts = 203.0.113.1/32
        remote_ts = 192.0.2.1/32
        esp_proposals = aes128-aes192-aes256-sha256-sha1,aes128-aes192-aes256-sha256-sha1-modp2048-modp3072-ecp256
        rand_time = 0
        start_action = none
      }
    }
  }
}
secrets {
  ike-demo {
    id-1 = 198.51.100.1
    id-2 = 198.51.100.2
    secret = "demo-preshared-key-0123456789"
  }
}
EOF
sw() {
	STRONGSWAN_CONF=$ch/strongswan.conf swanctl "$@" \
	    --uri "unix://$ch/run/charon.vici"
}

echo "demo: capturing on $nsa veth0"
ip netns exec "$nsa" dumpcap -q -i veth0 \
    -f 'udp port 500 or udp port 4500 or esp' -w "$dir/demo.pcapng" \
    </dev/null >"$dir/dumpcap.log" 2>&1 &
cap=$!
pids="$cap"
wait_for 10 grep -q "Capturing on" "$dir/dumpcap.log" ||
    fail "dumpcap did not start: $(cat "$dir/dumpcap.log")"
sleep 0.5

echo "demo: starting strongSwan charon in $nsb"
ip netns exec "$nsb" sh -c '
	mount --bind "$1/run" /run || exit 1
	STRONGSWAN_CONF="$1/strongswan.conf" exec /usr/lib/ipsec/charon
' charon-sh "$ch" </dev/null >"$ch/charon.stdout" 2>&1 &
pids="$! $pids"
wait_for 10 test -S "$ch/run/charon.vici" || fail "charon did not start"
sw --load-all --file "$ch/swanctl.conf" >"$ch/load.out" 2>&1 ||
    fail "swanctl --load-all: $(cat "$ch/load.out")"

echo "demo: starting in.iked in $nsa (userspace ESP)"
[ -x "$iked" ] || fail "in.iked was not built at $iked"
ip netns exec "$nsa" "$iked" -d -R "$root" -B userspace \
    </dev/null >"$dir/iked.log" 2>&1 &
ikedpid=$!
pids="$ikedpid $pids"
started() {
	grep -q "in.iked running" "$dir/iked.log" || ! kill -0 "$ikedpid"
}
wait_for 10 started
grep -q "in.iked running" "$dir/iked.log" ||
    fail "in.iked did not start (its log follows)"

echo "demo: ping 192.0.2.1 -> 203.0.113.1; the first packet makes in.iked negotiate"
up=0
i=0
while [ $i -lt 15 ]; do
	if ip netns exec "$nsa" ping -n -c 1 -W 1 -I 192.0.2.1 203.0.113.1 \
	    >/dev/null 2>&1; then
		up=1
		break
	fi
	i=$((i + 1))
done
[ $up -eq 1 ] ||
    fail "no tunnel after 15 s: in.iked and charon did not agree (logs follow)"
ip netns exec "$nsa" ping -n -c 5 -i 0.2 -I 192.0.2.1 203.0.113.1 ||
    fail "ping through the tunnel"

echo
echo "==== in.iked (198.51.100.1): what it negotiated"
grep -E "established|IPsec SA|Quick Mode|lifetime" "$dir/iked.log" |
    sed 's/^[0-9-]* [0-9:]* in.iked: //' | grep -v '^debug:' | head -n 20
echo
echo "==== strongSwan charon (198.51.100.2): swanctl --list-sas"
sw --list-sas 2>/dev/null | grep -v '^list-sas'

echo
echo "demo: stopping in.iked (it sends Deletes to charon)"
kill -TERM "$ikedpid"
wait "$ikedpid"
st=$?
pids=$(echo " $pids " | sed "s/ $ikedpid / /")
sleep 1
kill -TERM "$cap"
wait "$cap" 2>/dev/null
pids=$(echo " $pids " | sed "s/ $cap / /")

echo
echo "==== on the wire between the gateways (capture in $nsa)"
count() {
	tshark -r "$dir/demo.pcapng" -Y "$1" 2>/dev/null | wc -l
}
echo "  IKE messages: $(count 'isakmp.exchangetype == 2') Main Mode," \
    "$(count 'isakmp.exchangetype == 32') Quick Mode," \
    "$(count 'isakmp.exchangetype == 5') Informational (the Deletes)"
for d in "198.51.100.1 198.51.100.2" "198.51.100.2 198.51.100.1"; do
	set -- $d
	tshark -r "$dir/demo.pcapng" -T fields -e frame.len -e esp.spi \
	    -Y "esp && ip.src == $1" 2>/dev/null |
	    awk -v s="$1" -v t="$2" '
		{ n++; b += $1; spi = $2 }
		END { printf "  ESP %s -> %s: %d packets, %d bytes on the wire, SPI %s\n",
		    s, t, n, b, (n ? spi : "-") }'
done
[ "$st" -eq 0 ] || fail "in.iked exited with status $st on SIGTERM"
ok=1
echo
echo "demo: done; namespaces and processes are removed"
