#!/bin/sh
# Build a qemu guest with real kernel ESP for the XFRM backend tests:
# Debian's own kernel (downloaded and unpacked, not installed) and a
# busybox initramfs.  The guest mounts the host root read-only over 9p and
# runs one command in it, so the build tree and the host's tools are at
# their usual paths.
#
#   build-guest.sh [DIR]     DIR defaults to /var/cache/iked-guest
#
# Writes DIR/vmlinuz, DIR/initrd.gz and DIR/modules (the module tree the
# guest mounts over 9p).  Safe to run again: finished steps are skipped.
# Needs root for apt-get; installs qemu-system-x86 and busybox-static when
# they are missing.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:-/var/cache/iked-guest}
mkdir -p "$DIR"
cd "$DIR"

need_pkgs=""
command -v qemu-system-x86_64 >/dev/null || need_pkgs="qemu-system-x86"
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx depmod ||
    need_pkgs="$need_pkgs busybox-static"
if [ -n "$need_pkgs" ]; then
	echo "build-guest: installing$need_pkgs"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $need_pkgs >/dev/null
fi

# The versioned image package that linux-image-amd64 points to.
KPKG=$(apt-cache depends linux-image-amd64 |
    awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$KPKG" ]; then
	echo "build-guest: cannot resolve linux-image-amd64; run apt-get update" >&2
	exit 1
fi
KVER=${KPKG#linux-image-}

if [ ! -f "kernel/boot/vmlinuz-$KVER" ]; then
	rm -rf kernel dl
	mkdir dl
	(cd dl && apt-get download -qq "$KPKG")
	dpkg -x dl/"$KPKG"_*.deb kernel
	rm -rf dl
fi
MODS=kernel/lib/modules/$KVER
# kmod is not installed on the host, but busybox has depmod.
[ -f "$MODS/modules.dep" ] || busybox depmod -b "$DIR/kernel" "$KVER"
ln -sfn "kernel/boot/vmlinuz-$KVER" vmlinuz
ln -sfn "kernel/lib/modules" modules

# Tests call this script before every run: an initramfs newer than its
# sources is kept, so it never changes under a guest that is starting.
if [ initrd.gz -nt "$HERE/guest-init.sh" ] &&
    [ initrd.gz -nt "$HERE/build-guest.sh" ] &&
    [ "$(cat version 2>/dev/null)" = "$KVER" ]; then
	echo "build-guest: kernel $KVER in $DIR (up to date)"
	exit 0
fi

# The initramfs carries only what it takes to reach the 9p module tree:
# virtio PCI and 9p, loaded by hand in dependency order.
IRD=$(mktemp -d "$DIR/initramfs.XXXXXX")
trap 'rm -rf "$IRD"' EXIT
mkdir -p "$IRD/bin" "$IRD/early" "$IRD/proc" "$IRD/sys" "$IRD/dev" \
    "$IRD/host" "$IRD/lib/modules"
cp /bin/busybox "$IRD/bin/busybox"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
    virtio_pci netfs fscache 9pnet 9pnet_virtio 9p; do
	pat=$(echo "$m" | sed 's/_/[_-]/g')
	f=$(grep -E "(^|/)$pat\.ko:" "$MODS/modules.dep" | cut -d: -f1 || true)
	[ -n "$f" ] || continue		# built into this kernel
	cp "$MODS/$f" "$IRD/early/"
	basename "$f" >>"$IRD/early/order"
done
cp "$HERE/guest-init.sh" "$IRD/init"
chmod 755 "$IRD/init"
(cd "$IRD" && find . | busybox cpio -o -H newc 2>/dev/null) |
    gzip -1 >"initrd.gz.$$"
mv "initrd.gz.$$" initrd.gz
echo "$KVER" >version
echo "build-guest: kernel $KVER in $DIR"
