#!/bin/sh
# Run shell commands in the guest through agent.sh and print their output.
# Exits 1 when the guest did not finish them within TIMEOUT seconds.
#
#   guest-cmd.sh SHARE NAME 'commands' [TIMEOUT]
SHARE=$1
NAME=$2
CMDS=$3
TIMEOUT=${4:-60}
d=$SHARE/cmd
rm -f "$d/$NAME.sh.done" "$d/$NAME.out"
printf '%s\n' "$CMDS" >"$d/.$NAME.tmp"
mv "$d/.$NAME.tmp" "$d/$NAME.sh"
i=0
while [ ! -e "$d/$NAME.sh.done" ]; do
	sleep 0.1
	i=$((i + 1))
	if [ $i -gt $((TIMEOUT * 10)) ]; then
		echo "guest-cmd: $NAME timed out after $TIMEOUT s"
		exit 1
	fi
done
cat "$d/$NAME.out"
