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

# run_tests BUILD MULTIPLIER: run every test of BUILD.  Timeouts are generous
# on purpose: they catch hangs, and a loaded 2-core machine runs the
# namespace tests several times slower than an idle one.  Namespace tests
# that fail run once more, alone, and the summary names each one that
# passed only then.  A failure in any other suite is final.
run_tests() {
	log=$1/meson-logs/testlog.json
	rm -f "$1/meson-logs/testlog-first.json"
	meson test -C "$1" --print-errorlogs --num-processes 2 \
	    --timeout-multiplier "$2" && return 0
	again=$(python3 scripts/summary.py --rerun "$log") || return 1
	[ -n "$again" ] || return 1
	mv "$log" "$1/meson-logs/testlog-first.json"
	echo "running again: $again"
	# shellcheck disable=SC2086
	meson test -C "$1" --no-rebuild --print-errorlogs --num-processes 1 \
	    --timeout-multiplier "$2" $again
}

sh scripts/build.sh build
run_tests build 2 || status=1

# The tree must also build warning-free with clang (-Werror).
CC=clang sh scripts/build.sh build-clang || status=1

sh scripts/build.sh build-asan -Db_sanitize=address,undefined \
	-Db_lundef=false -Dbuildtype=debug
(
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_tests build-asan 3
) || status=1

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

python3 scripts/summary.py build/meson-logs/testlog-first.json \
	build/meson-logs/testlog.json \
	build-asan/meson-logs/testlog-first.json \
	build-asan/meson-logs/testlog.json \
	build-tsan/meson-logs/testlog.json \
	build-fuzz/fuzz-results.json || status=1
exit $status
