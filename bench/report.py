#!/usr/bin/env python3
"""report.py RESULTS PROFILE PROFILE_SCALE: write BENCHMARKS.md to stdout.

RESULTS contains the lines scripts/bench.sh collected: a kind ("floor",
"rate", "profile", "scale", "esp", "machine", "version") and key=value
pairs.  PROFILE and PROFILE_SCALE are perf report excerpts (may be empty).
"""
import statistics
import sys

GROUPS = {"14": "MODP-2048", "19": "ECP-256", "31": "Curve25519"}
IMPLS = [("iked-userspace", "in.iked -B userspace"),
         ("iked-none", "in.iked -B none"),
         ("charon", "charon + kernel-libipsec")]


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            row = {"kind": parts[0]}
            for p in parts[1:]:
                if "=" in p:
                    k, v = p.split("=", 1)
                    row[k] = v
            rows.append(row)
    return rows


def read_text(path):
    """The file's text without trailing blanks, or "" when it is missing."""
    try:
        with open(path) as f:
            return f.read().rstrip()
    except OSError:
        return ""


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def mmm(vals, fmt="%.0f"):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    return "%s / %s / %s" % (fmt % min(vals), fmt % statistics.median(vals),
                             fmt % max(vals))


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def main():
    rows = load(sys.argv[1])
    prof = read_text(sys.argv[2]) if len(sys.argv) > 2 else ""
    prof2 = read_text(sys.argv[3]) if len(sys.argv) > 3 else ""
    info = {}
    for r in rows:
        if r["kind"] in ("machine", "version"):
            info.update({k: v for k, v in r.items() if k != "kind"})
    floors = [r for r in rows if r["kind"] == "floor"]
    rates = [r for r in rows if r["kind"] == "rate"]
    scale = [r for r in rows if r["kind"] == "scale"]
    esp_all = [r for r in rows if r["kind"] == "esp"]
    # The targets and the first table are the default test, one TCP stream.
    esp = [r for r in esp_all if r.get("test", "tcp") == "tcp"]
    espcost = [r for r in rows if r["kind"] == "espcost"]
    profile = [r for r in rows if r["kind"] == "profile"]
    runs = len({r.get("run") for r in rates}) or 0
    out = []
    w = out.append

    w("# in.iked benchmarks")
    w("")
    w("Written by `sh scripts/bench.sh` (build, run, report; about ten "
      "minutes, as root).  Every figure is *min / median / max* over "
      "%d runs on the machine below, in one benchmark run, with the "
      "implementations interleaved round by round so that the load of "
      "the machine falls on all of them alike.  Timings are not test "
      "assertions; they move with the machine's load." % runs)
    w("")
    w("## Machine and versions")
    w("")
    w("| | |")
    w("|---|---|")
    w("| CPU | %s, %s cores (nproc) |" % (info.get("cpu", "?").replace("_", " "),
                                         info.get("nproc", "?")))
    w("| Memory | %.1f GiB |" % (num(info.get("mem_kb", 0)) / 1048576))
    w("| Kernel | %s |" % info.get("kernel", "?"))
    w("| Load average at the end | %s |" % info.get("load", "?").replace("/", " "))
    w("| in.iked | git %s |" % info.get("iked", "?"))
    w("| strongSwan | %s (charon, kernel-libipsec, openssl plugin) |"
      % info.get("strongswan", "?"))
    w("| OpenSSL | %s |" % info.get("openssl", "?"))
    w("| Date, duration | %s, %s s |" % (info.get("date", "?"),
                                        info.get("seconds", "?")))
    w("")

    # ---- crypto floor
    fl = {}
    for g in GROUPS:
        gr = [r for r in floors if r.get("group") == g]
        fl[g] = {
            "keygen": [num(r.get("keygen_us")) for r in gr],
            "derive": [num(r.get("derive_us")) for r in gr],
            "pfs": [num(r.get("floor_pfs")) for r in gr],
            "nopfs": [num(r.get("floor_nopfs")) for r in gr],
        }
    sym = [r for r in floors if r.get("op") == "sym"]

    # ---- rates
    def rate_rows(impl, g, pfs):
        return [r for r in rates if r.get("impl") == impl and
                r.get("group") == g and r.get("pfs") == pfs]

    def floor_for(g, pfs):
        if g not in fl:
            return None
        return med(fl[g]["nopfs" if pfs == "0" else "pfs"])

    def per_cpu(rr):
        """Tunnels per second of responder CPU time, median over runs."""
        vals = []
        for r in rr:
            cpu, ok = num(r.get("resp_cpu_s")), num(r.get("ok"))
            if cpu and ok:
                vals.append(ok / cpu)
        return med(vals)

    def cpu_ms(rr, key):
        """Return the CPU ms per completed tunnel of each run, from KEY (s)."""
        return [num(r.get(key)) * 1000 / max(num(r.get("ok")) or 1, 1)
                for r in rr if num(r.get(key)) is not None]

    def gen_ms(rr):
        """Return the generator's CPU ms per tunnel of each run."""
        vals = [num(r.get("gen_cpu_ms_per_tunnel")) for r in rr]
        if all(v is not None for v in vals):
            return vals
        return cpu_ms(rr, "gen_cpu_s")

    def cpu_bound(g, pfs, name):
        """Describe the cores that 5x charon's median rate needs."""
        iu = [r for r in rate_rows("iked-userspace", g, pfs)
              if not r.get("unsupported")]
        ch = [r for r in rate_rows("charon", g, pfs)
              if not r.get("unsupported")]
        b = med([num(r.get("rate")) for r in ch])
        resp, gen = med(cpu_ms(iu, "resp_cpu_s")), med(gen_ms(iu))
        cores = num(info.get("nproc"))
        if not b or resp is None or gen is None or not cores:
            return None
        need = 5 * b * (resp + gen) / 1000
        text = ("CPU bound, %s: 5x charon's median rate is %.0f tunnels/s, "
                "which needs %.0f/s x (%.3f ms in.iked -B userspace + "
                "%.3f ms generator) = %.2f cores, %s the machine's %.0f "
                "(nproc)." % (name, 5 * b, 5 * b, resp, gen, need,
                              "within" if need <= cores else "more than",
                              cores))
        f = floor_for(g, pfs)
        if f:
            least = 5 * b * (1000 / f + gen) / 1000
            text += (" A responder that spent only the crypto floor "
                     "(%.3f ms) would need %.2f cores." % (1000 / f, least))
        return text

    cases = []
    for r in rates:
        c = (r.get("group"), r.get("pfs"))
        if c not in cases:
            cases.append(c)

    targets = []
    w("## Results against the targets")
    w("")
    w("| Target | Measured (median) | Met |")
    w("|---|---|---|")
    for g, pfs in cases:
        iu = rate_rows("iked-userspace", g, pfs)
        ch = rate_rows("charon", g, pfs)
        name = "%s%s" % (GROUPS.get(g, g), " + PFS" if pfs != "0" else ", no PFS")
        if any(r.get("unsupported") for r in iu + ch) or not iu:
            w("| tunnel rate >= 5x strongSwan, %s | in.iked does not accept "
              "group %s | no |" % (name, g))
            targets.append(False)
            continue
        a = med([num(r.get("rate")) for r in iu])
        b = med([num(r.get("rate")) for r in ch])
        ea, eb = per_cpu(iu), per_cpu(ch)
        if a is not None and b:
            ok = a >= 5 * b
            targets.append(ok)
            w("| tunnel rate >= 5x strongSwan, %s | %.0f/s vs %.0f/s = "
              "%.2fx; per responder CPU second %.0f vs %.0f = %.2fx | %s |"
              % (name, a, b, a / b, ea or 0, eb or 0,
                 (ea / eb) if (ea and eb) else 0, "yes" if ok else "no"))
        f = floor_for(g, pfs)
        if a is not None and f:
            # The floor is CPU time of one core, and in.iked runs
            # Diffie-Hellman on every core: compare CPU time with CPU time.
            ok = (ea or 0) >= f / 2
            targets.append(ok)
            w("| tunnels per responder CPU second >= 1/2 crypto floor, %s "
              "| %.0f of %.0f = %.0f%%; wall rate %.0f/s = %.0f%% of one "
              "core's floor | %s |"
              % (name, ea or 0, f, 100 * (ea or 0) / f, a, 100 * a / f,
                 "yes" if ok else "no"))
    if len(scale) > 1:
        s0 = num(scale[0].get("rss_kb"))
        last = scale[-1]
        n = num(last.get("sas"))
        if n:
            per = (num(last.get("rss_kb")) - s0) * 1024 / n
            ok = per <= 4096
            targets.append(ok)
            w("| <= 4 KB per SA pair | %.0f bytes (RSS delta over %d SA "
              "pairs) | %s |" % (per, n, "yes" if ok else "no"))
        try:
            goal = max(int(r.get("sas", 0)) for r in scale)
        except ValueError:
            goal = 0
        w("| hold 100,000 ISAKMP SAs with IPsec SAs | %d held within the "
          "time budget | %s |" % (goal, "yes" if goal >= 100000 else "no"))
        targets.append(goal >= 100000)
    for cipher, cname in (("gcm", "AES-GCM-128"),
                          ("cbc", "AES-CBC-128 + HMAC-SHA-256")):
        a = med([num(r.get("mbps")) for r in esp
                 if r.get("impl") == "iked" and r.get("cipher") == cipher])
        b = med([num(r.get("mbps")) for r in esp
                 if r.get("impl") == "charon" and r.get("cipher") == cipher])
        if a is None:
            w("| ESP >= 2x libipsec, %s | in.iked pair carried no traffic "
              "(not negotiated) | no |" % cname)
            targets.append(False)
        elif b:
            ok = a >= 2 * b
            targets.append(ok)
            w("| ESP >= 2x libipsec, %s | %.0f vs %.0f Mbit/s = %.2fx | %s |"
              % (cname, a, b, a / b, "yes" if ok else "no"))
    w("")
    w("%d of %d targets met." % (sum(targets), len(targets)))
    w("")
    bounds = []
    for g, pfs in cases:
        name = "%s%s" % (GROUPS.get(g, g), " + PFS" if pfs != "0" else ", no PFS")
        sentence = cpu_bound(g, pfs, name)
        if sentence:
            bounds.append(sentence)
    if bounds:
        w("The generator shares the cores with the responder, so the "
          "machine can reach a rate only if the CPU time per tunnel of "
          "both (medians of the tunnel-rate runs) fits in its cores.")
        w("")
        for sentence in bounds:
            w("- " + sentence)
        w("")

    w("## Crypto floor")
    w("")
    w("What the responder's cryptography alone allows on one core, "
      "measured by `bench/cryptofloor` through src/crypto (CPU time, not "
      "wall time).  One tunnel = Main Mode (one key pair, one g^xy) + "
      "Quick Mode (another pair and g^xy with PFS), plus 13 "
      "HMAC-SHA-256 PRF calls, 6 SHA-256 hashes and 5 AES-128-CBC "
      "operations of 256 bytes.")
    w("")
    if sym:
        w("Symmetric work per tunnel: %s us (PRF %s us, SHA-256 %s us, "
          "AES-CBC 256 B %s us per call)." % (
              mmm([num(r.get("per_tunnel_us")) for r in sym], "%.1f"),
              mmm([num(r.get("prf_sha256_us")) for r in sym], "%.2f"),
              mmm([num(r.get("sha256_us")) for r in sym], "%.2f"),
              mmm([num(r.get(k)) for r in sym for k in r
                   if k.startswith("aes128cbc")], "%.2f")))
        w("")
    w("| Group | key pair (us) | g^xy (us) | floor with PFS (tunnels/s) "
      "| floor without PFS (tunnels/s) |")
    w("|---|---|---|---|---|")
    for g, name in GROUPS.items():
        w("| %s | %s | %s | %s | %s |" % (name, mmm(fl[g]["keygen"], "%.1f"),
                                          mmm(fl[g]["derive"], "%.1f"),
                                          mmm(fl[g]["pfs"]), mmm(fl[g]["nopfs"])))
    w("")

    w("## Tunnel rate")
    w("")
    w("`bench/ikeperf` runs Main Mode (PSK, AES-128, SHA-256) and one Quick "
      "Mode (ESP AES-128-CBC + HMAC-SHA-256, tunnel mode) per tunnel, each "
      "from its own source address in 198.18.0.0/15, with %s exchanges in "
      "flight, against a fresh responder per run.  Rate = tunnels "
      "completed / wall time; latency = first message to the initiator's "
      "installed SA pair.  *CPU/tunnel* is the responder's user+system "
      "time (/proc/PID/stat) divided by the tunnels, which the machine's "
      "other load disturbs less than the wall rate.  The generator's "
      "initiators are instances of in.iked's engine that share one DH "
      "key pair per group, with a 64-bit private exponent for MODP, so "
      "their g^xy costs a fraction of the responder's, which makes a "
      "fresh key pair and computes a full g^xy in every exchange.  "
      "in.iked runs Diffie-Hellman in one thread per core beside its "
      "event loop (in.iked(8), THREADS); charon runs its own thread "
      "pool.  *Generator CPU ms/tunnel* is ikeperf's own user+system "
      "time (getrusage, with its worker processes) divided by the "
      "tunnels; it runs on the same cores as the responder.  *Of floor "
      "per CPU second* compares the tunnels per second of responder CPU "
      "time (1000 / CPU ms per tunnel) with the one-core crypto floor "
      "above." %
      info.get("inflight", "?"))
    w("")
    w("| Case | Responder | tunnels/s | p50 ms | p99 ms | failed | "
      "CPU ms/tunnel | generator CPU ms/tunnel | vs charon | "
      "of floor per CPU second |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for g, pfs in cases:
        name = "%s%s" % (GROUPS.get(g, g), " + PFS" if pfs != "0" else ", no PFS")
        chr_ = med([num(r.get("rate")) for r in rate_rows("charon", g, pfs)])
        f = floor_for(g, pfs)
        for impl, iname in IMPLS:
            rr = rate_rows(impl, g, pfs)
            if not rr:
                continue
            if any(r.get("unsupported") == "generator" for r in rr):
                w("| %s | %s | not run: ikeperf's engine configuration "
                  "rejects group %s | | | | | | | |" % (name, iname, g))
                continue
            if any(r.get("unsupported") for r in rr):
                w("| %s | %s | not run: in.iked's configuration rejects "
                  "group %s | | | | | | | |" % (name, iname, g))
                continue
            rt = [num(r.get("rate")) for r in rr]
            cpu = cpu_ms(rr, "resp_cpu_s")
            fails = sum(int(num(r.get("fail")) or 0) for r in rr)
            okn = sum(int(num(r.get("ok")) or 0) for r in rr)
            m = med(rt)
            w("| %s | %s | %s | %s | %s | %d of %d | %s | %s | %s | %s |" % (
                name, iname, mmm(rt), mmm([num(r.get("p50_ms")) for r in rr], "%.1f"),
                mmm([num(r.get("p99_ms")) for r in rr], "%.1f"), fails,
                fails + okn, mmm(cpu, "%.2f"), mmm(gen_ms(rr), "%.3f"),
                ("%.2fx" % (m / chr_)) if (m and chr_ and impl != "charon") else "",
                ("%.0f%%" % (100 * 1000 / med(cpu) / f))
                if (med(cpu) and f) else ""))
    w("")

    w("## Where in.iked spends its time")
    w("")
    if profile:
        p = profile[0]
        w("perf (cpu-clock, 997 Hz, call graphs) on in.iked -B userspace "
          "during %s ECP-256 + PFS tunnels (%s/s, %s ms responder CPU in "
          "all).  Share of each binary, then the symbols with the most "
          "self time:" % (
              p.get("ok", "?"), p.get("rate", "?"),
              "%.0f" % (num(p.get("resp_cpu_s") or 0) * 1000)))
        w("")
        w("```")
        w(prof or "(perf report printed nothing)")
        w("```")
        w("")
    else:
        w("perf was not usable on this machine; no profile.")
        w("")
    if prof2:
        w("The same during 200 tunnels against the full table of the "
          "scale test below:")
        w("")
        w("```")
        w(prof2)
        w("```")
        w("")

    w("## The SA table at scale")
    w("")
    w("in.iked -B none, ECP-256 without PFS, filled with tunnels from "
      "distinct addresses (64 in flight) within a time budget.  After each "
      "stage a probe of 10 new tunnels, each followed by 10 Quick Modes on "
      "its ISAKMP SA, one at a time: a Quick Mode message is looked up "
      "by its cookies in the table, so its time shows the cost of a "
      "lookup as the table grows.")
    w("")
    w("| SA pairs held | RSS (kB) | bytes per SA pair | fill rate (tunnels/s) "
      "| new tunnel p50 (ms) | Quick Mode p50 / p99 (ms) |")
    w("|---|---|---|---|---|---|")
    s0 = num(scale[0].get("rss_kb")) if scale else None
    for r in scale:
        n = num(r.get("sas")) or 0
        per = ((num(r.get("rss_kb")) - s0) * 1024 / n) if (n and s0) else None
        w("| %d | %s | %s | %s | %s | %s / %s |" % (
            n, r.get("rss_kb", ""), "%.0f" % per if per else "",
            r.get("fill_rate", ""), r.get("probe_p50_ms", ""),
            r.get("qm_p50_ms", ""), r.get("qm_p99_ms", "")))
    w("")

    lookups = [r for r in rows if r["kind"] == "lookup"]
    if lookups:
        w("`bench/salookup` fills one engine in one process with ISAKMP SAs "
          "(random cookies, distinct peers, no keys) and one IPsec SA pair "
          "per peer, and times per call, in CPU microseconds: the lookup "
          "by cookies (every datagram), the lookup of an ISAKMP SA by peer "
          "address (Main Mode, INITIAL-CONTACT), the lookup of the pair a "
          "new one replaces, the next timer deadline after a datagram, "
          "a timer update after an administrative call that may move any "
          "timer, and a timer run with nothing due.  One struct ike_p1 is "
          "%s bytes and one struct ike_child %s bytes, before their "
          "buffers." % (lookups[0].get("p1_struct_bytes", "?"),
                        lookups[0].get("child_struct_bytes", "?")))
        w("")
        w("| ISAKMP SAs | by cookies (us) | by peer (us) | pair by peer (us) "
          "| next deadline (us) | update after admin call (us) "
          "| empty timer run (us) |")
        w("|---|---|---|---|---|---|---|")
        for r in lookups:
            w("| %s | %s | %s | %s | %s | %s | %s |" % (
                r.get("sas", ""), r.get("find_cookies_us", ""),
                r.get("find_peer_us", ""), r.get("find_child_peer_us", ""),
                r.get("timer_update_us", ""), r.get("timer_run_us", ""),
                r.get("run_empty_us", "")))
        w("")

    w("## ESP throughput")
    w("")
    w("iperf3 (TCP, 3 s) from 192.0.2.1 to 203.0.113.1 through one tunnel: "
      "an in.iked pair (userspace ESP on TUN; no NAT between them, so ESP "
      "is IP protocol 50) and a charon pair (kernel-libipsec; ESP always "
      "in UDP 4500).  Mbit/s:")
    w("")
    w("| Cipher | in.iked pair | charon pair | ratio |")
    w("|---|---|---|---|")
    for cipher, cname in ESP_CIPHERS:
        a = [num(r.get("mbps")) for r in esp
             if r.get("impl") == "iked" and r.get("cipher") == cipher]
        b = [num(r.get("mbps")) for r in esp
             if r.get("impl") == "charon" and r.get("cipher") == cipher]
        ma, mb = med(a), med(b)
        w("| %s | %s | %s | %s |" % (
            cname, mmm(a) if ma is not None else "not negotiated",
            mmm(b), ("%.2fx" % (ma / mb)) if (ma and mb) else ""))
    w("")
    esp_cpu_table(w, esp_all)
    espcost_table(w, espcost)
    sys.stdout.write("\n".join(out) + "\n")


ESP_CIPHERS = (("gcm", "AES-GCM-128 (16-byte ICV)"),
               ("cbc", "AES-CBC-128 + HMAC-SHA-256"))
ESP_TESTS = {"tcp": "TCP, one stream",
             "tcp-reverse": "TCP, 203.0.113.1 to 192.0.2.1",
             "tcp-p4": "TCP, four streams",
             "udp": "UDP, 1,300-byte datagrams at full rate"}


def esp_cpu_per_gb(r):
    """Seconds of daemon CPU time per GB carried, or None."""
    cpu, mb = num(r.get("cpu_s")), num(r.get("mbytes"))
    if cpu is None or not mb:
        return None
    return cpu * 1000 / mb


def esp_cpu_table(w, esp_all):
    """Throughput and daemon CPU time per GB of every iperf3 test."""
    tests = []
    for r in esp_all:
        t = r.get("test", "tcp")
        if t not in tests:
            tests.append(t)
    if not any(r.get("cpu_s") for r in esp_all):
        return
    w("CPU time is the user and system time of both daemons of a pair "
      "during the iperf3 run (/proc/PID/stat), per GB that the receiver "
      "got.  The machine's load changes it less than the throughput, but "
      "a daemon's system time includes the kernel's work for the packets "
      "it sends and receives (veth, routing, TCP), and part of that lands "
      "on whichever process is running.")
    w("")
    w("| Test | Cipher | in.iked Mbit/s | charon Mbit/s | in.iked CPU s/GB "
      "| charon CPU s/GB | CPU ratio |")
    w("|---|---|---|---|---|---|---|")
    for t in tests:
        for cipher, cname in ESP_CIPHERS:
            rr = [r for r in esp_all if r.get("test", "tcp") == t and
                  r.get("cipher") == cipher]
            a = [r for r in rr if r.get("impl") == "iked"]
            b = [r for r in rr if r.get("impl") == "charon"]
            ca = med([esp_cpu_per_gb(r) for r in a])
            cb = med([esp_cpu_per_gb(r) for r in b])
            w("| %s | %s | %s | %s | %s | %s | %s |" % (
                ESP_TESTS.get(t, t), cname,
                mmm([num(r.get("mbps")) for r in a]),
                mmm([num(r.get("mbps")) for r in b]),
                mmm([esp_cpu_per_gb(r) for r in a], "%.2f"),
                mmm([esp_cpu_per_gb(r) for r in b], "%.2f"),
                ("%.2fx" % (cb / ca)) if (ca and cb) else ""))
    w("")


def espcost_table(w, espcost):
    """Userspace CPU time of one ESP packet (bench/espcost)."""
    if not espcost:
        return
    w("`bench/espcost`: CPU time of esp_sa_encap and esp_sa_decap for one "
      "IPv4 TCP packet of %s bytes in tunnel mode, in one process without "
      "sockets (nanoseconds):" % espcost[0].get("size", "?"))
    w("")
    w("| Cipher | encapsulation (ns) | decapsulation (ns) |")
    w("|---|---|---|")
    for name in dict.fromkeys(r.get("cipher") for r in espcost):
        rr = [r for r in espcost if r.get("cipher") == name]
        w("| %s | %s | %s |" % (name,
                                mmm([num(r.get("encap_ns")) for r in rr]),
                                mmm([num(r.get("decap_ns")) for r in rr])))
    w("")


if __name__ == "__main__":
    main()
