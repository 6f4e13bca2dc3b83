#!/bin/busybox sh
# init of the test guest (see build-guest.sh).  Loads virtio and 9p, mounts
# the module tree, the host root (read-only) and the test's shared folder
# over 9p, then runs the command given as iked.cmd= on the kernel command
# line, chrooted into the host root, and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /early/order); do
	insmod "/early/$m" || echo "guest: insmod $m failed"
done
P9="trans=virtio,version=9p2000.L"
mount -t 9p -o "$P9,ro" modules /lib/modules ||
    echo "guest: cannot mount the module tree"
# Crypto templates such as rfc4106(gcm(aes)) load their modules on demand;
# without a modprobe helper every ESP SA add fails.
echo /bin/modprobe >/proc/sys/kernel/modprobe
for m in virtio_net xfrm_user esp4 esp6 xfrm4_tunnel xfrm6_tunnel tun \
    authenc echainiv seqiv gcm ctr ghash_generic cbc des3_ede \
    sha1_generic sha256_generic sha512_generic md5 hmac; do
	modprobe "$m" 2>/dev/null
done
if ! mount -t 9p -o "$P9,ro" hostroot /host; then
	echo "guest: cannot mount the host root"
	poweroff -f
fi
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
for d in /host/run /host/tmp /host/var/tmp; do
	mount -t tmpfs tmpfs "$d"
done
mkdir -p /host/tmp/share
mount -t 9p -o "$P9" share /host/tmp/share ||
    echo "guest: cannot mount the shared folder"
cmd=$(sed -n 's/.*iked\.cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "guest: running ${cmd:-/bin/sh}"
chroot /host /bin/sh -c "${cmd:-/bin/sh}" </dev/console >/dev/console 2>&1
echo "guest: command exited with $?"
poweroff -f
