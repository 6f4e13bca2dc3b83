#!/bin/sh
# Start the test guest (build-guest.sh) under qemu TCG inside network
# namespace NS, with a TAP device TAP in NS as its only network link and
# the folder SHARE mounted read-write at /tmp/share in the guest.  The
# guest runs CMD (a path inside the guest) and powers off.  Prints qemu's
# PID; the console goes to SHARE/console.log.
#
#   run-guest.sh NS TAP SHARE CMD [GUEST_DIR]
set -eu

NS=$1
TAP=$2
SHARE=$3
CMD=$4
DIR=${5:-${IKED_GUEST_DIR:-/var/cache/iked-guest}}

for f in vmlinuz initrd.gz modules; do
	if [ ! -e "$DIR/$f" ]; then
		echo "run-guest: $DIR/$f missing; run build-guest.sh $DIR" >&2
		exit 1
	fi
done
# KVM is not used: guests under KVM hung on some hosts, and TCG boots in
# about 13 s, which is enough for a test.
ip netns exec "$NS" qemu-system-x86_64 -accel tcg -m 512 -smp 1 \
    -nographic -no-reboot \
    -kernel "$DIR/vmlinuz" -initrd "$DIR/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 iked.cmd=$CMD" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
    -virtfs "local,path=$(readlink -f "$DIR/modules"),mount_tag=modules,security_model=passthrough,readonly=on" \
    -virtfs "local,path=$SHARE,mount_tag=share,security_model=passthrough" \
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" \
    -device virtio-net-pci,netdev=n0 \
    </dev/null >"$SHARE/console.log" 2>&1 &
echo $!
