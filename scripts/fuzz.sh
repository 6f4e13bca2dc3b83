#!/bin/sh
# Build the libFuzzer targets in build-fuzz (clang, AddressSanitizer,
# UndefinedBehaviorSanitizer) and run each one on its corpus, which is
# seeded anew on each run and keeps what earlier runs found.
#
#   sh scripts/fuzz.sh short            each target for 25 seconds (CI)
#   sh scripts/fuzz.sh long [seconds]   each target for 600 s or as given
#
# Results go to build-fuzz/fuzz-results.json, one JSON line per target
# ({"name": ..., "result": "OK" or "FAIL"}), logs and crash inputs to
# build-fuzz/fuzz-logs/.  Captures for the seeds are read from
# $IKED_VECTORS/pcaps (default ../shared/vectors); without them the
# builder-made seeds are used alone.  Exits 1 when a target failed.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

mode=${1:-short}
case $mode in
short)	seconds=${2:-25} ;;
long)	seconds=${2:-600} ;;
*)	echo "usage: sh scripts/fuzz.sh short|long [seconds]" >&2
	exit 2 ;;
esac

build=$top/build-fuzz
vectors=${IKED_VECTORS:-$top/../shared/vectors}
results=$build/fuzz-results.json

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzzing=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized \
		-Dc_args=-fsanitize=fuzzer-no-link \
		-Dvectors_dir="$vectors"
fi
ninja -C "$build"

mkdir -p "$build/corpus" "$build/fuzz-logs"
: > "$results"

# Seeds of one target: committed ones, plus generated ones for the
# ISAKMP parser (builder output and the messages of every capture).
seed() {
	name=$1
	corpus=$build/corpus/$name
	mkdir -p "$corpus"
	if [ -d "$top/tests/fuzz/seeds/$name" ]; then
		cp "$top/tests/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null || :
	fi
	if [ "$name" = fuzz_isakmp ]; then
		captures=
		if [ -d "$vectors/pcaps" ]; then
			captures=$(find "$vectors/pcaps" -name '*.pcap' \
				-o -name '*.pcapng' | sort)
		fi
		# shellcheck disable=SC2086
		"$build/tests/fuzz/isakmp_seeds" "$corpus" $captures
	fi
}

status=0
for target in "$build"/tests/fuzz/fuzz_*; do
	if [ ! -f "$target" ] || [ ! -x "$target" ]; then
		continue
	fi
	name=$(basename "$target")
	seed "$name"
	log=$build/fuzz-logs/$name.log
	mkdir -p "$build/fuzz-logs/$name"
	echo "fuzz: $name for ${seconds}s"
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$target" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz-logs/$name/" \
	    "$build/corpus/$name" > "$log" 2>&1; then
		result=OK
	else
		result=FAIL
		status=1
		echo "fuzz: $name failed; see $log" >&2
		tail -n 30 "$log" >&2
	fi
	printf '{"name": "%s", "result": "%s"}\n' "$name" "$result" \
		>> "$results"
done
cat "$results"
exit $status
