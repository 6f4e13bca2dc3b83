#!/bin/sh
# Install what is needed, build, and run every test of in.iked: once in a
# normal build and once under AddressSanitizer and UndefinedBehaviorSanitizer,
# the threaded parts under ThreadSanitizer, then each fuzz target for a
# short, fixed time.  A clang build checks that
# the tree compiles without warnings there too.  Run as root on Debian 12:
# the interop tests create network namespaces and run strongSwan and
# libreswan peers in them.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh scripts/deps.sh

status=0
sh scripts/build.sh build
# Timeouts are generous on purpose: they catch hangs, and a loaded 2-core
# machine runs the namespace tests several times slower than an idle one.
meson test -C build --print-errorlogs --num-processes 2 \
	--timeout-multiplier 2 || status=1

# The tree must also build warning-free with clang (-Werror).
CC=clang sh scripts/build.sh build-clang || status=1

sh scripts/build.sh build-asan -Db_sanitize=address,undefined \
	-Db_lundef=false -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --print-errorlogs --num-processes 2 \
	--timeout-multiplier 3 || status=1

# The threaded parts under ThreadSanitizer: the Diffie-Hellman pool's
# test, the engine tests with two threads, and the PRF and random-byte
# tests that run two threads at once.
if [ ! -f build-tsan/build.ninja ]; then
	meson setup build-tsan -Db_sanitize=thread -Db_lundef=false \
		-Dbuildtype=debug >/dev/null
fi
if ninja -C build-tsan tests/crypto/test_dh tests/crypto/test_prf \
	tests/crypto/test_hash tests/ike/test_ike_engine >/dev/null; then
	TSAN_OPTIONS=halt_on_error=1 meson test -C build-tsan --no-rebuild \
		--print-errorlogs test_dh test_prf test_hash \
		test_ike_engine_dh_threads || status=1
else
	status=1
fi

if [ -x scripts/fuzz.sh ]; then
	sh scripts/fuzz.sh short || status=1
fi

python3 scripts/summary.py build/meson-logs/testlog.json \
	build-asan/meson-logs/testlog.json \
	build-tsan/meson-logs/testlog.json \
	build-fuzz/fuzz-results.json || status=1
exit $status
