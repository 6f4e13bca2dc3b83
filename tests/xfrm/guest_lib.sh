# Setup shared by the guest tests that run one peer inside the qemu TCG
# guest and the other in a network namespace on the host side of the
# guest's TAP device:
#
#   netns $IOP_NSA (host side)             guest
#   lo 192.0.2.1, tap 198.51.100.1/24 <--> eth0 198.51.100.2/24
#
# Source it after ../interop/lib.sh.  The guest sees the share folder
# $SHARE as $GSHARE; its own /tmp is a tmpfs of its own.

SRC=${IKED_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
GUESTS=$SRC/scripts/guest
GUEST_DIR=${IKED_GUEST_DIR:-/var/cache/iked-guest}
GSHARE=/tmp/share
QEMU=""

# xg_require_guest: skip unless TUN works and the guest image is built.
xg_require_guest() {
	[ -c /dev/net/tun ] || iop_skip "/dev/net/tun is missing"
	"$GUESTS/build-guest.sh" "$GUEST_DIR" >/dev/null 2>&1 ||
	    iop_skip "cannot build the guest (qemu-system-x86, busybox-static or the Debian kernel package could not be installed)"
}

# The guest agent exits on the stop file; then the usual cleanup.
xg_cleanup() {
	rc=$?
	if [ -n "$QEMU" ]; then
		touch "$SHARE/stop"
		for _ in $(seq 50); do
			kill -0 "$QEMU" 2>/dev/null || break
			sleep 0.1
		done
	fi
	(exit $rc)
	iop_cleanup
}

# xg_setup: the test folder, the share with an empty bin/ for the
# programs the guest runs, and the cleanup that also stops the guest.
xg_setup() {
	iop_setup
	SHARE=$IOP_DIR/share
	trap xg_cleanup EXIT
	mkdir -p "$SHARE/bin"
}

# gcmd NAME 'commands' [TIMEOUT]: run commands in the guest
gcmd() {
	"$GUESTS/guest-cmd.sh" "$SHARE" "$@"
}

# xg_boot TAP: create $IOP_NSA with 192.0.2.1 on lo, boot the guest with
# its TAP device TAP in it at 198.51.100.1/24, and wait for the guest's
# agent.  Sets T0 to the start time and QEMU to the qemu PID.
xg_boot() {
	T0=$(date +%s)
	iop_netns_add "$IOP_NSA"
	ip -n "$IOP_NSA" addr add 192.0.2.1/32 dev lo
	QEMU=$("$GUESTS/run-guest.sh" "$IOP_NSA" "$1" "$SHARE" \
	    "$GSHARE/bin/agent.sh" "$GUEST_DIR") || iop_die "qemu did not start"
	iop_track "$QEMU"
	for _ in $(seq 100); do
		ip -n "$IOP_NSA" link show "$1" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$IOP_NSA" addr add 198.51.100.1/24 dev "$1"
	ip -n "$IOP_NSA" link set "$1" up
	iop_wait_path "$SHARE/ready" 240 ||
	    iop_die "the guest did not come up in 240 s (see $SHARE/console.log)"
	iop_log "guest boot: $(($(date +%s) - T0)) s"
}
