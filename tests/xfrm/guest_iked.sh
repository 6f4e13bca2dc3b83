#!/bin/bash
# in.iked -B xfrm inside the qemu TCG guest (real kernel ESP) against
# strongSwan charon with kernel-libipsec in a network namespace on the
# host side of the guest's TAP device:
#
#   netns (host side)                      guest
#   lo 192.0.2.1, tap 198.51.100.1/24 <--> eth0 198.51.100.2/24, lo 203.0.113.1
#   charon (userspace ESP in UDP)          in.iked -B xfrm
#
# A ping from the guest's inner address makes the kernel send an acquire,
# and in.iked negotiates Main Mode and Quick Mode.  Checks: charon's
# child SA, pings both ways, and the guest's ip xfrm state and policy with
# the SPIs charon reports.  The kernel's soft expiry (p2_softlife_secs 12)
# must drive a rekey, and SIGTERM must leave the guest kernel empty.
# Last, in.iked without -B must pick the xfrm backend in the guest.
IOP_NAME=xgik
. "$(dirname "$0")/../interop/lib.sh"
. "$(dirname "$0")/guest_lib.sh"

iop_require_root
iop_require_charon
iop_require_iked
xg_require_guest

xg_setup
# The guest's /tmp is its own, so the programs go through the share.
cp "$IOP_IKED" "$GUESTS/agent.sh" "$SHARE/bin/"
xg_boot xgitap$$
gcmd net 'ip link set lo up
ip addr add 203.0.113.1/32 dev lo
ip link set eth0 up
ip addr add 198.51.100.2/24 dev eth0
ip route add 192.0.2.1/32 dev eth0 src 203.0.113.1' >/dev/null

# ECP-256 keeps the guest's Diffie-Hellman under TCG fast.
export IKE_ENCR="aes(128..128)" IKE_HASH=sha256 IKE_GROUP=19 P2_PFS=19
export ESP_ENCR="aes(128)" ESP_AUTH=hmac-sha256
export SW_IKE=aes128-sha256-ecp256 SW_ESP=aes128-sha256-ecp256
export IKE_GLOBALS="p2_lifetime_secs 60
p2_softlife_secs 12"
B=$IOP_DIR/charon
mkdir -p "$B"
iop_iked_conf "$SHARE/iked" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
iop_charon_conf "$B"
iop_swanctl_conf "$B" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
iop_charon_start "$IOP_NSA" "$B"

# in.iked's root is copied to the guest's tmpfs, so its PID file and
# control socket stay inside the guest.
gcmd iked-start "cp -a $GSHARE/iked /tmp/iked
$GSHARE/bin/in.iked -d -R /tmp/iked -B xfrm >$GSHARE/iked.log 2>&1 &
echo \$! >$GSHARE/iked.pid" >/dev/null
iop_check "in.iked -B xfrm starts in the guest" \
    iop_wait_grep "$SHARE/iked.log" "in.iked running" 60
iop_check "in.iked uses the xfrm backend" \
    grep -q "SA backend: xfrm" "$SHARE/iked.log"

T=$(date +%s)
gcmd acquire 'i=0
while [ $i -lt 60 ]; do
	ping -n -c 1 -W 1 -I 203.0.113.1 192.0.2.1 >/dev/null && echo PASSED && exit
	i=$((i + 1))
done' 150 >"$IOP_DIR/acquire.out"
iop_log "acquire to first ping reply: $(($(date +%s) - T)) s"
iop_check "guest ping triggers the negotiation and passes" \
    grep -q PASSED "$IOP_DIR/acquire.out"
iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
iop_check "charon: IKE SA ESTABLISHED" grep -q "state=ESTABLISHED" "$B/sas.out"
iop_check "charon: child SA INSTALLED" grep -q "state=INSTALLED" "$B/sas.out"
iop_check "ping from the host side through the tunnel" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1

read -r spi_in spi_out <<EOF
$(iop_sw_spis "$B")
EOF
gcmd state1 'ip xfrm state' >"$IOP_DIR/state1.out"
gcmd policy1 'ip xfrm policy' >"$IOP_DIR/policy1.out"
# charon's inbound SPI is the guest's outbound SA and the other way round.
iop_check "guest kernel: outbound SA 0x${spi_in:-none} to charon" \
    grep -q "proto esp spi 0x${spi_in:-none} " "$IOP_DIR/state1.out"
iop_check "guest kernel: inbound SA 0x${spi_out:-none} from charon" \
    grep -q "proto esp spi 0x${spi_out:-none} " "$IOP_DIR/state1.out"
iop_check "guest kernel: ESP in UDP on port 4500 (charon's NAT-T)" \
    grep -q "encap type espinudp sport 4500 dport 4500" "$IOP_DIR/state1.out"
