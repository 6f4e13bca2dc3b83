#!/bin/bash
# secrets.sh: no key material in in.iked's log or debug file.
#
# Two tunnels are negotiated with every debug category on (-d, then
# "ikeadm set debug all FILE" before the first exchange):
#   1. in.iked (netns A) with strongSwan charon (netns B), which logs its
#      SKEYID values, Ka, the DH secret and the ESP keys at level 4;
#   2. in.iked with in.iked (netns C and D).
# Each in.iked writes its keys with -K.  secrets.py then searches the
# logs and debug files of every in.iked for the preshared key, as text
# and in hex, and for each of those keys, as raw bytes and in hex of
# either case with or without separators.  Any match fails the test.
IOP_NAME=sk
. "$(dirname "$0")/../interop/lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
command -v python3 >/dev/null 2>&1 || iop_skip "python3 is not installed"
ikeadm=${IKED_BUILD}/src/ikeadm/ikeadm
[ -x "$ikeadm" ] || iop_skip "ikeadm not built at $ikeadm"
here=$(cd "$(dirname "$0")" && pwd)
# A preshared key that no log text contains by chance.
IOP_PSK=secret-psk-Qx7vT2mW9zR4kL8p

iop_setup

# start_iked NS ROOT: start in.iked with -K and turn every debug category
# on, with ROOT/debug.log as the debug file.
start_iked() {
	mkdir -p "$2/keys"
	iop_iked_start "$1" "$2" -K "$2/keys"
	"$ikeadm" -R "$2" set debug all "$2/debug.log" >"$2/setdebug.out" 2>&1 ||
	    iop_die "ikeadm set debug all failed (see $2/setdebug.out)"
}

# ---- 1. in.iked with charon
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
iop_charon_conf "$B"
# Level 4 makes charon log its keys as hex dumps.
sed -i 's/ike = 2/ike = 4/; s/chd = 2/chd = 4/' "$B/strongswan.conf"
iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
iop_charon_start "$IOP_NSB" "$B"
start_iked "$IOP_NSA" "$A"
pid_a=$IOP_IKED_PID

iop_sw "$B" --initiate --ike v1 --child v1c --timeout 15 \
    >"$B/initiate.out" 2>&1
iop_check "charon establishes the tunnel with in.iked" \
    grep -q "completed successfully" "$B/initiate.out"
iop_check "the charon tunnel passes a ping" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
# Control requests are logged at debug level too.
"$ikeadm" -R "$A" dump p1 >"$A/dump-p1.out" 2>&1
"$ikeadm" -R "$A" dump ps >"$A/dump-ps.out" 2>&1
iop_stop "$pid_a"
iop_check "in.iked exits 0 on SIGTERM (charon tunnel)" [ $? -eq 0 ]
iop_stop "$IOP_CHARON_PID"

# ---- 2. in.iked with in.iked
IOP_NSA="${IOP_NAME}C$$" IOP_NSB="${IOP_NAME}D$$"
iop_netns_pair
C=$IOP_DIR/iked-c D=$IOP_DIR/iked-d
mkdir -p "$C" "$D"
iop_iked_conf "$C" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
iop_iked_conf "$D" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
start_iked "$IOP_NSB" "$D"
pid_d=$IOP_IKED_PID
start_iked "$IOP_NSA" "$C"
pid_c=$IOP_IKED_PID
iop_check "in.iked tunnel: the first ping starts it and passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
iop_check "the in.iked tunnel passes a ping" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
iop_stop "$pid_c"
iop_check "in.iked exits 0 on SIGTERM (initiator)" [ $? -eq 0 ]
iop_stop "$pid_d"
iop_check "in.iked exits 0 on SIGTERM (responder)" [ $? -eq 0 ]

for root in "$A" "$C" "$D"; do
	iop_check "no sanitizer report from $(basename "$root")" \
	    iop_not grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" \
	    "$root/iked.log"
	iop_check "the debug file $(basename "$root")/debug.log has lines" \
	    test -s "$root/debug.log"
	iop_check "$(basename "$root") wrote Ka and ESP keys with -K" \
	    test -s "$root/keys/esp_sa"
done
# charon logs SKEYID, SKEYID_d, SKEYID_a, SKEYID_e, Ka, two DH secrets and
# four ESP keys.  Each in.iked key file contains Ka and four ESP keys.
python3 "$here/secrets.py" --min 12 --psk "$IOP_PSK" \
    --charon-log "$B/charon.log" \
    --keys "$A/keys" --keys "$C/keys" --keys "$D/keys" \
    "$A/iked.log" "$A/debug.log" "$C/iked.log" "$C/debug.log" \
    "$D/iked.log" "$D/debug.log" >"$IOP_DIR/secrets.out" 2>&1
st=$?
cat "$IOP_DIR/secrets.out"
iop_check "no key material in any in.iked log or debug file" [ $st -eq 0 ]
iop_summary
