#!/bin/sh
# Run a test in a new network namespace that has only a loopback device
# (down), so that a host name lookup cannot send a DNS query anywhere.
# Skips (exit 77) where namespaces cannot be created.
if ! unshare --net true 2>/dev/null; then
	echo "skipped: unshare --net is not permitted here" >&2
	exit 77
fi
exec unshare --net "$@"
