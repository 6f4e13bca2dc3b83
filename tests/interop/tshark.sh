#!/bin/bash
# tshark.sh: capture in.iked negotiating with strongSwan charon and a ping
# through the tunnel.  tshark must dissect every message without a
# "Malformed" warning, and the key files in.iked wrote with -K must
# decrypt Main Mode, Quick Mode and the ESP packets.
IOP_NAME=ts
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
iop_swanctl_conf "$B" 198.51.100.2 198.51.100.1 203.0.113.1 192.0.2.1
cap=$IOP_DIR/cap.pcapng
iop_cap_start "$IOP_NSA" veth0 "$cap"
iop_charon_start "$IOP_NSB" "$B"
iop_iked_start "$IOP_NSA" "$A" -K "$A/keys"

iop_check "tunnel up, first ping passes" \
    iop_ping "$IOP_NSA" 192.0.2.1 203.0.113.1 15
iop_check "ping through the tunnel" \
    iop_ping_ok "$IOP_NSA" 192.0.2.1 203.0.113.1
iop_stop "$IOP_IKED_PID"
iop_cap_stop

tshark -r "$cap" -V >"$IOP_DIR/plain.txt" 2>&1
mm=$(tshark -r "$cap" -Y 'isakmp.exchangetype == 2' 2>/dev/null | wc -l)
qm=$(tshark -r "$cap" -Y 'isakmp.exchangetype == 32' 2>/dev/null | wc -l)
iop_check "capture holds Main Mode ($mm >= 6 messages)" [ "$mm" -ge 6 ]
iop_check "capture holds Quick Mode ($qm >= 3 messages)" [ "$qm" -ge 3 ]
iop_check "no message dissects as Malformed" \
    iop_not grep -q Malformed "$IOP_DIR/plain.txt"
iop_check "in.iked wrote the IKEv1 key table" test -s "$A/keys/ikev1_decryption_table"
iop_check "in.iked wrote the ESP key table" test -s "$A/keys/esp_sa"

WIRESHARK_CONFIG_DIR=$A/keys tshark -r "$cap" -V \
    -o esp.enable_encryption_decode:TRUE >"$IOP_DIR/dec.txt" 2>&1
iop_check "decrypted capture has no Malformed message" \
    iop_not grep -q Malformed "$IOP_DIR/dec.txt"
iop_check "Main Mode identities decrypt (ID_IPV4_ADDR: 198.51.100.1)" \
    grep -q "ID_IPV4_ADDR: 198.51.100.1" "$IOP_DIR/dec.txt"
iop_check "Quick Mode identities decrypt (ID_IPV4_ADDR: 192.0.2.1)" \
    grep -q "ID_IPV4_ADDR: 192.0.2.1" "$IOP_DIR/dec.txt"
icmp=$(WIRESHARK_CONFIG_DIR=$A/keys tshark -r "$cap" \
    -o esp.enable_encryption_decode:TRUE -Y 'esp && icmp' 2>/dev/null | wc -l)
iop_check "ESP decrypts to the ICMP echoes ($icmp packets)" [ "$icmp" -ge 6 ]
iop_summary
