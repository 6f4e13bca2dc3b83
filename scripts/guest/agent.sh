#!/bin/sh
# Runs inside the test guest (run-guest.sh CMD): executes every
# SHARE/cmd/NAME.sh the host drops, writes its output to NAME.out and
# renames it to NAME.sh.done, until SHARE/stop exists.  SHARE/ready signals
# to the host that the guest is up.
#
#   agent.sh [SHARE]     SHARE defaults to /tmp/share
SHARE=${1:-/tmp/share}
mkdir -p "$SHARE/cmd"
touch "$SHARE/ready"
while [ ! -e "$SHARE/stop" ]; do
	for f in "$SHARE"/cmd/*.sh; do
		[ -e "$f" ] || continue
		sh "$f" >"${f%.sh}.out" 2>&1
		mv "$f" "$f.done"
	done
	sleep 0.1
done
