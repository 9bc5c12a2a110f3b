#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench/agent_conn.py: what a connection costs in the agent.

  bench/agent_conn.py --build DIR [--baseline-agent PATH] [--plugins LIST]
                      [--iterations N] [--idle N]

Compares the agent of --build (a supervisor that forks one worker process
per connection) with --baseline-agent (e.g. one built from an earlier commit
that served each connection on a thread), both started here with the same
plugins, on the same machine, in one run:

- connection set-up: connect, HELLO, SESS_CREATE, one NOOP op, close;
  the agents are used in turns (interleaved per iteration) and each
  iteration is timed from connect to the NOOP's reply (median, p99). With
  --gap-ms the client waits that long between connections (a client that
  connects now and then: the agent's spare workers are ready); with 0,
  connections follow each other as fast as they can (connection churn);
- CPU per connection: the agent's user + system time (its reaped workers'
  included) over the set-up loop, divided by the connections;
- memory per idle connection: N connections, each past HELLO with one
  session, held open; per connection, the growth of the agent's PSS
  (supervisor plus workers: pages shared with the template are counted
  once) and of its private memory (USS), and, for the worker design, the
  page tables of one worker;
- with --fork, what a fork of a process with the plugins loaded costs: this
  Python process loads them (ctypes) and times fork() and fork + _exit +
  waitpid.

The client is tests/protocol/vaccel_proto.py (Python): its own overhead is
in both columns alike. Prints the machine first.
"""
import argparse
import ctypes
import os
import platform
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "protocol"))
import vaccel_proto as vp  # noqa: E402


def smaps(pid):
    out = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":"):
                    out[parts[0][:-1]] = int(parts[1])
    except OSError:
        pass
    return out


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def memory(agent):
    """(PSS, USS) in KiB of the agent's processes."""
    pss = uss = 0
    for pid in [agent.pid] + agent.workers():
        m = smaps(pid)
        pss += m.get("Pss", 0)
        uss += m.get("Private_Clean", 0) + m.get("Private_Dirty", 0)
    return pss, uss


def cpu_s(pid):
    """User + system seconds of pid and of its reaped children."""
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")


def fork_cost(plugins, n=50):
    for p in plugins.split(":"):
        ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
    fork, whole = [], []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        t1 = time.perf_counter_ns()
        os.waitpid(pid, 0)
        t2 = time.perf_counter_ns()
        fork.append(t1 - t0)
        whole.append(t2 - t0)
    print("\nfork of a process with the plugins loaded (%d): fork() p50 "
          "%.2f ms, fork + exit + wait p50 %.2f ms" % (
              n, pct(fork, 50) / 1e6, pct(whole, 50) / 1e6))


def one_connection(addr):
    t0 = time.perf_counter_ns()
    c = vp.Conn(addr)
    c.hello()
    s = c.sess_create(0)
    c.op(s, [vp.u8(vp.OP_NOOP)])
    t = time.perf_counter_ns() - t0
    c.close()
    return t


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", required=True)
    p.add_argument("--baseline-agent")
    p.add_argument("--plugins", help="host plugins (default: the build's "
                   "noop plugin)")
    p.add_argument("--iterations", type=int, default=500)
    p.add_argument("--idle", type=int, default=100)
    p.add_argument("--gap-ms", type=float, default=0.0)
    p.add_argument("--fork", action="store_true")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    plugins = a.plugins or os.path.join(build, "plugins", "noop",
                                        "libvaccel-noop.so")
    tmp = tempfile.mkdtemp(prefix="vaccel-bench-conn-")
    agents = {}
    bins = {"workers": os.path.join(build, "agent", "vaccel-agent")}
    if a.baseline_agent:
        bins["baseline"] = os.path.abspath(a.baseline_agent)
    print("machine: %s, %s, %d cpus, load %s" % (
        platform.node(), platform.release(), os.cpu_count(),
        " ".join("%.1f" % x for x in os.getloadavg())))
    print("plugins: %s" % plugins)
    for name, binary in bins.items():
        os.environ["VACCEL_TEST_AGENT"] = binary
        agents[name] = vp.Agent(["unix://%s/%s.sock" % (tmp, name)],
                                plugins, ["--max-connections", "4096"],
                                env={"VACCEL_LOG_LEVEL": "1"})
    try:
        # Set-up time, interleaved.
        times = {n: [] for n in agents}
        for n, ag in agents.items():
            for _ in range(10):
                one_connection(ag.addrs[0])
        cpu0 = {n: cpu_s(ag.pid) for n, ag in agents.items()}
        for i in range(a.iterations):
            order = list(agents.items())
            if i % 2:
                order.reverse()
            for n, ag in order:
                times[n].append(one_connection(ag.addrs[0]))
                time.sleep(a.gap_ms / 1e3)
        print("\nconnection set-up (connect, HELLO, SESS_CREATE, NOOP, "
              "close), %d each, %.0f ms apart:" % (a.iterations, a.gap_ms))
        print("%-10s %10s %10s" % ("agent", "p50 us", "p99 us"))
        for n, v in times.items():
            print("%-10s %10.1f %10.1f" % (n, pct(v, 50) / 1e3,
                                           pct(v, 99) / 1e3))
        if len(times) == 2:
            print("ratio workers/baseline: p50 %.2fx" % (
                pct(times["workers"], 50) / pct(times["baseline"], 50)))
        # Workers still exiting count too: wait for them.
        vp.wait_until(lambda: len(agents["workers"].workers()) <= 2)
        print("agent CPU per connection: " + ", ".join(
            "%s %.2f ms" % (n, (cpu_s(ag.pid) - cpu0[n]) * 1e3 /
                            a.iterations) for n, ag in agents.items()))
        # Memory per idle connection.
        print("\nmemory per idle connection (%d connections, HELLO + one "
              "session each):" % a.idle)
        print("%-10s %12s %12s %14s" % ("agent", "PSS KiB", "USS KiB",
                                        "worker PTE KiB"))
        for n, ag in agents.items():
            time.sleep(0.5)
            pss0, uss0 = memory(ag)
            conns = []
            for _ in range(a.idle):
                c = vp.Conn(ag.addrs[0])
                c.hello()
                c.sess_create(0)
                conns.append(c)
            vp.wait_until(lambda: n != "workers" or
                          len(ag.workers()) >= a.idle)
            time.sleep(0.5)
            pss1, uss1 = memory(ag)
            ws = ag.workers()
            pte = statistics.median(status(w, "VmPTE") for w in ws) \
                if ws else 0
            print("%-10s %12.1f %12.1f %14s" % (
                n, (pss1 - pss0) / a.idle, (uss1 - uss0) / a.idle,
                "%.0f" % pte if ws else "-"))
            for c in conns:
                c.close()
    finally:
        for ag in agents.values():
            ag.stop()
    if a.fork:
        fork_cost(plugins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
