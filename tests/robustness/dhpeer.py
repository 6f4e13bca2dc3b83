#!/usr/bin/env python3
"""dhpeer.py: Main Mode and Quick Mode initiators that misbehave while
in.iked, as responder, computes g^xy in its Diffie-Hellman threads
(between MM4 and MM5, and between QM2 and QM3).

Run inside the peers' network namespace by dhjobs.sh, one case per run.
The initiator is hostile.py's (preshared key, AES-128-CBC, SHA-1,
MODP-2048).  Each case prints one line saying what it sent and what came
back; dhjobs.sh checks in.iked's log.  A case that expects a reply and
receives none exits 1 with the reason.
"""
import argparse
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as h

# The Quick Mode selectors; dhjobs.sh gives in.iked a policy for them.
INNER_L, INNER_R = "198.19.250.1", "203.0.113.1"
N_AUTHENTICATION_FAILED = 24


def phase1(t, a):
    return h.Phase1(t, a.psk.encode(), a.source)


def ids():
    return [h.ipv4_id(INNER_L), h.ipv4_id(INNER_R)]


def case_notify_before_mm5(t, a):
    """After MM4 both sides can derive the keys: reject under HASH(1),
    with the IV chained from the Phase 1 IV (no MM5 was sent)."""
    s = phase1(t, a)
    s.mm1()
    s.mm3()
    s.last_block = s.iv
    n = struct.pack("!IBBH", 1, 1, 16, N_AUTHENTICATION_FAILED) + \
        s.icky + s.rcky
    s.info([(h.N, n)])
    print("sent AUTHENTICATION-FAILED before MM5, cookies %s:%s" %
          s.cookies())


def case_vanish(t, a):
    for _ in range(a.n):
        s = phase1(t, a)
        s.mm1()
        s.mm3(expect_reply=False)
    print("sent %d MM3 and vanished" % a.n)


def case_mm3_retx(t, a):
    s = phase1(t, a)
    s.mm1()
    s.mm3()
    for _ in range(a.n):
        t.send(s.mm3_msg)
    time.sleep(0.2)
    t.drain()
    s.mm5()
    print("MM6 received after %d MM3 copies" % a.n)


def case_qm1_retx(t, a):
    s = phase1(t, a).establish()
    s.qm1(ids=ids())
    for _ in range(a.n):
        t.send(s.qm1_msg)
    s.qm2()
    s.qm3()
    print("QM3 sent after %d QM1 copies, msgid %08x" % (a.n, s.qm_msgid))


def case_qm1_vanish(t, a):
    s = phase1(t, a).establish()
    for _ in range(a.n):
        s.qm1(ids=ids())
    print("sent %d QM1 and vanished" % a.n)


# Invalid KE values for MODP-2048: in.iked accepts only 1 < y < p-1,
# given in exactly the length of p.
BAD = {
    "0": lambda: h.i2b(0),
    "1": lambda: h.i2b(1),
    "p-1": lambda: h.i2b(h.MODP2048 - 1),
    "ones": lambda: b"\xff" * h.GLEN,
    "short": lambda: os.urandom(h.GLEN - 1),
}


def case_mm_ke(t, a):
    s = phase1(t, a)
    s.mm1()
    s.mm3(ke=BAD[a.value](), expect_reply=False)
    r = s.recv(timeout=2.0)
    print("MM3 with KE %s: %s" % (a.value, "MM4" if r else "no reply"))
    if r is not None:
        s.rcky = r[8:16]
        s.gy = h.find(h.parse_payloads(r[16], r[28:]), h.KE)
        s.nr = h.find(h.parse_payloads(r[16], r[28:]), h.NONCE)
        s.derive()
        s.mm5(expect_reply=False)


# Low-order points of Curve25519 (group 31) and Curve448 (group 32) as
# little-endian u-coordinates.  With either, every private key gives the
# shared secret 0, which in.iked rejects.
CURVE_LEN = {31: 32, 32: 56}
LOW_ORDER = {
    "0": lambda n: bytes(n),
    "1": lambda n: b"\x01" + bytes(n - 1),
}


def case_curve_ke(t, a):
    s = phase1(t, a)
    s.mm1(sa=h.p1_sa(group=a.group))
    s.mm3(ke=LOW_ORDER[a.value](CURVE_LEN[a.group]), expect_reply=False)
    r = s.recv(timeout=2.0)
    print("MM3 with group %d KE u=%s: %s" %
          (a.group, a.value, "MM4" if r else "no reply"))


def case_qm_ke(t, a):
    s = phase1(t, a).establish()
    s.qm1(ids=ids(), ke=BAD[a.value]())
    r = s.recv(h.EX_QM, 2.0)
    print("QM1 with KE %s: %s" % (a.value, "QM2" if r else "no reply"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--psk", required=True)
    # hostile.Target reads these; dhpeer.py checks no log itself.
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("-n", type=int, default=1,
                    help="copies or exchanges, for the cases that repeat")
    ap.add_argument("--value", default="0", choices=sorted(BAD),
                    help="the invalid KE of mm-ke, qm-ke and curve-ke")
    ap.add_argument("--group", type=int, default=32, choices=[31, 32],
                    help="the group of curve-ke")
    ap.add_argument("case", help="notify-before-mm5, vanish, mm3-retx, "
                    "qm1-retx, qm1-vanish, mm-ke, qm-ke or curve-ke")
    a = ap.parse_args()
    t = h.Target(a)
    try:
        globals()["case_" + a.case.replace("-", "_")](t, a)
    except h.Fail as e:
        print("%s: %s" % (a.case, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
