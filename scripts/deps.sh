#!/bin/sh
# Install everything in.iked needs to build and test on Debian 12, as root.
# Safe to run again: packages already present are left as they are.
set -eu

export DEBIAN_FRONTEND=noninteractive

# Build: compiler, Meson, the libraries of DESIGN.md and the test framework.
BUILD_PKGS="build-essential clang llvm meson ninja-build pkg-config
	libssl-dev libevent-dev libmnl-dev libcmocka-dev libcap-ng-dev"

# Tests: network namespaces, ping, capture and dissection, and the
# strongSwan peer with its userspace ESP plugin (kernel-libipsec).
# libstrongswan-extra-plugins is left out on purpose: it pulls in udev.
# nftables puts a NAT between two peers for the NAT traversal tests.
# The openssl command makes test certificates and the test peers' AES.
TEST_PKGS="iproute2 iputils-ping tshark iperf3 python3 procps psmisc openssl
	strongswan-charon strongswan-swanctl libcharon-extra-plugins
	libstrongswan-standard-plugins
	libldns3 libevent-pthreads-2.1-7 libnss3-tools
	nftables qemu-system-x86 busybox-static"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# libreswan conflicts with the strongSwan packages, so it is unpacked into
# /opt/libreswan instead of installed; only its pluto and whack are used.
if [ ! -x /opt/libreswan/usr/libexec/ipsec/pluto ]; then
	echo "deps: unpacking libreswan into /opt/libreswan"
	d=$(mktemp -d)
	(cd "$d" && apt-get download -qq libreswan >/dev/null)
	dpkg -x "$d"/libreswan_*.deb /opt/libreswan
	rm -rf "$d"
fi
