#!/usr/bin/env python3
"""hostile.py: crafted ISAKMP messages against a running in.iked.

Run inside the attacker's network namespace by robust.sh.  Every case
sends one or more messages to in.iked and then checks:

  * the daemon still runs (its PID answers signal 0);
  * the established tunnel with charon passes a ping between the inner
    hosts (run in in.iked's namespace);
  * in.iked's log, from where the case began, matches the phrase that
    names the reason for the drop;
  * ikeadm dump p1 lists no ISAKMP SA that a later message could use
    (none at all, or only unfinished ones where the case legitimately
    opened a Main Mode), and the charon SA is still ACTIVE;
  * no AddressSanitizer or UBSan report appeared in the log.

For authenticated cases it runs its own IKEv1 initiator: Main Mode with a
preshared key, AES-128-CBC, SHA-1 and MODP-2048.  SKEYID and the hashes
use hmac and hashlib, and Diffie-Hellman uses Python integers.  AES-CBC
runs in the openssl command because the standard library has no block
cipher.

Only the Python standard library is used.  Exit status: 0 when every
case passed, 1 otherwise.
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

# RFC 3526 group 14 (MODP 2048), generator 2.
MODP2048 = int(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05"
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb"
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b"
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718"
    "3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff",
    16)
GLEN = 256
# RFC 2409 6.1, group 1 (MODP 768), only to show a downgrade.
MODP768 = int(
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a63a3620ffffffffffffffff",
    16)

# Payload types (RFC 2408 3.1, RFC 3947).
SA, P, T, KE, ID, CERT, CR, HASH, SIG, NONCE, N, D, VID = range(1, 14)
NAT_D = 20
# Exchange types.
EX_BASE, EX_MM, EX_AUTH, EX_AGGR, EX_INFO, EX_TRANS = 1, 2, 3, 4, 5, 6
EX_QM, EX_NGM = 32, 33
F_ENC, F_COMMIT, F_AUTH = 1, 2, 4
# Notify types.
N_R_U_THERE, N_R_U_THERE_ACK = 36136, 36137
N_INITIAL_CONTACT = 24578

# ---------------------------------------------------------------- encoding

def hdr(icky, rcky, nxt, exch, flags=0, msgid=0, length=None, ver=0x10,
        body=b""):
    if length is None:
        length = 28 + len(body)
    return struct.pack("!8s8sBBBBII", icky, rcky, nxt, ver, exch, flags,
                       msgid, length & 0xffffffff) + body


def gen(nxt, body, length=None):
    """A payload with its generic header; length may lie."""
    if length is None:
        length = 4 + len(body)
    return struct.pack("!BBH", nxt, 0, length & 0xffff) + body


def chain(payloads):
    """[(type, body)] -> (first type, bytes) with the next fields set."""
    out = b""
    for i, (_, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += gen(nxt, body)
    return (payloads[0][0] if payloads else 0), out


def tv(t, v):
    return struct.pack("!HH", 0x8000 | t, v)


def tlv(t, data):
    return struct.pack("!HH", t, len(data)) + data


def transform(num, tid, attrs, last=True, length=None):
    body = struct.pack("!BBH", num, tid, 0) + b"".join(attrs)
    return gen(0 if last else T, body, length)


def proposal(num, proto, spi, transforms, last=True, ntrans=None,
             length=None, spi_size=None):
    if ntrans is None:
        ntrans = len(transforms)
    if spi_size is None:
        spi_size = len(spi)
    body = struct.pack("!BBBB", num, proto, spi_size, ntrans) + spi + \
        b"".join(transforms)
    return gen(0 if last else P, body, length)


def sa_body(proposals, doi=1, sit=1):
    return struct.pack("!II", doi, sit) + b"".join(proposals)


def p1_attrs(encr=7, keylen=128, hsh=2, auth=1, group=14, life=28800,
             extra=()):
    a = []
    if encr is not None:
        a.append(tv(1, encr))
    if keylen is not None:
        a.append(tv(14, keylen))
    if hsh is not None:
        a.append(tv(2, hsh))
    if auth is not None:
        a.append(tv(3, auth))
    if group is not None:
        a.append(tv(4, group))
    if life is not None:
        a.append(tv(11, 1))
        a.append(tlv(12, struct.pack("!I", life)))
    return a + list(extra)


def p1_sa(attrs=None, **kw):
    if attrs is None:
        attrs = p1_attrs(**kw)
    return sa_body([proposal(1, 1, b"", [transform(1, 1, attrs)])])


def p2_sa(spi, group=14):
    attrs = [tv(1, 1), tlv(2, struct.pack("!I", 3600)), tv(4, 1), tv(5, 2),
             tv(6, 128)]
    if group:
        attrs.append(tv(3, group))
    return sa_body([proposal(1, 3, spi, [transform(1, 12, attrs)])])


def id_body(idtype, data, proto=0, port=0):
    return struct.pack("!BBH", idtype, proto, port) + data


def ipv4_id(addr, proto=0, port=0):
    return id_body(1, socket.inet_aton(addr), proto, port)


def parse_payloads(first, data):
    out = []
    t, off = first, 0
    while t != 0 and off + 4 <= len(data):
        nxt, _, ln = struct.unpack("!BBH", data[off:off + 4])
        if ln < 4 or off + ln > len(data):
            break
        out.append((t, data[off + 4:off + ln]))
        t, off = nxt, off + ln
    return out


def find(pls, t):
    for pt, body in pls:
        if pt == t:
            return body
    return None


# ---------------------------------------------------------------- crypto

def prf(key, data):
    return hmac.new(key, data, hashlib.sha1).digest()


def aes_cbc(key, iv, data, decrypt=False):
    cmd = ["openssl", "enc", "-aes-128-cbc", "-nopad", "-K", key.hex(),
           "-iv", iv.hex()]
    if decrypt:
        cmd.append("-d")
    r = subprocess.run(cmd, input=data, capture_output=True, check=True)
    return r.stdout


def pad16(data):
    return data + bytes((16 - len(data) % 16) % 16)


def i2b(v, n=GLEN):
    return v.to_bytes(n, "big")


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


# ---------------------------------------------------------------- the target

class Fail(Exception):
    pass


class Target:
    def __init__(self, a):
        self.a = a
        self.addr = a.target
        self.s500 = self.sock(a.source, 500)
        self.s4500 = self.sock(a.source, 4500)
        self.logpos = 0
        self.passed = 0
        self.failed = []
        self.budget = {}

    @staticmethod
    def sock(addr, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        return s

    def send(self, data, port=500, marker=None, sock=None):
        if sock is None:
            sock = self.s4500 if port == 4500 else self.s500
        if marker is None:
            marker = port == 4500
        if marker:
            data = bytes(4) + data
        sock.sendto(data, (self.addr, port))

    def spoof(self, src, sport, data, dport=500, marker=None):
        """Send data to in.iked from a forged address and port."""
        if marker is None:
            marker = dport == 4500
        if marker:
            data = bytes(4) + data
        ulen = 8 + len(data)
        pseudo = socket.inet_aton(src) + socket.inet_aton(self.addr) + \
            struct.pack("!BBH", 0, 17, ulen)
        udp = struct.pack("!HHHH", sport, dport, ulen, 0) + data
        csum = inet_checksum(pseudo + udp) or 0xffff
        udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
        # The kernel fills in the IP checksum and total length.
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17,
                         0, socket.inet_aton(src),
                         socket.inet_aton(self.addr))
        with socket.socket(socket.AF_INET, socket.SOCK_RAW,
                           socket.IPPROTO_RAW) as rs:
            rs.sendto(ip + udp, (self.addr, 0))

    def drain(self):
        for s in (self.s500, self.s4500):
            while select.select([s], [], [], 0)[0]:
                s.recv(65536)

    def recv(self, icky, timeout=3.0, want=None, port=500):
        """The next message for cookie icky (and exchange want)."""
        s = self.s4500 if port == 4500 else self.s500
        end = time.time() + timeout
        while time.time() < end:
            r = select.select([s], [], [], max(0, end - time.time()))[0]
            if not r:
                break
            data = s.recv(65536)
            if port == 4500:
                if data[:4] != bytes(4):
                    continue
                data = data[4:]
            if len(data) < 28 or data[:8] != icky:
                continue
            if want is not None and data[18] != want:
                continue
            return data
        return None

    # -- state in the daemon

    def log_new(self):
        with open(self.a.log, "rb") as f:
            f.seek(self.logpos)
            return f.read().decode("utf-8", "replace")

    def wait_log(self, pattern, timeout=5.0):
        rx = re.compile(pattern)
        end = time.time() + timeout
        while True:
            text = self.log_new()
            if rx.search(text):
                return True
            if time.time() >= end:
                return False
            time.sleep(0.05)

    def dump_p1(self):
        r = subprocess.run([self.a.ikeadm, "-j", "-R", self.a.root,
                            "dump", "p1"], capture_output=True, text=True,
                           timeout=10)
        sas = {}
        for line in r.stdout.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if "initiator_cookie" in o:
                key = (o["initiator_cookie"][2:], o["responder_cookie"][2:])
                sas[key] = (o.get("state", ""), o.get("remote_addr", ""))
        return sas

    def alive(self):
        try:
            os.kill(self.a.pid, 0)
            return True
        except OSError:
            return False

    def ping(self):
        src, dst = self.a.ping.split(",")
        for _ in range(2):
            r = subprocess.run(["ip", "netns", "exec", self.a.ping_ns,
                                "ping", "-n", "-q", "-c", "1", "-W", "2",
                                "-I", src, dst], capture_output=True)
            if r.returncode == 0:
                return True
        return False

    # -- rate limits: in.iked logs at most 20 lines per 10 s per kind,
    # and 5 for datagrams it cannot parse at all ("udp")

    def pace(self, kind, n=1):
        if kind is None:
            return
        limit = 4 if kind == "udp" else 16
        now = time.time()
        used = [t for t in self.budget.get(kind, []) if now - t < 10.5]
        while used and len(used) + n > limit:
            time.sleep(max(0.0, used[0] + 10.6 - now))
            now = time.time()
            used = [t for t in used if now - t < 10.5]
        used += [now] * n
        self.budget[kind] = used

    # -- one case

    def run(self, name, fn, expect, state="none", kind=None, cost=1):
        """Run fn(), then check the daemon.

        expect  regex that the log must show after the case
        state   "none": no new ISAKMP SA; "unfinished": new SAs may exist
                but none is ACTIVE; "own": fn returns the cookies of SAs
                it was allowed to establish
        """
        self.pace(kind, cost)
        self.drain()
        before = self.dump_p1()
        with open(self.a.log, "rb") as f:
            f.seek(0, 2)
            self.logpos = f.tell()
        problems = []
        allowed = set()
        try:
            r = fn()
            if state == "own" and r:
                allowed = set(r)
        except Fail as e:
            problems.append(str(e))
        except (OSError, subprocess.SubprocessError) as e:
            problems.append("the case itself failed: %s" % e)
        if expect and not self.wait_log(expect):
            problems.append("log lacks /%s/" % expect)
        # in.iked's limit counts from the lines it logged, which follow
        # the case's setup: charge the budget at the end of the case.
        if kind is not None:
            used = self.budget[kind]
            self.budget[kind] = used[:-cost] + [time.time()] * cost
        if not self.alive():
            problems.append("in.iked is not running")
        else:
            if not self.ping():
                problems.append("the charon tunnel does not pass a ping")
            after = self.dump_p1()
            charon = [k for k, v in after.items()
                      if v[1] == self.a.charon and v[0] == "ACTIVE"]
            if not charon:
                problems.append("the charon ISAKMP SA is no longer ACTIVE")
            for k, v in after.items():
                if k in before or k in allowed or k[0] in allowed:
                    continue
                if state == "none":
                    problems.append("new ISAKMP SA %s/%s (%s)" %
                                    (k[0], k[1], v[0]))
                elif v[0] == "ACTIVE":
                    problems.append("new ACTIVE ISAKMP SA %s/%s" % k)
        text = self.log_new()
        m = re.search(r"(ERROR: \w+Sanitizer.*|runtime error:.*)", text)
        if m:
            problems.append("sanitizer: " + m.group(1))
        if problems:
            self.failed.append(name)
            print("FAIL: %s: %s" % (name, "; ".join(problems)))
            lines = [ln for ln in text.splitlines()
                     if ": debug:   " not in ln]
            for ln in lines[:12]:
                print("    | " + ln[20:])
        else:
            self.passed += 1
            print("PASS: %s" % name)
        sys.stdout.flush()


# ---------------------------------------------------------------- initiator

class Phase1:
    """Our own IKEv1 initiator: Main Mode with a preshared key."""

    def __init__(self, t, psk, my_addr, port=500):
        self.t = t
        self.psk = psk
        self.my_addr = my_addr
        self.port = port
        self.icky = os.urandom(8)
        self.rcky = bytes(8)
        self.x = int.from_bytes(os.urandom(32), "big")
        self.gx = i2b(pow(2, self.x, MODP2048))
        self.ni = os.urandom(16)
        self.sai_b = p1_sa()

    def cookies(self):
        return (self.icky.hex(), self.rcky.hex())

    def send(self, data):
        self.t.send(data, port=self.port)

    def recv(self, want=EX_MM, timeout=3.0):
        return self.t.recv(self.icky, timeout, want, port=self.port)

    def mm1(self, sa=None, expect_reply=True):
        if sa is not None:
            self.sai_b = sa
        nxt, body = chain([(SA, self.sai_b)])
        self.mm1_msg = hdr(self.icky, bytes(8), nxt, EX_MM, body=body)
        self.send(self.mm1_msg)
        if not expect_reply:
            return None
        r = self.recv()
        if r is None:
            raise Fail("no MM2 from in.iked")
        self.rcky = r[8:16]
        return r

    def mm3(self, ke=None, nonce=None, payloads=None, expect_reply=True):
        if payloads is None:
            payloads = [(KE, self.gx if ke is None else ke),
                        (NONCE, self.ni if nonce is None else nonce)]
        nxt, body = chain(payloads)
        self.mm3_msg = hdr(self.icky, self.rcky, nxt, EX_MM, body=body)
        self.send(self.mm3_msg)
        if not expect_reply:
            return None
        r = self.recv()
        if r is None:
            raise Fail("no MM4 from in.iked")
        pls = parse_payloads(r[16], r[28:])
        gy, nr = find(pls, KE), find(pls, NONCE)
        if gy is None or nr is None:
            raise Fail("MM4 lacks KE or Nonce")
        self.gy, self.nr = gy, nr
        self.derive()
        return r

    def derive(self):
        gxy = i2b(pow(int.from_bytes(self.gy, "big"), self.x, MODP2048))
        ck = self.icky + self.rcky
        self.skeyid = prf(self.psk, self.ni + self.nr)
        self.skeyid_d = prf(self.skeyid, gxy + ck + b"\0")
        self.skeyid_a = prf(self.skeyid, self.skeyid_d + gxy + ck + b"\1")
        self.skeyid_e = prf(self.skeyid, self.skeyid_a + gxy + ck + b"\2")
        self.key = self.skeyid_e[:16]
        self.iv = hashlib.sha1(self.gx + self.gy).digest()[:16]

    def idii(self):
        return ipv4_id(self.my_addr, 17, 500)

    def hash_i(self, id_b):
        return prf(self.skeyid, self.gx + self.gy + self.icky + self.rcky +
                   self.sai_b + id_b)

    def encrypt(self, exch, payloads, iv, msgid=0, flags=F_ENC, raw=None):
        nxt, body = chain(payloads)
        if raw is not None:
            nxt, body = raw
        ct = aes_cbc(self.key, iv, pad16(body))
        return hdr(self.icky, self.rcky, nxt, exch, flags, msgid,
                   body=ct), ct[-16:]

    def decrypt(self, msg, iv):
        ct = msg[28:]
        if not ct or len(ct) % 16:
            return None, None
        return parse_payloads(msg[16], aes_cbc(self.key, iv, ct, True)), \
            ct[-16:]

    def mm5(self, id_b=None, hash_b=None, expect_reply=True):
        if id_b is None:
            id_b = self.idii()
        if hash_b is None:
            hash_b = self.hash_i(id_b)
        self.mm5_msg, last = self.encrypt(EX_MM, [(ID, id_b),
                                                  (HASH, hash_b)], self.iv)
        self.iv = last
        self.send(self.mm5_msg)
        if not expect_reply:
            return None
        r = self.recv()
        if r is None:
            raise Fail("no MM6 from in.iked")
        pls, last = self.decrypt(r, self.iv)
        idr, hr = find(pls or [], ID), find(pls or [], HASH)
        if idr is None or hr is None:
            raise Fail("MM6 lacks ID or HASH")
        want = prf(self.skeyid, self.gy + self.gx + self.rcky + self.icky +
                   self.sai_b + idr)
        if hr != want:
            raise Fail("HASH_R of MM6 does not verify")
        self.last_block = last
        return r

    def establish(self):
        self.mm1()
        self.mm3()
        self.mm5()
        return self

    # -- Phase 2

    def p2_iv(self, msgid):
        return hashlib.sha1(self.last_block +
                            struct.pack("!I", msgid)).digest()[:16]

    def info(self, payloads, msgid=None, good_hash=True, raw=None):
        if msgid is None:
            msgid = int.from_bytes(os.urandom(4), "big") | 1
        nxt, rest = chain(payloads)
        h = prf(self.skeyid_a, struct.pack("!I", msgid) + rest)
        if not good_hash:
            h = bytes(len(h))
        body = gen(nxt, h) + rest
        ct = aes_cbc(self.key, self.p2_iv(msgid), pad16(body))
        msg = hdr(self.icky, self.rcky, HASH, EX_INFO, F_ENC, msgid,
                  body=ct)
        self.send(msg)
        return msg

    def qm1(self, ids=None, msgid=None, sa=None, ke=True, nonce=True,
            hash_b=None, extra=()):
        self.qm_msgid = msgid or (int.from_bytes(os.urandom(4), "big") | 1)
        self.qm_ni = os.urandom(16)
        self.qm_spi = os.urandom(4)
        self.qm_x = int.from_bytes(os.urandom(32), "big")
        pls = [(SA, sa if sa is not None else p2_sa(self.qm_spi))]
        if nonce:
            pls.append((NONCE, self.qm_ni))
        if ke is True:
            pls.append((KE, i2b(pow(2, self.qm_x, MODP2048))))
        elif ke:
            pls.append((KE, ke))
        if ids is None:
            ids = [ipv4_id("192.0.2.200"), ipv4_id("192.0.2.1")]
        pls += [(ID, i) for i in ids] + list(extra)
        nxt, rest = chain(pls)
        m = struct.pack("!I", self.qm_msgid)
        h = hash_b if hash_b is not None else prf(self.skeyid_a, m + rest)
        body = gen(nxt, h) + rest
        iv = self.p2_iv(self.qm_msgid)
        ct = aes_cbc(self.key, iv, pad16(body))
        self.qm_iv = ct[-16:]
        self.qm1_msg = hdr(self.icky, self.rcky, HASH, EX_QM, F_ENC,
                           self.qm_msgid, body=ct)
        self.send(self.qm1_msg)
        return self.qm1_msg

    def qm2(self, timeout=3.0):
        r = self.recv(EX_QM, timeout)
        if r is None:
            raise Fail("no QM2 from in.iked")
        pls, last = self.decrypt(r, self.qm_iv)
        self.qm_iv = last
        self.qm_nr = find(pls or [], NONCE)
        if self.qm_nr is None:
            raise Fail("QM2 lacks a Nonce")
        return r

    def qm3(self):
        m = struct.pack("!I", self.qm_msgid)
        h = prf(self.skeyid_a, b"\0" + m + self.qm_ni + self.qm_nr)
        body = gen(0, h)
        ct = aes_cbc(self.key, self.qm_iv, pad16(body))
        self.qm3_msg = hdr(self.icky, self.rcky, HASH, EX_QM, F_ENC,
                           self.qm_msgid, body=ct)
        self.send(self.qm3_msg)
        return self.qm3_msg


class NatPhase1(Phase1):
    """Main Mode with NAT-T (RFC 3947) that claims to be behind a NAT.

    MM1 carries the RFC 3947 Vendor ID, and MM3 two NAT-D payloads: the
    first matches in.iked's address, the second matches no address of
    ours, as a NAT would cause.  MM5 and everything after go to port 4500.
    """

    VID_RFC3947 = hashlib.md5(b"RFC 3947").digest()

    def mm1(self, sa=None, expect_reply=True):
        if sa is not None:
            self.sai_b = sa
        nxt, body = chain([(SA, self.sai_b), (VID, self.VID_RFC3947)])
        self.mm1_msg = hdr(self.icky, bytes(8), nxt, EX_MM, body=body)
        self.send(self.mm1_msg)
        r = self.recv()
        if r is None:
            raise Fail("no MM2 from in.iked")
        self.rcky = r[8:16]
        return r

    def natd(self, addr, port):
        return hashlib.sha1(self.icky + self.rcky + socket.inet_aton(addr) +
                            struct.pack("!H", port)).digest()

    def mm3(self, ke=None, nonce=None, payloads=None, expect_reply=True):
        payloads = [(KE, self.gx), (NONCE, self.ni),
                    (NAT_D, self.natd(self.t.addr, 500)),
                    (NAT_D, os.urandom(20))]
        r = Phase1.mm3(self, payloads=payloads)
        self.port = 4500
        return r


# ---------------------------------------------------------------- the cases

ME = r"192\.0\.2\.130"
DROP_HDR = r"malformed ISAKMP message from " + ME + r"\S* dropped: " \
    r"ISAKMP header: "
UNSUP = r"exchange from " + ME + r"\S* is not supported; dropped"


def unsup(ex, first=True):
    """The log line for exchange type ex, which in.iked does not run.

    first: the message opens an exchange (zero responder cookie).
    """
    if ex != EX_AGGR:
        return UNSUP
    if first:
        return (r"Aggressive Mode from " + ME + r"\S* rejected with "
                r"INVALID-EXCHANGE-TYPE")
    # NOTE: in.iked drops a later Aggressive Mode message without a log
    # line, so these cases check only that nothing changes.
    return None
MALF_MM1 = r"malformed MM1 from \S+ dropped: "
# MM2 went out: "answered MM1 from PEER" or "sent MM2 to PEER".
MM2_SENT = r"(answered MM1 from|sent MM2 to) "
NOPROP = r"no acceptable Phase 1 proposal from " + ME
UNKNOWN_CK = r"Main Mode message from \S+ for unknown cookies dropped"
UNFINISHED = r"message (from \S+ )?for unknown or unfinished ISAKMP SA dropped"
BAD_HASH1 = r"Informational from " + ME + r"\S* without a valid HASH\(1\)"
QM_FAILED = r"Quick Mode [0-9a-f]{8} with " + ME + r"\S* failed"
QM_NOPROP = r"no acceptable Quick Mode proposal from " + ME


def rnd8():
    return os.urandom(8)


def mm1_bytes(sa=None, extra=(), icky=None, flags=0, ver=0x10, length=None,
              exch=EX_MM, rcky=bytes(8), msgid=0):
    pls = [(SA, sa if sa is not None else p1_sa())] + list(extra)
    nxt, body = chain(pls)
    return hdr(icky or rnd8(), rcky, nxt, exch, flags, msgid, length, ver,
               body)


def clr(icky, rcky, payloads, exch, flags=0, msgid=0):
    """An unencrypted message with the payloads [(type, body)]."""
    nxt, body = chain(payloads)
    return hdr(icky, rcky, nxt, exch, flags, msgid, body=body)


def raw_mm1(first, body, icky=None):
    return hdr(icky or rnd8(), bytes(8), first, EX_MM, body=body)


class Cases:
    def __init__(self, t, a):
        self.t = t
        self.a = a
        self.psk = a.psk.encode()
        self.own = None
        self.charon = None
        self.known = a.known_bugs

    def p1(self, port=500):
        return Phase1(self.t, self.psk, self.a.source, port)

    def send(self, data, **kw):
        return lambda: self.t.send(data, **kw)

    def charon_cookies(self):
        for k, v in self.t.dump_p1().items():
            if v[1] == self.a.charon and v[0] == "ACTIVE":
                return bytes.fromhex(k[0]), bytes.fromhex(k[1])
        raise Fail("no ACTIVE ISAKMP SA with charon in ikeadm dump p1")

    def ensure_own(self):
        if self.own is None:
            self.own = self.p1().establish()
        return self.own

    # -- header and datagram

    def header(self):
        run = self.t.run
        run("datagram of 10 bytes", self.send(os.urandom(10)),
            r"dropped a 10-byte datagram from " + ME +
            r"\S*: shorter than an ISAKMP header", kind="udp")
        run("datagram of 27 bytes (truncated header)",
            self.send(mm1_bytes()[:27]),
            r"dropped a 27-byte datagram from " + ME, kind="udp")
        run("header only, 28 bytes, next payload NONE",
            self.send(hdr(rnd8(), bytes(8), 0, EX_MM)),
            r"MM1 from " + ME + r"\S* lacks the Security Association payload", kind="sa")
        run("version 2.0 (IKEv2 IKE_SA_INIT)",
            self.send(mm1_bytes(ver=0x20, exch=34)),
            DROP_HDR + r"IKEv2 \(version 2\.0\) is not "
            r"supported", kind="engine")
        run("major version 0", self.send(mm1_bytes(ver=0x00)),
            DROP_HDR + r"version 0\.0 is not supported",
            kind="engine")
        run("major version 15", self.send(mm1_bytes(ver=0xf0)),
            DROP_HDR + r"version 15\.0 is not supported",
            kind="engine")
        run("minor version 1", self.send(mm1_bytes(ver=0x11)),
            DROP_HDR + r"minor version 1 is not supported", kind="engine")
        m = mm1_bytes()
        run("Length field shorter than the datagram",
            self.send(m[:24] + struct.pack("!I", len(m) - 8) + m[28:]),
            DROP_HDR + r"Length field %d but the datagram has %d bytes "
            r"\(8 extra\)" % (len(m) - 8, len(m)), kind="engine")
        run("Length field longer than the datagram",
            self.send(m[:24] + struct.pack("!I", len(m) + 100) + m[28:]),
            DROP_HDR + r"Length field %d but the datagram has %d bytes "
            r"\(100 missing\)" % (len(m) + 100, len(m)), kind="engine")
        run("Length field 20, below the header size",
            self.send(m[:24] + struct.pack("!I", 20) + m[28:]),
            DROP_HDR + r"Length field 20 is shorter than the 28-byte",
            kind="engine")
        run("Length field 0xffffffff",
            self.send(m[:24] + struct.pack("!I", 0xffffffff) + m[28:]),
            DROP_HDR + r"Length field 4294967295 exceeds the 65536-byte",
            kind="engine")
        run("zero cookies, Quick Mode",
            self.send(hdr(bytes(8), bytes(8), HASH, EX_QM, F_ENC, 1,
                          body=os.urandom(48))),
            r"Quick Mode " + UNFINISHED, kind="engine")
        run("zero initiator cookie, Main Mode",
            self.send(mm1_bytes(icky=bytes(8))),
            r"initiator cookie", kind="mm")
        for ex in (0, EX_BASE, EX_AUTH, EX_AGGR, EX_TRANS, EX_NGM, 34, 35,
                   37, 100, 240, 255):
            run("exchange type %d, unknown cookies" % ex,
                self.send(mm1_bytes(exch=ex)), unsup(ex), kind="engine")
        for fl in (0x08, 0x10, 0x80, 0xff):
            run("flags 0x%02x" % fl, self.send(mm1_bytes(flags=fl)),
                DROP_HDR + r"flags 0x%02x have undefined bits" % fl,
                kind="engine")
        run("MM1 with the encryption flag",
            self.send(mm1_bytes(flags=F_ENC)), UNKNOWN_CK, kind="mm")
        run("MM1 with a responder cookie (unknown cookies)",
            self.send(mm1_bytes(rcky=rnd8())), UNKNOWN_CK, kind="mm")
        run("MM1 with a non-zero message ID",
            self.send(mm1_bytes(msgid=0x1234)),
            r"message ID|Message ID", state="unfinished", kind="mm")

    # -- payload structure in MM1

    def payloads(self):
        run = self.t.run
        sa = p1_sa()
        run("SA payload length exceeds the datagram",
            self.send(raw_mm1(SA, gen(0, sa, len(sa) + 40))),
            MALF_MM1 + r"SA payload at offset 28: .*exceeds", kind="mm")
        run("SA payload length 3",
            self.send(raw_mm1(SA, gen(0, sa, 3))),
            MALF_MM1 + r".*shorter than its 4-byte generic header",
            kind="mm")
        run("SA payload of length 4 (empty)",
            self.send(raw_mm1(SA, gen(0, b""))),
            MALF_MM1 + r"SA payload at offset 28: body of 0 bytes",
            kind="mm")
        run("payload chain does not end (next VID, no bytes)",
            self.send(raw_mm1(SA, gen(VID, sa))),
            MALF_MM1 + r"VID payload at offset 88: the chain names a Vendor ID "
            r"payload \(13\) next, but the data ends here", kind="mm")
        run("bytes after the last payload",
            self.send(raw_mm1(SA, gen(0, sa) + bytes(12))),
            MALF_MM1 + r"SA payload at offset 88: 12 bytes after the last payload", kind="mm")
        many = [(SA, sa)] + [(VID, os.urandom(8))] * 70
        run("70 payloads (a chain that goes on)",
            self.send(raw_mm1(*chain(many))),
            MALF_MM1 + r"VID payload at offset \d+: more than 64 payloads", kind="mm")
        vid = [(VID, os.urandom(8))] * 63
        run("64 payloads of which 63 VIDs (within the limit)",
            self.send(raw_mm1(*chain([(SA, sa)] + vid))),
            MM2_SENT + ME, state="unfinished", kind=None)
        big = mm1_bytes(extra=[(VID, os.urandom(40000))])
        run("oversize datagram of %d bytes" % len(big), self.send(big),
            r"dropped a %d-byte datagram from " % len(big) + ME +
            r"\S*: larger than the ISAKMP message limit of 32768 bytes",
            kind="udp")
        run("32000-byte MM1 with a private payload",
            self.send(mm1_bytes(extra=[(200, os.urandom(31900))])),
            MALF_MM1 + r"unknown payload at offset 88: payload type 200 "
            r"\(Private use\) is not supported", kind="mm")
        for pt in (14, 16, 22, 99, 127, 128, 129, 200, 255):
            run("MM1 with payload type %d" % pt,
                self.send(mm1_bytes(extra=[(pt, os.urandom(20))])),
                MALF_MM1 + r"unknown payload at offset 88: payload type %d "
                r"\((Unknown|Private use)\) is not supported" % pt,
                kind="mm")
        run("MM1 with a NAT-D payload of draft type 130",
            self.send(mm1_bytes(extra=[(130, os.urandom(20))])),
            r"MM1 from " + ME + r"\S* has an unexpected NAT", kind="sa")
        run("MM1 with a malformed NAT-OA payload of draft type 131",
            self.send(mm1_bytes(extra=[(131, os.urandom(20))])),
            MALF_MM1 + r"NAT-OA payload at offset 88: ", kind="mm")
        for pt in (KE, ID, CERT, CR, HASH, SIG, NONCE, N, D, NAT_D):
            run("MM1 with an empty payload of type %d" % pt,
                self.send(mm1_bytes(extra=[(pt, b"")])),
                MALF_MM1 + r"|MM1 from " + ME + r"\S* has an unexpected",
                kind="mm")
        run("MM1 with an empty VID (allowed)",
            self.send(mm1_bytes(extra=[(VID, b"")])),
            MM2_SENT + ME + r"|" + MALF_MM1 + r"VID",
            state="unfinished", kind="mm")
        # Inside the SA payload.
        xf = transform(1, 1, p1_attrs())
        cases = [
            ("proposal length exceeds the SA payload",
             sa_body([proposal(1, 1, b"", [xf], length=200)])),
            ("proposal declares 2 transforms, holds 1",
             sa_body([proposal(1, 1, b"", [xf], ntrans=2)])),
            ("proposal declares 0 transforms",
             sa_body([proposal(1, 1, b"", [xf], ntrans=0)])),
            ("proposal SPI size 17",
             sa_body([proposal(1, 1, bytes(17), [xf])])),
            ("proposal SPI size 200 beyond the payload",
             sa_body([proposal(1, 1, b"", [xf], spi_size=200)])),
            ("transform length 7",
             sa_body([proposal(1, 1, b"", [transform(1, 1, p1_attrs(),
                                                     length=7)])])),
            ("transform length beyond the proposal",
             sa_body([proposal(1, 1, b"", [transform(1, 1, p1_attrs(),
                                                     length=300)])])),
            ("transform next payload 3 on the last transform",
             sa_body([proposal(1, 1, b"", [transform(1, 1, p1_attrs(),
                                                     last=False)])])),
            ("attribute TLV length beyond the transform",
             sa_body([proposal(1, 1, b"", [transform(
                 1, 1, p1_attrs() + [struct.pack("!HH", 12, 500)])])])),
            ("attribute with 3 bytes left",
             sa_body([proposal(1, 1, b"", [transform(
                 1, 1, p1_attrs() + [b"\x80\x01\x00"])])])),
            ("attribute life duration of 9 bytes",
             sa_body([proposal(1, 1, b"", [transform(
                 1, 1, p1_attrs(life=None) + [tv(11, 1),
                                              tlv(12, b"\1" * 9)])])])),
            ("attribute with an empty TLV value",
             sa_body([proposal(1, 1, b"", [transform(
                 1, 1, p1_attrs(life=None) + [tv(11, 1),
                                              tlv(12, b"")])])])),
            ("65 attributes in one transform",
             sa_body([proposal(1, 1, b"", [transform(
                 1, 1, p1_attrs() + [tv(16385, 1)] * 60)])])),
            ("65 proposals",
             sa_body([proposal(1, 1, b"", [xf], last=False)] * 64 +
                     [proposal(1, 1, b"", [xf])])),
            ("proposal numbers decrease",
             sa_body([proposal(2, 1, b"", [xf], last=False),
                      proposal(1, 1, b"", [xf])])),
            ("proposal with next payload 3",
             sa_body([gen(T, struct.pack("!BBBB", 1, 1, 0, 1) + xf)])),
            ("DOI 0", sa_body([proposal(1, 1, b"", [xf])], doi=0)),
            ("situation 2 (secrecy)",
             sa_body([proposal(1, 1, b"", [xf])], sit=2)),
        ]
        for name, body in cases:
            run("SA: " + name,
                self.send(raw_mm1(SA, gen(0, body))),
                MALF_MM1 + r"SA payload at offset 28: ", kind="mm")

    # -- mandatory payloads and order, per state

    def mandatory(self):
        run = self.t.run

        def mm3_without(pt):
            def fn():
                s = self.p1()
                s.mm1()
                pls = [(KE, s.gx), (NONCE, s.ni)]
                s.mm3(payloads=[p for p in pls if p[0] != pt],
                      expect_reply=False)
            return fn
        run("MM1 without SA (only a VID)",
            self.send(raw_mm1(*chain([(VID, os.urandom(16))]))),
            r"MM1 from " + ME + r"\S* lacks the Security Association payload", kind="sa")
        run("MM3 without KE", mm3_without(KE),
            r"MM3 from " + ME + r"\S* lacks the Key Exchange payload",
            state="unfinished", kind="sa")
        run("MM3 without Nonce", mm3_without(NONCE),
            r"MM3 from " + ME + r"\S* lacks the Nonce payload",
            state="unfinished", kind="sa")
        def mm3_empty():
            s = self.p1()
            s.mm1()
            s.mm3(payloads=[], expect_reply=False)
        run("MM3 empty", mm3_empty,
            r"MM3 from " + ME + r"\S* lacks the Key Exchange payload",
            state="unfinished", kind="sa")

        def mm3_with_sa():
            s = self.p1()
            s.mm1()
            s.mm3(payloads=[(KE, s.gx), (NONCE, s.ni), (SA, p1_sa())],
                  expect_reply=False)
        run("MM3 with an SA payload", mm3_with_sa,
            r"MM3 from " + ME + r"\S* has an unexpected Security Association payload",
            state="unfinished", kind="sa")

        def mm5_with(payloads):
            def fn():
                s = self.p1()
                s.mm1()
                s.mm3()
                id_b = s.idii()
                pl = {"ID": (ID, id_b), "HASH": (HASH, s.hash_i(id_b)),
                      "SA": (SA, p1_sa())}
                m, _ = s.encrypt(EX_MM, [pl[p] for p in payloads], s.iv)
                s.send(m)
                return [s.icky.hex()]
            return fn
        run("MM5 without HASH", mm5_with(["ID"]),
            r"MM5 from " + ME + r"\S* lacks the Hash payload|"
            r"authentication failed for peer " + ME + r".*no HASH payload",
            state="unfinished", kind="sa")
        run("MM5 without ID", mm5_with(["HASH"]),
            r"MM5 from " + ME + r"\S* lacks the Identification payload",
            state="unfinished", kind="sa")
        run("MM5 with an SA payload", mm5_with(["ID", "HASH", "SA"]),
            r"MM5 from " + ME + r"\S* has an unexpected Security Association payload",
            state="unfinished", kind="sa")
        def mm5_hash(h):
            def fn():
                s = self.p1()
                s.mm1()
                s.mm3()
                s.mm5(hash_b=h(s), expect_reply=False)
                return [s.icky.hex()]
            return fn
        run("MM5 with a HASH_I of zeros", mm5_hash(lambda s: bytes(20)),
            r"authentication failed for peer " + ME, state="unfinished")
        run("MM5 with a HASH_I one bit off",
            mm5_hash(lambda s: bytes([s.hash_i(s.idii())[0] ^ 1]) +
                     s.hash_i(s.idii())[1:]),
            r"authentication failed for peer " + ME, state="unfinished")
        run("MM5 with a HASH_I of 19 bytes",
            mm5_hash(lambda s: s.hash_i(s.idii())[:19]),
            r"authentication failed for peer " + ME, state="unfinished")
        run("MM5 with a HASH_I of 21 bytes",
            mm5_hash(lambda s: s.hash_i(s.idii()) + b"\0"),
            r"authentication failed for peer " + ME, state="unfinished")
        run("MM5 with an empty HASH_I", mm5_hash(lambda s: b""),
            r"authentication failed for peer " + ME + r"|Hash payload",
            state="unfinished")
        run("MM5 with HASH before ID", mm5_with(["HASH", "ID"]),
            r"ISAKMP SA \S+ established with " + ME +
            r"|MM5 from " + ME + r"|authentication failed",
            state="own", kind=None)

        # Messages out of order, in each state.
        def enc_in_r1():
            s = self.p1()
            s.mm1()
            s.send(hdr(s.icky, s.rcky, ID, EX_MM, F_ENC,
                       body=os.urandom(64)))
        run("encrypted message in state MM_R1 (MM5 before MM3)", enc_in_r1,
            r"MM3 from " + ME + r"\S* is encrypted, which RFC 2409 does "
            r"not allow", state="unfinished", kind="mm")

        def clear_in_r2():
            s = self.p1()
            s.mm1()
            s.mm3()
            s.send(clr(s.icky, s.rcky, [(KE, s.gx), (NONCE, s.ni),
                                        (VID, b"x")], EX_MM))
        run("unencrypted message in state MM_R2 (a second MM3)",
            clear_in_r2, r"MM5 from " + ME + r"\S* is not encrypted",
            state="unfinished", kind="mm")

        def mm1_again_in_r1():
            s = self.p1()
            s.mm1()
            s.send(mm1_bytes(icky=s.icky, extra=[(VID, b"other")]))
        run("a different MM1 with the same cookie in state MM_R1",
            mm1_again_in_r1,
            r"MM3 from " + ME + r"\S* has an unexpected Security Association payload",
            state="unfinished", kind="sa")

        def dup_mm1():
            s = self.p1()
            s.mm1()
            s.send(s.mm1_msg)
            if s.recv() is None:
                raise Fail("no MM2 again for the repeated MM1")
        run("repeated MM1 gets the stored MM2", dup_mm1,
            r"retransmitted message from " + ME + r"\S*, sending our "
            r"stored reply again", state="unfinished", kind=None)

        def dup_mm3():
            s = self.p1()
            s.mm1()
            s.mm3()
            s.send(s.mm3_msg)
            if s.recv() is None:
                raise Fail("no MM4 again for the repeated MM3")
        run("repeated MM3 gets the stored MM4", dup_mm3,
            r"retransmitted message from " + ME, state="unfinished",
            kind=None)

        def mm3_unknown():
            s = self.p1()
            s.rcky = rnd8()
            s.mm3(expect_reply=False)
        run("MM3 for unknown cookies", mm3_unknown, UNKNOWN_CK, kind="mm")

        def reuse_rejected():
            s = self.p1()
            s.mm1()
            s.mm3(ke=bytes(GLEN), expect_reply=False)
            if not self.t.wait_log(r"Diffie-Hellman with " + ME):
                raise Fail("the zero KE was not rejected")
            time.sleep(0.3)
            s.mm3(expect_reply=False)
        run("responder cookie of a rejected exchange reused",
            reuse_rejected, UNKNOWN_CK, state="unfinished", kind="mm")

        def qm_halfopen():
            s = self.p1()
            s.mm1()
            s.send(hdr(s.icky, s.rcky, HASH, EX_QM, F_ENC, 7,
                       body=os.urandom(64)))
        run("Quick Mode before Phase 1 is done", qm_halfopen,
            r"Quick Mode " + UNFINISHED, state="unfinished", kind="engine")

        def info_halfopen():
            s = self.p1()
            s.mm1()
            s.mm3()
            s.send(hdr(s.icky, s.rcky, HASH, EX_INFO, F_ENC, 9,
                       body=os.urandom(64)))
        run("encrypted Informational before Phase 1 is done",
            info_halfopen, r"Informational " + UNFINISHED,
            state="unfinished", kind="engine")

        def ex_halfopen(ex):
            def fn():
                s = self.p1()
                s.mm1()
                s.send(hdr(s.icky, s.rcky, SA, ex, body=gen(0, p1_sa())))
            return fn
        for ex in (EX_BASE, EX_AGGR, EX_TRANS, EX_NGM):
            run("exchange type %d on an unfinished Main Mode" % ex,
                ex_halfopen(ex), unsup(ex, False), state="unfinished",
                kind="engine")

    # -- KE, Nonce and proposals

    def keys(self):
        run = self.t.run

        def mm3_ke(ke=None, nonce=None):
            def fn():
                s = self.p1()
                s.mm1()
                s.mm3(ke=ke, nonce=nonce, expect_reply=False)
            return fn
        dh = r"Diffie-Hellman with " + ME + r"\S* failed: "
        for name, v in (("0", 0), ("1", 1), ("p-1", MODP2048 - 1)):
            run("KE value %s" % name, mm3_ke(i2b(v)),
                dh + r"MODP public value is", state="unfinished")
        run("KE value p", mm3_ke(i2b(MODP2048)),
            dh + r"MODP public value is p-1 or larger", state="unfinished")
        run("KE value 2^2048-1", mm3_ke(b"\xff" * GLEN),
            dh + r"MODP public value is p-1 or larger", state="unfinished")
        for n in (257, 255, 128, 1):
            run("KE of %d bytes for group 14" % n,
                mm3_ke(os.urandom(n)),
                r"KE payload from " + ME + r"\S* has %d bytes, group 14 "
                r"needs 256" % n, state="unfinished")
        run("KE of 0 bytes", mm3_ke(b""),
            r"KE payload from " + ME + r"\S* has 0 bytes|" + ME +
            r".*KE payload at offset", state="unfinished")
        for n in (0, 7, 257):
            run("Nonce of %d bytes" % n, mm3_ke(nonce=os.urandom(n)),
                r"nonce from " + ME + r"\S* has %d bytes, outside" % n +
                r"|NONCE payload at offset", state="unfinished", kind="mm")

        props = [
            ("without a group", dict(group=None)),
            ("with unknown group 99", dict(group=99)),
            ("with group 1 (not configured)", dict(group=1)),
            ("with group 0", dict(group=0)),
            ("AES key length 8", dict(keylen=8)),
            ("AES key length 64", dict(keylen=64)),
            ("AES key length 65535", dict(keylen=65535)),
            ("encryption algorithm 0", dict(encr=0)),
            ("encryption algorithm 99", dict(encr=99)),
            ("without an encryption algorithm", dict(encr=None)),
            ("hash algorithm 0", dict(hsh=0)),
            ("hash algorithm 99", dict(hsh=99)),
            ("authentication method 99", dict(auth=99)),
            ("authentication method RSA signatures", dict(auth=3)),
            ("without an authentication method", dict(auth=None)),
        ]
        for name, kw in props:
            run("Phase 1 proposal " + name,
                self.send(mm1_bytes(sa=p1_sa(**kw))),
                NOPROP + r"|" + MALF_MM1, kind=None)
        def mm_with(**kw):
            def fn():
                s = self.p1()
                s.sai_b = p1_sa(**kw)
                try:
                    s.establish()
                except Fail:
                    pass
                return [s.icky.hex()]
            return fn
        for name, kw in (("AES key length 0", dict(keylen=0)),
                         ("AES without a key length", dict(keylen=None)),
                         ("life duration 0", dict(life=0))):
            run("Phase 1 " + name + ": refused, or a 16-byte key",
                mm_with(**kw), NOPROP + r"|keys derived \(aes-cbc, "
                r"16-byte key\)", state="own")
        run("Phase 1 proposal for protocol ESP",
            self.send(mm1_bytes(sa=sa_body([proposal(
                1, 3, b"", [transform(1, 1, p1_attrs())])]))),
            NOPROP + r"|" + MALF_MM1, kind=None)
        run("Phase 1 transform ID 2",
            self.send(mm1_bytes(sa=sa_body([proposal(
                1, 1, b"", [transform(1, 2, p1_attrs())])]))),
            NOPROP + r"|" + MALF_MM1, kind=None)
        run("Phase 1 attribute repeated with another value",
            self.send(mm1_bytes(sa=p1_sa(extra=[tv(4, 2)]))),
            NOPROP + r"|" + MALF_MM1, kind=None)

    # -- identities in MM5

    def identities(self):
        run = self.t.run

        def mm5_id(id_b):
            def fn():
                s = self.p1()
                s.mm1()
                s.mm3()
                s.mm5(id_b=id_b, expect_reply=False)
            return fn
        ids = [
            ("IPv4 address of 3 bytes", id_body(1, b"\xc0\x00\x02")),
            ("IPv4 address of 5 bytes", id_body(1, b"\xc0\x00\x02\x82\0")),
            ("IPv4 address of 0 bytes", id_body(1, b"")),
            ("IPv4 address of charon (another peer)",
             ipv4_id(self.a.charon)),
            ("IPv4 subnet of 4 bytes", id_body(4, b"\xc0\x00\x02\x82")),
            ("IPv4 range reversed",
             id_body(7, socket.inet_aton("192.0.2.131") +
                     socket.inet_aton("192.0.2.130"))),
            ("IPv6 address of 15 bytes", id_body(5, bytes(15))),
            ("IPv6 address", id_body(5, socket.inet_pton(
                socket.AF_INET6, "2001:db8::130"))),
            ("FQDN empty", id_body(2, b"")),
            ("FQDN with a NUL", id_body(2, b"attacker\0.example")),
            ("FQDN of 1000 bytes", id_body(2, b"a" * 1000)),
            ("USER_FQDN empty", id_body(3, b"")),
            ("DER_ASN1_DN empty", id_body(9, b"")),
            ("DER_ASN1_DN truncated", id_body(9, b"\x30\x82\xff\xff\x31")),
            ("DER_ASN1_DN garbage", id_body(9, os.urandom(40))),
            ("DER_ASN1_DN with a long-form length overflow",
             id_body(9, b"\x30\x88\xff\xff\xff\xff\xff\xff\xff\xff")),
            ("DER_ASN1_GN garbage", id_body(10, os.urandom(20))),
            ("KEY_ID empty", id_body(11, b"")),
            ("ID type 0", id_body(0, b"\0\0\0\0")),
            ("ID type 12", id_body(12, b"\0\0\0\0")),
            ("ID type 255", id_body(255, b"\0\0\0\0")),
            ("ID body of 2 bytes", b"\x01\x00"),
            ("ID body of 0 bytes", b""),
        ]
        def initial_contact():
            s = self.p1()
            s.mm1()
            s.mm3()
            id_b = s.idii()
            n = struct.pack("!IBBH", 1, 1, 16, N_INITIAL_CONTACT) + \
                s.icky + s.rcky
            m, s.iv = s.encrypt(EX_MM, [(ID, id_b), (HASH, s.hash_i(id_b)),
                                        (N, n)], s.iv)
            s.send(m)
            return [s.icky.hex()]
        run("MM5 with INITIAL-CONTACT removes only this peer's SAs",
            initial_contact, r"INITIAL-CONTACT from " + ME, state="own")

        def mm5_replay():
            s = self.p1()
            s.establish()
            s.send(s.mm5_msg)
            if s.recv() is None:
                raise Fail("no MM6 again for the repeated MM5")
            return [s.icky.hex()]
        run("repeated MM5 after Phase 1 gets the stored MM6", mm5_replay,
            r"retransmitted message from " + ME, state="own")

        reason = (r"identifies itself by another|identity that no|"
                  r"does not decrypt to valid payloads|"
                  r"ID payload at offset")
        for name, id_b in ids:
            run("MM5 identity: " + name, mm5_id(id_b), reason,
                state="unfinished")

    # -- the established attacker SA: Informational

    def informational(self):
        run = self.t.run

        def establish():
            self.own = None
            return [self.ensure_own().icky.hex()]
        run("our own Main Mode completes (control)", establish,
            r"ISAKMP SA \S+ established with " + ME, state="own")
        if self.own is None:
            return
        own = [self.own.icky.hex()]

        def delete_charon(good):
            def fn():
                ci, cr = self.charon_cookies()
                d = struct.pack("!IBBH", 1, 1, 16, 1) + ci + cr
                self.own.info([(D, d)], good_hash=good)
                return own
            return fn
        run("Delete of charon's ISAKMP SA with a wrong HASH",
            delete_charon(False), BAD_HASH1, state="own", kind="info")

        def rut(good):
            def fn():
                n = struct.pack("!IBBH", 1, 1, 16, N_R_U_THERE) + \
                    self.own.icky + self.own.rcky + struct.pack("!I", 7)
                self.own.info([(N, n)], good_hash=good)
                r = self.t.recv(self.own.icky, 1.0, EX_INFO)
                if good and r is None:
                    raise Fail("no R-U-THERE-ACK")
                if not good and r is not None:
                    raise Fail("in.iked answered a forged R-U-THERE")
                return own
            return fn
        run("R-U-THERE with a wrong HASH is ignored", rut(False),
            BAD_HASH1, state="own", kind="info")
        run("R-U-THERE with a valid HASH is answered (control)",
            rut(True), r"received Informational", state="own")

        def info_raw(payloads, first=HASH):
            def fn():
                s = self.own
                msgid = 0x5a5a5a5a
                nxt, rest = chain(payloads)
                ct = aes_cbc(s.key, s.p2_iv(msgid), pad16(rest))
                s.send(hdr(s.icky, s.rcky, nxt, EX_INFO, F_ENC, msgid,
                           body=ct))
                return own
            return fn
        n = struct.pack("!IBBH", 1, 1, 0, 16384)
        run("Informational with the HASH after the Notify",
            info_raw([(N, n), (HASH, bytes(20))]), BAD_HASH1, state="own",
            kind="info")
        run("Informational with only a HASH",
            info_raw([(HASH, bytes(20))]), BAD_HASH1, state="own",
            kind="info")
        run("Informational with garbage (bad padding or payloads)",
            lambda: (self.own.send(hdr(self.own.icky, self.own.rcky, HASH,
                                       EX_INFO, F_ENC, 3,
                                       body=os.urandom(48))), own)[1],
            r"Informational from " + ME + r"\S* does not decrypt to valid "
            r"payloads", state="own", kind="info")
        run("Informational not a multiple of the block size",
            lambda: (self.own.send(hdr(self.own.icky, self.own.rcky, HASH,
                                       EX_INFO, F_ENC, 3,
                                       body=os.urandom(47))), own)[1],
            r"not a multiple of the 16-byte cipher block", state="own",
            kind="info")

        def unknown_enc():
            s = self.own
            m, _ = s.encrypt(EX_INFO, [(HASH, bytes(20))], bytes(16),
                             msgid=5)
            s.send(rnd8() + rnd8() + m[16:])
        run("encrypted Informational for unknown cookies", unknown_enc,
            r"Informational " + UNFINISHED, state="own", kind="engine")

        def clear_delete_charon():
            ci, cr = self.charon_cookies()
            d = struct.pack("!IBBH", 1, 1, 16, 1) + ci + cr
            self.t.send(clr(ci, cr, [(D, d)], EX_INFO))
            n = struct.pack("!IBBH", 1, 1, 16, 14) + ci + cr
            self.t.send(clr(ci, cr, [(N, n)], EX_INFO))
            return own
        run("unencrypted Delete and Notify with charon's cookies",
            clear_delete_charon, r"unencrypted Informational from a peer "
            r"without an unfinished Main Mode dropped", state="own",
            kind="info", cost=2)

        def valid_info_charon():
            ci, cr = self.charon_cookies()
            spis = self.a.charon_spis.split(",") if self.a.charon_spis \
                else []
            pls = [(D, struct.pack("!IBBH", 1, 1, 16, 1) + ci + cr)]
            for spi in spis:
                pls.append((D, struct.pack("!IBBH", 1, 3, 4, 1) +
                            bytes.fromhex(spi)))
            pls.append((N, struct.pack("!IBBH", 1, 3, 4, 11) +
                        bytes.fromhex(spis[0] if spis else "00000001")))
            self.own.info(pls)
            return own
        run("authenticated Deletes of charon's ISAKMP and ESP SAs "
            "and an INVALID-SPI Notify", valid_info_charon,
            r"peer " + ME + r"\S* reports INVALID-SPI", state="own")

        def info_payload(pl):
            def fn():
                self.own.info(pl)
                return own
            return fn
        odd = [
            ("Delete with SPI size 0 and 65535 SPIs",
             [(D, struct.pack("!IBBH", 1, 3, 0, 65535))]),
            ("Delete naming more SPIs than it holds",
             [(D, struct.pack("!IBBH", 1, 3, 4, 1000) + os.urandom(8))]),
            ("Delete with SPI size 255",
             [(D, struct.pack("!IBBH", 1, 3, 255, 1) + os.urandom(255))]),
            ("Delete for protocol 200",
             [(D, struct.pack("!IBBH", 1, 200, 4, 1) + os.urandom(4))]),
            ("Notify with SPI size 255",
             [(N, struct.pack("!IBBH", 1, 3, 255, 11) + os.urandom(255))]),
            ("Notify of type 0 and DOI 7",
             [(N, struct.pack("!IBBH", 7, 3, 0, 0))]),
            ("Notify shorter than its fixed part", [(N, b"\0\0\0\1\3")]),
            ("a Vendor ID and an SA in an Informational",
             [(VID, b"x" * 16), (SA, p1_sa())]),
        ]
        for name, pl in odd:
            run("authenticated Informational: " + name, info_payload(pl),
                r"received Informational|Informational from " + ME +
                r"\S* does not decrypt to valid payloads", state="own",
                kind="info")

        def replay():
            n = struct.pack("!IBBH", 1, 1, 16, N_R_U_THERE) + \
                self.own.icky + self.own.rcky + struct.pack("!I", 9)
            m = self.own.info([(N, n)])
            if self.t.recv(self.own.icky, 1.0, EX_INFO) is None:
                raise Fail("no R-U-THERE-ACK")
            self.own.send(m)
            self.t.recv(self.own.icky, 1.0, EX_INFO)
            return own
        run("a replayed R-U-THERE", replay, r"received Informational",
            state="own")

        def two_deletes():
            s = self.own
            d1 = struct.pack("!IBBH", 1, 3, 4, 1) + os.urandom(4)
            d2 = struct.pack("!IBBH", 1, 1, 16, 1) + s.icky + s.rcky
            s.info([(D, d1), (D, d2)])
            return own
        run("two Deletes in one message (an ESP SPI, then our ISAKMP SA)",
            two_deletes, r"ISAKMP SA \S+ with " + ME + r"\S* \(rule "
            r"\"attacker\"\) removed: the peer sent a Delete", state="own")
        self.own = None

        def delete_then_notify():
            s = self.ensure_own()
            d = struct.pack("!IBBH", 1, 1, 16, 1) + s.icky + s.rcky
            n = struct.pack("!IBBH", 1, 1, 16, N_R_U_THERE) + \
                s.icky + s.rcky + struct.pack("!I", 11)
            s.info([(D, d), (N, n)])
            return [s.icky.hex()]
        run("a Delete and then a Notify in one message",
            delete_then_notify, r"removed: the peer sent a Delete",
            state="own")
        self.own = None

    # -- the established attacker SA: Quick Mode

    def quick(self):
        run = self.t.run
        if self.known:
            self.ensure_own()

        def establish():
            self.own = None
            return [self.ensure_own().icky.hex()]
        run("our own Main Mode completes again (control)", establish,
            r"ISAKMP SA \S+ established with " + ME, state="own")
        if self.own is None:
            return
        own = [self.own.icky.hex()]
        s = self.own

        def full_qm():
            s.qm1()
            s.qm2()
            s.qm3()
            return own
        run("a valid Quick Mode installs SAs (control)", full_qm,
            r"IPsec SAs with " + ME + r"\S* installed", state="own")

        def qm3_replay():
            full_qm()
            if not self.t.wait_log(r"IPsec SAs with " + ME):
                raise Fail("the Quick Mode to replay did not finish")
            self.t.logpos = os.path.getsize(self.a.log)
            s.send(s.qm3_msg)
            return own
        run("replayed QM3 of a finished Quick Mode", qm3_replay,
            r"Quick Mode [0-9a-f]{8} .*(finished|done|replay)",
            state="own", kind="qm")

        def qm1_replay():
            s.send(s.qm1_msg)
            return own
        run("replayed QM1 of a finished Quick Mode", qm1_replay,
            r"retransmitted message from " + ME, state="own")

        def qm(**kw):
            def fn():
                s.qm1(**kw)
                return own
            return fn
        run("QM1 with a wrong HASH(1)", qm(hash_b=bytes(20)),
            r"HASH\(1\) of Quick Mode [0-9a-f]{8} from " + ME +
            r"\S* does not verify", state="own")
        run("QM1 for charon's selectors (203.0.113.1 <-> 192.0.2.1)",
            qm(ids=[ipv4_id("203.0.113.1"), ipv4_id("192.0.2.1")]),
            r"asks for 203\.0\.113\.1.* <-> 192\.0\.2\.1.*which no ipsec "
            r"entry", state="own")
        run("QM1 for 0.0.0.0/0 <-> 192.0.2.1",
            qm(ids=[id_body(4, bytes(8)), ipv4_id("192.0.2.1")]),
            r"which no ipsec entry", state="own")
        bad_ids = [
            ("FQDN", id_body(2, b"attacker.example")),
            ("USER_FQDN", id_body(3, b"a@attacker.example")),
            ("DER_ASN1_DN", id_body(9, b"\x30\x00")),
            ("DER_ASN1_GN", id_body(10, b"\x30\x00")),
            ("KEY_ID", id_body(11, b"key")),
            ("type 0", id_body(0, b"\0\0\0\0")),
            ("type 200", id_body(200, b"\0\0\0\0")),
            ("IPv4 of 3 bytes", id_body(1, b"\xc0\0\2")),
            ("IPv4 of 5 bytes", id_body(1, b"\xc0\0\2\xc8\0")),
            ("IPv4 subnet of 4 bytes", id_body(4, b"\xc0\0\2\xc8")),
            ("IPv4 range reversed",
             id_body(7, socket.inet_aton("192.0.2.201") +
                     socket.inet_aton("192.0.2.200"))),
            ("IPv6 of 4 bytes", id_body(5, b"\xc0\0\2\xc8")),
            ("empty", b""),
        ]
        for name, idb in bad_ids:
            run("QM1 initiator ID " + name,
                qm(ids=[idb, ipv4_id("192.0.2.1")]),
                QM_FAILED + r"|ID payload at offset|" + QM_NOPROP,
                state="own")
        run("QM1 with one ID",
            qm(ids=[ipv4_id("192.0.2.200")]), QM_FAILED, state="own")
        run("QM1 with IDs of different protocols",
            qm(ids=[ipv4_id("192.0.2.200", 17), ipv4_id("192.0.2.1", 6)]),
            QM_FAILED, state="own")
        run("QM1 with three IDs",
            qm(ids=[ipv4_id("192.0.2.200"), ipv4_id("192.0.2.1"),
                    ipv4_id("192.0.2.1")]), QM_FAILED, state="own")
        run("QM1 without a Nonce", qm(nonce=False),
            r"QM1 from " + ME + r"\S* lacks the Nonce payload",
            state="own", kind="sa")
        def qm_no_sa():
            self._qm_no_sa(s)
            return own
        run("QM1 without an SA", qm_no_sa,
            r"QM1 from " + ME + r"\S* lacks the Security Association payload",
            state="own", kind="sa")
        run("QM1 without KE although PFS is required", qm(ke=False),
            QM_FAILED, state="own")
        for name, grp in (("unknown group 99", 99), ("no group", 0)):
            run("QM1 proposal with " + name,
                qm(sa=p2_sa(os.urandom(4), group=grp)),
                QM_NOPROP + r"|" + QM_FAILED, state="own")

        def weak_pfs():
            s.qm1(sa=p2_sa(os.urandom(4), group=1),
                  ke=i2b(pow(2, 12345, MODP768), 96))
            try:
                s.qm2(timeout=1.0)
                s.qm3()
            except Fail:
                pass
            return own
        run("QM with PFS group 1 when p2_pfs is 14 is refused", weak_pfs,
            QM_NOPROP, state="own")
        for kl in (0, 8, 64, 65535):
            attrs = [tv(1, 1), tlv(2, struct.pack("!I", 3600)), tv(4, 1),
                     tv(5, 2), tv(6, kl), tv(3, 14)]
            run("QM1 proposal AES key length %d" % kl,
                qm(sa=sa_body([proposal(1, 3, os.urandom(4),
                                        [transform(1, 12, attrs)])])),
                QM_NOPROP + r"|" + QM_FAILED, state="own")
        run("QM1 proposal with SPI size 0",
            qm(sa=sa_body([proposal(1, 3, b"", [transform(
                1, 12, [tv(4, 1), tv(5, 2), tv(6, 128), tv(3, 14)])])])),
            QM_NOPROP + r"|" + QM_FAILED, state="own")

        def qm_ke(ke):
            def fn():
                s.qm1(ke=ke)
                # RFC 6989 section 2: rejected before any QM2.
                if s.recv(EX_QM, 1.5) is not None:
                    raise Fail("in.iked answered an invalid PFS KE with "
                               "QM2")
                return own
            return fn
        for name, ke in (("1", i2b(1)), ("p-1", i2b(MODP2048 - 1)),
                         ("of 10 bytes", os.urandom(10))):
            run("QM PFS KE " + name, qm_ke(ke),
                r"PFS Diffie-Hellman with .*INVALID-KEY-INFORMATION",
                state="own")

        def qm_unencrypted():
            s.send(clr(s.icky, s.rcky, [(HASH, bytes(20))], EX_QM,
                       msgid=0x77))
            return own
        run("unencrypted Quick Mode on our SA", qm_unencrypted,
            r"Quick Mode .*(not encrypted|unencrypted)", state="own",
            kind="qm")

        def qm_msgid0():
            m, _ = s.encrypt(EX_QM, [(HASH, bytes(20))], bytes(16))
            s.send(m)
            return own
        run("Quick Mode with message ID 0", qm_msgid0,
            r"Quick Mode .*message ID 0", state="own", kind="qm")

        def qm3_first():
            s.qm1()
            s.qm2()
            m = s.qm3_msg
            s.send(m[:20] + struct.pack("!I", 0x13572468) + m[24:])
            return own
        run("QM3 with a new message ID (reordered)", qm3_first,
            r"Quick Mode 13572468 from " + ME + r"\S* does not decrypt|"
            r"HASH\(1\) of Quick Mode 13572468", state="own")

        def garbage_kills_qm():
            s.qm1()
            s.qm2()
            s.send(hdr(s.icky, s.rcky, HASH, EX_QM, F_ENC, s.qm_msgid,
                       body=os.urandom(64)))
            time.sleep(0.2)
            s.qm3()
            return own
        run("a forged message in a Quick Mode does not end it",
            garbage_kills_qm, r"IPsec SAs with " + ME + r"\S* installed",
            state="own")

        def qm_flood():
            for _ in range(100):
                s.qm1()
            time.sleep(1.0)
            n = len(re.findall(r"SPI 0x[0-9a-f]+ reserved",
                               self.t.log_new()))
            if n > 32:
                raise Fail("%d Quick Modes and SPIs open at once for one "
                           "peer: no bound" % n)
            return own
        # The drops use up the Quick Mode log budget of the window.
        run("100 QM1s on one ISAKMP SA: unfinished Quick Modes bounded",
            qm_flood, r"Quick Mode [0-9a-f]{8} from " + ME + r"\S* "
            r"dropped: 8 Quick Modes are already open", state="own",
            kind="qm", cost=16)

        def nat_control():
            n = NatPhase1(self.t, self.psk, self.a.source).establish()
            return [n.icky.hex()]
        run("our own Main Mode with NAT-T completes (control)", nat_control,
            r"ISAKMP SA \S+ established with " + ME + r"\[4500\].*NAT-T",
            state="own")

        def nat_replay():
            n = NatPhase1(self.t, self.psk, self.a.source).establish()
            rut = struct.pack("!IBBH", 1, 1, 16, N_R_U_THERE) + \
                n.icky + n.rcky + struct.pack("!I", 21)
            m = n.info([(N, rut)])
            if self.t.recv(n.icky, 2.0, EX_INFO, port=4500) is None:
                raise Fail("no R-U-THERE-ACK on port 4500")
            self.t.spoof(self.a.source, 4501, m, dport=4500)
            if self.t.wait_log(r"peer moved from " + ME + r"\[4500\] to " +
                               ME + r"\[4501\]", 1.5):
                raise Fail("a replayed Informational from another port "
                           "moved the ISAKMP SA and its IPsec SAs there")
            return [n.icky.hex()]
        run("replayed Informational from another port moves nothing",
            nat_replay, r"ISAKMP SA \S+ established with " + ME +
            r"\[4500\].*NAT-T", state="own")

        def unknown_qm():
            s.send(rnd8() + rnd8() + s.qm1_msg[16:])
            return own
        run("Quick Mode for unknown cookies", unknown_qm,
            r"Quick Mode " + UNFINISHED, state="own", kind="engine")
        for ex in (EX_BASE, EX_AGGR, EX_TRANS, EX_NGM):
            run("exchange type %d on our established SA" % ex,
                lambda ex=ex: (s.send(hdr(s.icky, s.rcky, HASH, ex, F_ENC,
                                          1, body=os.urandom(48))),
                               own)[1], unsup(ex, False), state="own",
                kind="engine")

        def mm_on_established():
            s.send(s.mm3_msg)
            s.send(clr(s.icky, s.rcky, [(KE, s.gx),
                                        (NONCE, os.urandom(16))], EX_MM))
            return own
        run("Main Mode messages on an established SA", mm_on_established,
            r"Main Mode message from " + ME + r"\S* in state \S+ dropped",
            state="own")

        def charon_qm():
            ci, cr = self.charon_cookies()
            self.t.send(hdr(ci, cr, HASH, EX_QM, F_ENC, 0x01020304,
                            body=os.urandom(64)))
            return own
        run("Quick Mode with charon's cookies from another address",
            charon_qm, r"Quick Mode 01020304 from \S+ does not decrypt",
            state="own", kind="qm")

        def charon_mm():
            ci, cr = self.charon_cookies()
            self.t.send(clr(ci, cr, [(KE, s.gx), (NONCE, os.urandom(16))],
                            EX_MM))
            return own
        run("Main Mode with charon's cookies from another address",
            charon_mm, r"Main Mode message from \S+ in state \S+ dropped",
            state="own")

    def _qm_no_sa(self, s):
        s.qm_msgid = int.from_bytes(os.urandom(4), "big") | 1
        s.qm_ni = os.urandom(16)
        pls = [(NONCE, s.qm_ni), (KE, i2b(pow(2, 5, MODP2048))),
               (ID, ipv4_id("192.0.2.200")), (ID, ipv4_id("192.0.2.1"))]
        nxt, rest = chain(pls)
        h = prf(s.skeyid_a, struct.pack("!I", s.qm_msgid) + rest)
        ct = aes_cbc(s.key, s.p2_iv(s.qm_msgid), pad16(gen(nxt, h) + rest))
        s.send(hdr(s.icky, s.rcky, HASH, EX_QM, F_ENC, s.qm_msgid,
                   body=ct))

    # -- port 4500

    def natt(self):
        run = self.t.run
        run("MM1 on port 4500 behind the non-ESP marker",
            self.send(mm1_bytes(), port=4500),
            MM2_SENT + ME + r"\S*4500", state="unfinished")
        run("IKEv2 header on port 4500 behind the marker",
            self.send(mm1_bytes(ver=0x20, exch=34), port=4500),
            DROP_HDR + r"IKEv2", kind="engine")
        run("Length field lies on port 4500",
            self.send(mm1_bytes(length=1000), port=4500),
            DROP_HDR + r"Length field 1000", kind="engine")
        run("MM1 on port 4500 without the marker (taken for ESP)",
            self.send(mm1_bytes(), port=4500, marker=False),
            r"ESP packet dropped \(SPI 0x", kind="esp")
        run("the non-ESP marker alone",
            self.send(b"", port=4500),
            r"dropped a 0-byte datagram from " + ME, kind="udp")
        run("2 bytes on port 4500",
            self.send(b"\0\0", port=4500, marker=False),
            r"too short for ESP or the non-ESP marker", kind="udp")
        run("ESP header only on port 4500",
            self.send(b"\0\0\0\1\0\0\0\1", port=4500, marker=False),
            r"ESP packet dropped|shorter than an ESP header", kind="esp")
        run("a NAT-T keepalive", self.send(b"\xff", port=4500,
                                           marker=False), None)
        run("a short message behind the marker",
            self.send(os.urandom(20), port=4500),
            r"dropped a 20-byte datagram from " + ME, kind="udp")

    # -- forged source address: the charon peer's

    def spoofed(self):
        run = self.t.run
        peer = self.a.charon
        spis = [x for x in self.a.charon_spis.split(",") if x]

        def clear_info():
            ci, cr = self.charon_cookies()
            d = struct.pack("!IBBH", 1, 1, 16, 1) + ci + cr
            n = struct.pack("!IBBH", 1, 1, 16, 24) + ci + cr
            for port in (500, 4500):
                self.t.spoof(peer, port, clr(ci, cr, [(D, d)], EX_INFO),
                             dport=port)
                self.t.spoof(peer, port, clr(ci, cr, [(N, n)], EX_INFO),
                             dport=port)
        run("forged unencrypted Delete and Notify from charon's address",
            clear_info, r"unencrypted Informational from a peer without an "
            r"unfinished Main Mode dropped", kind="info", cost=4)

        def garbage(exch, msgid):
            def fn():
                ci, cr = self.charon_cookies()
                self.t.spoof(peer, 4500, hdr(ci, cr, HASH, exch, F_ENC, msgid,
                                             body=os.urandom(64)),
                             dport=4500)
            return fn
        run("forged Quick Mode from charon's address and cookies",
            garbage(EX_QM, 0x0badf00d),
            r"Quick Mode 0badf00d from " + peer.replace(".", r"\.") +
            r"\S* does not decrypt", kind="qm")
        run("forged Informational from charon's address and cookies",
            garbage(EX_INFO, 0x0badf00d),
            r"Informational from " + peer.replace(".", r"\.") +
            r"\S* does not decrypt", kind="info")

        def mm1_same_cookie():
            ci, _ = self.charon_cookies()
            self.t.spoof(peer, 4500, mm1_bytes(icky=ci), dport=4500)
        run("forged MM1 with charon's initiator cookie",
            mm1_same_cookie, r"Main Mode message from " +
            peer.replace(".", r"\.") + r"\S* in state \S+ dropped",
            kind=None)

        def mm1_new():
            self.t.spoof(peer, 500, mm1_bytes(), dport=500)
        run("forged MM1 from charon's address opens only an unfinished SA",
            mm1_new, MM2_SENT + peer.replace(".", r"\."),
            state="unfinished")

        def esp_other_port():
            for spi in spis:
                for sport in (4500, 4501):
                    self.t.spoof(peer, sport, bytes.fromhex(spi) +
                                 struct.pack("!I", 1) + os.urandom(64),
                                 dport=4500, marker=False)
        run("forged ESP from charon's address and another port",
            esp_other_port, r"ESP packet dropped \(SPI 0x", kind="esp")

    # -- floods last: they fill the half-open table for a while

    def floods(self):
        run = self.t.run

        def garbage():
            for _ in range(300):
                self.t.send(struct.pack("!8s8sBBBBII", rnd8(), rnd8(), 1,
                                        0x10, 2, 0, 0, 100) +
                            os.urandom(30))
            time.sleep(0.5)
            text = self.t.log_new()
            n = len(re.findall(r"malformed ISAKMP message", text))
            if n > 20:
                raise Fail("%d log lines for 300 bad messages: not "
                           "rate-limited" % n)
        run("300 malformed messages: logged at a limited rate", garbage,
            DROP_HDR, kind=None)

        def halfopen():
            for i in range(1100):
                self.t.send(mm1_bytes())
                if i % 50 == 49:
                    time.sleep(0.02)
        run("1100 MM1s: the half-open limit holds", halfopen,
            r"Main Mode from " + ME + r"\S* dropped: 1024 unfinished Phase "
            r"1 exchanges already", state="unfinished", kind=None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--psk", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--ikeadm", required=True)
    ap.add_argument("--ping-ns", required=True)
    ap.add_argument("--ping", required=True, help="SRC,DST")
    ap.add_argument("--charon", default="198.51.100.2")
    ap.add_argument("--charon-spis", default="",
                    help="charon's SPIs, hex, comma-separated")
    ap.add_argument("--cases", default="header,payloads,mandatory,keys,"
                    "identities,informational,quick,natt,spoofed,floods")
    ap.add_argument("--known-bugs", action="store_true",
                    help="run only the cases that show known bugs")
    ap.add_argument("--replay", metavar="HEX",
                    help="only send this UDP payload from --replay-from")
    ap.add_argument("--replay-from", metavar="ADDR:PORT")
    a = ap.parse_args()
    t = Target(a)
    if a.replay:
        src, sport = a.replay_from.split(":")
        t.spoof(src, int(sport), bytes.fromhex(a.replay), dport=4500,
                marker=False)
        return 0
    c = Cases(t, a)
    orig = t.run

    def run(name, fn, expect, state="none", kind=None, cost=1,
            known=False):
        if known != a.known_bugs:
            return
        orig(name, fn, expect, state, kind, cost)
    t.run = run
    for group in a.cases.split(","):
        if a.known_bugs and group == "floods":
            continue
        getattr(c, group)()
    print("hostile.py: %d passed, %d failed" % (t.passed, len(t.failed)))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
