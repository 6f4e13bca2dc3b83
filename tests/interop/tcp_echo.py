#!/usr/bin/env python3
"""tcp_echo.py server ADDR | client SRC DST [MB]: bulk TCP through a tunnel.

The server accepts one connection on port 5001 of ADDR and sends back
every byte it receives.  The client sends MB megabytes (4 by default) of
a fixed pattern from SRC and reads the echo.  It exits 0 when the same
bytes came back and 1 when not.  A bulk transfer makes the kernel pass
TCP segments of up to 64 KB through the tunnel in both directions.  Both
sides give up after 30 s without progress.
"""
import hashlib
import socket
import sys
import threading
import time

PORT = 5001
TIMEOUT = 30


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def server(addr):
    s = socket.socket(family(addr))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, PORT))
    s.listen(1)
    s.settimeout(TIMEOUT)
    c, _ = s.accept()
    c.settimeout(TIMEOUT)
    while True:
        data = c.recv(65536)
        if not data:
            break
        c.sendall(data)
    c.close()
    return 0


def connect(src, dst):
    """Connect, retrying while the server starts or the SA is negotiated."""
    for _ in range(100):
        s = socket.socket(family(dst))
        s.bind((src, 0))
        s.settimeout(TIMEOUT)
        try:
            s.connect((dst, PORT))
            return s
        except OSError:
            s.close()
            time.sleep(0.1)
    raise OSError("cannot connect to %s port %d" % (dst, PORT))


def client(src, dst, mb):
    data = bytes((i * 7 + i // 251) & 0xff for i in range(mb << 20))
    s = connect(src, dst)

    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send)
    sender.start()
    got = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    sender.join()
    if hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
        print("tcp_echo: %d bytes came back, %d sent, or they differ"
              % (len(got), len(data)))
        return 1
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        return server(sys.argv[2])
    if len(sys.argv) in (4, 5) and sys.argv[1] == "client":
        mb = int(sys.argv[4]) if len(sys.argv) == 5 else 4
        return client(sys.argv[2], sys.argv[3], mb)
    print(__doc__.splitlines()[0])
    return 2


if __name__ == "__main__":
    sys.exit(main())
