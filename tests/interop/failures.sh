#!/bin/bash
# failures.sh psk|proposal|silent: negotiations that must fail cleanly.
#
#   psk       charon initiates with another preshared key: in.iked cannot
#             authenticate Main Mode message 5, logs it and sends a Notify
#   psk-initiator
#             in.iked initiates and charon has another preshared key:
#             charon cannot decrypt Main Mode message 5 and stays silent,
#             and in.iked's line about giving up names the likely cause
#   id        charon initiates with an identity that ike.preshared does not
#             name: in.iked rejects the decrypted Main Mode message 5 with
#             an encrypted INVALID-ID-INFORMATION Notify that charon reads;
#             the log line shows the identity and the entry to add
#   id-added  the same identity, and ike.preshared has the entry that the
#             log line of id asks for: charon's tunnel comes up
#   proposal  charon offers only AES-256/SHA-512/MODP-4096, in.iked accepts
#             only AES-128/SHA-1/MODP-2048: in.iked replies NO_PROPOSAL_CHOSEN
#   pfs       in.iked requires PFS group 14 (p2_pfs), charon's ESP proposal
#             has no Diffie-Hellman group: charon's NO-PROPOSAL-CHOSEN ends
#             in.iked's Quick Mode at once with a line naming the group,
#             and traffic starts no new Quick Mode before the back-off
#   silent    in.iked initiates to an address where nothing answers: it
#             retransmits Main Mode message 1, then gives up with a log line
#   flood     thousands of short, malformed and unknown-SPI datagrams on
#             ports 500 and 4500 first: in.iked logs them at a limited
#             rate, then still negotiates when charon initiates
#
# Except for flood, each ends with no SA on either side and in.iked still
# running.
mode=${1:?usage: failures.sh psk|psk-initiator|id|id-added|proposal|pfs|silent|flood}
IOP_NAME=fl
. "$(dirname "$0")/lib.sh"

iop_require_root
iop_require_charon
iop_require_tshark
iop_require_iked

iop_setup
iop_netns_pair
A=$IOP_DIR/iked B=$IOP_DIR/charon
mkdir -p "$A" "$B"
iop_iked_conf "$A" 198.51.100.1 198.51.100.2 192.0.2.1 203.0.113.1
iop_charon_conf "$B"
case $mode in
psk | psk-initiator)
	SW_PSK=another-psk-9876543210 \
	    iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	;;
id | id-added)
	iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	[ "$mode" = id-added ] && cat >>"$A/etc/inet/secret/ike.preshared" <<EOF
{
	localidtype IP
	localid 198.51.100.1
	remoteidtype user_fqdn
	remoteid "nobody@example.org"
	key "$IOP_PSK"
}
EOF
	sed -i -e 's/id = 198\.51\.100\.2 }/id = nobody@example.org }/' \
	    -e 's/id-1 = 198\.51\.100\.2/id-1 = nobody@example.org/' \
	    "$B/swanctl.conf"
	;;
proposal)
	SW_IKE=aes256-sha512-modp4096 SW_ESP=aes256-sha512-modp4096 \
	    iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	# A second transform with a fixed-size key, for the log check.
	sed -i 's/^\(\tp1_xform {.*\)$/&\n\tp1_xform { auth_method preshared oakley_group 14 auth_alg sha1 encr_alg 3des }/' \
	    "$A/etc/inet/ike/config"
	;;
pfs)
	SW_ESP=aes128-aes256-sha256 \
	    iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	;;
silent | flood)
	iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
	;;
*)
	echo "unknown mode $mode"
	exit 2
	;;
esac
cap=$IOP_DIR/cap.pcapng
iop_cap_start "$IOP_NSA" veth0 "$cap"
[ "$mode" != silent ] && iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A" -K "$A/keys"
log=$A/iked.log

case $mode in
psk)
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 10 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon's initiate fails" \
	    iop_not grep -q "completed successfully" "$B/initiate.out"
	iop_check "in.iked logs the authentication failure" \
	    iop_wait_grep "$log" "authentication failed for peer 198.51.100.2" 5
	;;
id)
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 10 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon's initiate fails" \
	    iop_not grep -q "completed successfully" "$B/initiate.out"
	iop_check "in.iked rejects the identity" \
	    iop_wait_grep "$log" "peer 198\.51\.100\.2\[500\] sent a USER_FQDN identity that no ike\.preshared entry" 5
	iop_check "charon decrypts in.iked's INVALID_ID_INFORMATION" \
	    iop_wait_grep "$B/charon.log" "received INVALID_ID_INFORMATION error notify" 5
	iop_check "the log line shows the identity and the entry to add" \
	    grep -q 'names: "nobody@example.org"; rejected (rule "peer"); to accept it, add an entry with localidtype IP, localid 198.51.100.1, remoteidtype user_fqdn, remoteid "nobody@example.org"' "$log"
	;;
id-added)
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 10 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon's initiate with the added entry succeeds" \
	    grep -q "completed successfully" "$B/initiate.out"
	iop_check "ping through the tunnel" \
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
	;;
proposal)
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 10 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon's initiate fails" \
	    iop_not grep -q "completed successfully" "$B/initiate.out"
	iop_check "in.iked logs the rejected proposal" \
	    iop_wait_grep "$log" "no acceptable Phase 1 proposal from 198.51.100.2" 5
	iop_check "the offer names its key size once" \
	    grep -Eq "the peer offered [^ ]*\(256\)/" "$log"
	iop_check "the allowed transforms show a fixed key without a size" \
	    grep -Eq 'rule "peer" allows aes-cbc\(128\)/sha1/preshared/group 14, 3des-cbc/sha1/' "$log"
	iop_check "charon receives NO_PROPOSAL_CHOSEN" \
	    iop_wait_grep "$B/charon.log" "received NO_PROPOSAL_CHOSEN error notify" 5
	;;