iop_check "guest kernel: AES-CBC-128 with HMAC-SHA-256-128" \
    grep -q "auth-trunc hmac(sha256) 0x[0-9a-f]* 128" "$IOP_DIR/state1.out"
iop_check "guest kernel: policies for 203.0.113.1 -> 192.0.2.1" \
    grep -q "src 203.0.113.1/32 dst 192.0.2.1/32" "$IOP_DIR/policy1.out"
for dir in out in fwd; do
	iop_check "guest kernel: $dir policy" \
	    grep -q "dir $dir " "$IOP_DIR/policy1.out"
done
iop_check "guest kernel: templates name the tunnel endpoints" \
    grep -q "tmpl src 198.51.100.2 dst 198.51.100.1" "$IOP_DIR/policy1.out"

# charon's installed child SA whose inbound SPI is not $1: "IN OUT".
other_spis() {
	iop_sw "$B" --list-sas --raw 2>/dev/null |
	    grep -o 'state=INSTALLED[^}]* spi-in=[0-9a-f]* spi-out=[0-9a-f]*' |
	    sed 's/.*spi-in=\([0-9a-f]*\) spi-out=\([0-9a-f]*\)/\1 \2/' |
	    grep -v "^$1 " | head -n 1
}

# The kernel's soft expiry after 12 s makes in.iked, the initiator,
# negotiate new SAs in Quick Mode.
T=$(date +%s)
new_in="" new_out=""
for _ in $(seq 120); do
	read -r new_in new_out <<EOF
$(other_spis "$spi_in")
EOF
	[ -n "$new_in" ] && break
	sleep 0.5
done
iop_log "install to rekey: $(($(date +%s) - T)) s"
iop_check "the kernel's soft expiry of 0x$spi_in reached in.iked" \
    grep -q "XFRM soft expire of SA 0x$spi_in" "$SHARE/iked.log"
iop_check "soft expiry: in.iked negotiated new SAs with charon" \
    [ -n "$new_in" ]
# charon may report its SAs before in.iked has installed both of its own.
gcmd state2 "i=0
while [ \$i -lt 50 ]; do
	ip xfrm state | grep -q 'spi 0x${new_in:-none} ' &&
	    ip xfrm state | grep -q 'spi 0x${new_out:-none} ' && break
	sleep 0.1
	i=\$((i + 1))
done
ip xfrm state" 30 >"$IOP_DIR/state2.out"
iop_check "rekey: new outbound SA 0x${new_in:-none} in the guest kernel" \
    grep -q "proto esp spi 0x${new_in:-none} " "$IOP_DIR/state2.out"
iop_check "rekey: new inbound SA 0x${new_out:-none} in the guest kernel" \
    grep -q "proto esp spi 0x${new_out:-none} " "$IOP_DIR/state2.out"
iop_check "ping through the new SAs" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1

gcmd stop 'kill -TERM $(cat /tmp/share/iked.pid)
i=0
while kill -0 $(cat /tmp/share/iked.pid) 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo STATES
ip xfrm state
echo POLICIES
ip xfrm policy' 30 >"$IOP_DIR/after.out"
iop_check "after SIGTERM: no SA left in the guest kernel" \
    iop_not grep -q "proto esp" "$IOP_DIR/after.out"
iop_check "after SIGTERM: no policy left in the guest kernel" \
    iop_not grep -q "dir " "$IOP_DIR/after.out"
iop_check "charon received in.iked's Delete" \
    iop_wait_grep "$B/charon.log" "received DELETE for (ESP CHILD_SA|IKE_SA)" 10

# Without -B, in.iked probes the kernel and picks xfrm where ESP works.
gcmd default "$GSHARE/bin/in.iked -d -R /tmp/iked >$GSHARE/default.log 2>&1 &
p=\$!
i=0
while ! grep -q 'in.iked running' $GSHARE/default.log && [ \$i -lt 100 ]; do
	sleep 0.1
	i=\$((i + 1))
done
kill -TERM \$p
wait \$p" 30 >/dev/null
iop_check "default backend in the guest: the probe finds ESP" \
    grep -q "the kernel accepts ESP SAs" "$SHARE/default.log"
iop_check "default backend in the guest: xfrm" \
    grep -q "SA backend: xfrm" "$SHARE/default.log"
iop_log "total: $(($(date +%s) - T0)) s"
if [ "$IOP_FAIL" -ne 0 ]; then
	for f in "$SHARE/iked.log" "$IOP_DIR"/state*.out "$IOP_DIR/after.out"; do
		echo "---- $f"
		cat "$f"
	done
fi
iop_summary
