#!/usr/bin/env python3
"""secrets.py: look for known key material in in.iked's logs.

The secrets come from three places.  in.iked's key files (-K) contain
the Phase 1 encryption key Ka and the ESP keys.  A strongSwan charon log
written with "ike = 4" and "chd = 4" contains SKEYID, SKEYID_d, SKEYID_a,
SKEYID_e, Ka, the DH secrets and the ESP keys as hex dumps.  The
preshared keys are given as arguments.
Each log file is searched for every secret as raw bytes, as hex in either
case (with or without separators such as spaces or colons between
bytes), and for every 8-byte piece of it, so that a key split over the
lines of a hex dump is found too.  Exits 1 on a leak or when fewer
secrets than --min were found.

    secrets.py --keys DIR --charon-log FILE --psk TEXT --min 6 LOG...
"""

import argparse
import re
import sys

# charon's chunk dumps: "LABEL => N bytes @ 0x...", then lines of
# "OFFSET: XX XX ...  ascii".
DUMP_HEAD = re.compile(r"\] (.*?) => (\d+) bytes @ ")
DUMP_LINE = re.compile(r"\]\s+\d+: ((?:[0-9A-F]{2} ){1,16})")
SECRET_LABEL = re.compile(r"skeyid|secret|key", re.I)
PUBLIC_LABEL = re.compile(r"public|nonce|hash|spi", re.I)
WINDOW = 8              # a leak is this many bytes of a secret in a row
HEX_SEPARATORS = re.compile(r"[\s:.\-]")


def keyfile_secrets(folder):
    """Read Ka from ikev1_decryption_table and the keys from esp_sa."""
    found = []
    try:
        with open(folder + "/ikev1_decryption_table") as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) == 2:
                    found.append(("Ka from -K", bytes.fromhex(parts[1])))
    except OSError:
        pass
    try:
        with open(folder + "/esp_sa") as f:
            for line in f:
                for field in re.findall(r'"0x([0-9a-fA-F]+)"', line):
                    if len(field) > 8:      # the SPI is 8 digits
                        found.append(("ESP key from -K",
                                      bytes.fromhex(field)))
    except OSError:
        pass
    return found


def charon_secrets(path):
    """Read each hex dump of the charon log whose label names a secret."""
    found = []
    label, want, data = None, 0, b""
    with open(path, errors="replace") as f:
        for line in f:
            m = DUMP_HEAD.search(line)
            if m:
                label, want, data = m.group(1), int(m.group(2)), b""
                continue
            m = DUMP_LINE.search(line)
            if label is None or not m:
                label = None
                continue
            data += bytes.fromhex(m.group(1).replace(" ", ""))
            if len(data) < want:
                continue
            if SECRET_LABEL.search(label) and \
                    not PUBLIC_LABEL.search(label) and want >= WINDOW:
                found.append(("charon " + label, data))
            label = None
    return found


def pieces(secret):
    """Split the secret into its WINDOW-byte pieces at every offset, or
    return it whole when it is shorter."""
    if len(secret) <= WINDOW:
        return [secret]
    return [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)]


def scan(path, secrets, psks):
    """Return the leaks found in one file as text lines."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("latin-1").lower()
    joined = "\n".join(HEX_SEPARATORS.sub("", line)
                       for line in text.splitlines())
    leaks = []
    for psk in psks:
        if psk.encode() in raw:
            leaks.append("%s: the preshared key as text" % path)
        if psk.encode().hex() in joined:
            leaks.append("%s: the preshared key in hex" % path)
    for name, secret in secrets:
        for piece in pieces(secret):
            if piece in raw:
                leaks.append("%s: %s as raw bytes" % (path, name))
                break
            if piece.hex() in joined:
                leaks.append("%s: %s in hex (%s...)" %
                             (path, name, piece.hex()[:8]))
                break
    return leaks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", action="append", default=[])
    parser.add_argument("--charon-log", action="append", default=[])
    parser.add_argument("--psk", action="append", default=[])
    parser.add_argument("--min", type=int, default=1)
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()

    secrets = []
    for folder in args.keys:
        secrets += keyfile_secrets(folder)
    for path in args.charon_log:
        secrets += charon_secrets(path)
    # The same key can come from several places; search it once.
    unique = {}
    for name, secret in secrets:
        unique.setdefault(secret, name)
    secrets = [(name, secret) for secret, name in unique.items()]
    for name, secret in secrets:
        print("secret: %s, %d bytes" % (name, len(secret)))

    leaks = []
    for path in args.logs:
        leaks += scan(path, secrets, args.psk)
    for leak in leaks:
        print("LEAK: " + leak)
    print("secrets.py: %d secrets and %d preshared keys searched in %d "
          "files, %d leaks" % (len(secrets), len(args.psk), len(args.logs),
                               len(leaks)))
    if len(secrets) < args.min:
        print("secrets.py: expected at least %d secrets; check that -K and "
              "charon's log level 4 are in effect" % args.min)
        return 1
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