flood)
	ip netns exec "$IOP_NSB" python3 -c '
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3000):
    s.sendto(b"x" * (i % 20), ("198.51.100.1", 500))
    s.sendto(os.urandom(28 + i % 200), ("198.51.100.1", 500))
    s.sendto(b"\xde\xad\xbe\xef" + os.urandom(60), ("198.51.100.1", 4500))
    s.sendto(b"\0\0\0\0" + os.urandom(i % 40), ("198.51.100.1", 4500))
'
	iop_check "in.iked survives the flood" kill -0 "$IOP_IKED_PID"
	lines=$(grep -Ec "dropped|malformed" "$log")
	iop_check "flood is logged at a limited rate ($lines lines for 12000 datagrams)" \
	    [ "$lines" -le 120 ]
	iop_sw "$B" --initiate --ike v1 --child v1c --timeout 10 \
	    >"$B/initiate.out" 2>&1
	iop_check "charon still negotiates after the flood" \
	    grep -q "completed successfully" "$B/initiate.out"
	iop_check "ping through the tunnel after the flood" \
	    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
	;;
pfs)
	# A packet every 0.5 s for 12 s: each one that finds no SA would
	# start a Quick Mode if nothing held it back.
	ip netns exec "$IOP_NSA" ping -n -c 24 -i 0.5 -W 1 -I 192.0.2.1 \
	    203.0.113.1 >"$IOP_DIR/ping.out" 2>&1 &
	ping_pid=$!
	iop_track "$ping_pid"
	iop_check "in.iked names the PFS group of its rejected proposal" \
	    iop_wait_grep "$log" "rejected Quick Mode [0-9a-f]{8} with NO-PROPOSAL-CHOSEN: our proposal for the policy at .*ipsecinit\.conf:[0-9]+ .* with PFS group 14; check that the peer's ESP proposal has this Diffie-Hellman group" 8
	iop_check "in.iked waits 30 s before the next attempt" \
	    grep -q "next attempt in 30 s" "$log"
	wait "$ping_pid"
	IOP_PIDS=$(echo " $IOP_PIDS " | sed "s/ $ping_pid / /")
	iop_check "charon never saw a retransmitted Quick Mode" \
	    iop_not grep -q "INVALID_HASH_INFORMATION" "$B/charon.log"
	;;
psk-initiator)
	ip netns exec "$IOP_NSA" ping -n -c 1 -W 1 -I 192.0.2.1 203.0.113.1 \
	    >/dev/null 2>&1
	iop_check "in.iked gives up after MM5 and names the likely cause" \
	    iop_wait_grep "$log" "no answer from 198\.51\.100\.2\[[0-9]+\] after [0-9]+ retransmissions \(rule \"peer\"\), giving up; the unanswered message was MM5 .* preshared key differs" 30
	;;
silent)
	ip netns exec "$IOP_NSA" ping -n -c 1 -W 1 -I 192.0.2.1 203.0.113.1 \
	    >/dev/null 2>&1
	iop_check "in.iked gives up with a log line" \
	    iop_wait_grep "$log" "no answer from 198\.51\.100\.2\[500\] after [0-9]+ retransmissions" 20
	iop_check "in.iked removes the half-open ISAKMP SA" \
	    iop_wait_grep "$log" "removed: Phase 1 timed out" 5
	;;
esac
iop_cap_stop

if [ "$mode" = flood ] || [ "$mode" = id-added ]; then
	iop_stop "$IOP_IKED_PID"
	status=$?
	iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
	iop_summary
	exit
fi
if [ "$mode" != silent ]; then
	iop_sw "$B" --list-sas --raw >"$B/sas.out" 2>&1
	[ "$mode" = pfs ] || iop_check "charon has no IKE SA" \
	    iop_not grep -q "state=ESTABLISHED" "$B/sas.out"
	iop_check "charon has no child SA" \
	    iop_not grep -q "state=INSTALLED" "$B/sas.out"
fi
iop_check "in.iked installed no ESP SA" \
    iop_not test -s "$A/keys/esp_sa"

# The Notify is an Informational exchange (type 5) from in.iked.
notify=$(tshark -r "$cap" \
    -Y 'isakmp.exchangetype == 5 && ip.src == 198.51.100.1' 2>/dev/null | wc -l)
qm=$(tshark -r "$cap" \
    -Y 'isakmp.exchangetype == 32 && ip.src == 198.51.100.1' 2>/dev/null | wc -l)
mm1=$(tshark -r "$cap" -T fields -e isakmp.ispi \
    -Y 'isakmp.exchangetype == 2 && ip.src == 198.51.100.1 && isakmp.rspi == 00:00:00:00:00:00:00:00' \
    2>/dev/null | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 }')
case $mode in
psk | id | proposal)
	iop_check "in.iked sent a Notify ($notify Informational messages)" \
	    [ "$notify" -ge 1 ]
	;;
pfs)
	iop_check "in.iked sent one Quick Mode message in 12 s ($qm)" \
	    [ "$qm" -eq 1 ]
	;;
silent)
	iop_check "in.iked retransmitted Main Mode message 1 (${mm1:-0} copies)" \
	    [ "${mm1:-0}" -ge 2 ]
	;;
esac
iop_check "in.iked still running" kill -0 "$IOP_IKED_PID"
iop_stop "$IOP_IKED_PID"
status=$?
iop_check "in.iked exits 0 on SIGTERM" [ $status -eq 0 ]
iop_summary
