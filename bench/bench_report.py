# SPDX-License-Identifier: Apache-2.0
"""Statistics, the markdown summary and the plots of a bench/run output
folder. Also usable alone to redo them:

  /usr/bin/python3 bench/bench_report.py OUT_DIR [--no-plots]
"""
import csv
import json
import math
import os
import sys

RESULT_FIELDS = ["mode", "workload", "model", "size", "block", "iterations",
                 "mean_us", "p50_us", "p99_us", "std_us", "min_us", "max_us",
                 "plugin_us", "transport_us", "rest_us"]
SAMPLE_FIELDS = ["mode", "workload", "model", "size", "block", "i", "e2e_ns",
                 "plugin_ns", "transport_ns"]
MODE_ORDER = ["native", "local", "rpc-unix", "rpc-tcp", "vm-virtio",
              "vm-vsock", "raw-unix", "raw-tcp"]
TARGETS = {"local": 0.5, "rpc-unix": 1.0, "rpc-tcp": 1.0}


def pct(values, p):
    """The p-th percentile (nearest rank) of a sorted list."""
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, int(math.ceil(p / 100.0 * len(values)))
                   - 1))
    return values[k]


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def std(v):
    if len(v) < 2:
        return 0.0
    m = mean(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))


def parts(samples):
    """Mean plugin, transport and rest (us) of (e2e, plugin, transport)
    samples; a part that was not measured (-1) counts as 0."""
    e2e = mean([s[0] for s in samples]) / 1e3
    plugin = mean([max(s[1], 0) for s in samples]) / 1e3
    transport = mean([max(s[2], 0) for s in samples]) / 1e3
    return plugin, transport, e2e - plugin - transport


def block_row(mode, workload, model, size, block, samples):
    e2e = sorted(s[0] / 1e3 for s in samples)
    plugin, transport, rest = parts(samples)
    return [mode, workload, model, size, block, len(samples),
            "%.3f" % mean(e2e), "%.3f" % pct(e2e, 50), "%.3f" % pct(e2e, 99),
            "%.3f" % std(e2e), "%.3f" % e2e[0], "%.3f" % e2e[-1],
            "%.3f" % plugin, "%.3f" % transport, "%.3f" % rest]


def mode_key(m):
    return MODE_ORDER.index(m) if m in MODE_ORDER else len(MODE_ORDER)


def size_key(s):
    return (1, 0) if s == "photo" else (0, int(s))


def model_key(m):
    order = ["tiny", "resnet18", "resnet34", "resnet50", "resnet101",
             "resnet152", "noop", "mbench"]
    return order.index(m) if m in order else len(order)


class Data:
    def __init__(self, out):
        self.out = out
        self.samples = {}
        self.blocks = {}
        with open(os.path.join(out, "samples.csv")) as f:
            for r in csv.DictReader(f):
                key = (r["workload"], r["model"], r["size"], r["mode"])
                self.samples.setdefault(key, []).append(
                    (int(r["e2e_ns"]), int(r["plugin_ns"]),
                     int(r["transport_ns"])))
        with open(os.path.join(out, "results.csv")) as f:
            for r in csv.DictReader(f):
                key = (r["workload"], r["model"], r["size"], r["mode"])
                self.blocks.setdefault(key, {})[int(r["block"])] = \
                    float(r["mean_us"])
        self.loads = {}
        path = os.path.join(out, "loads.csv")
        if os.path.exists(path):
            with open(path) as f:
                for r in csv.DictReader(f):
                    self.loads.setdefault((r["model"], r["mode"]), []).append(
                        float(r["load_ms"]))
        with open(os.path.join(out, "machine.json")) as f:
            self.machine = json.load(f)

    def cases(self, workloads):
        keys = {(w, m, s) for (w, m, s, _) in self.samples if w in workloads}
        return sorted(keys, key=lambda k: (model_key(k[1]), size_key(k[2])
                                           if k[0] != "noop" and
                                           k[0] != "mbench" else
                                           (0, int(k[2]))))

    def modes(self, case):
        return sorted({m for (w, mo, s, m) in self.samples
                       if (w, mo, s) == case}, key=mode_key)

    def stats(self, case, mode):
        s = self.samples.get(case + (mode,))
        if not s:
            return None
        e2e = sorted(x[0] / 1e3 for x in s)
        plugin, transport, rest = parts(s)
        return {"n": len(s), "mean": mean(e2e), "p50": pct(e2e, 50),
                "p99": pct(e2e, 99), "std": std(e2e), "plugin": plugin,
                "transport": transport, "rest": rest}

    def overhead(self, case, mode, base="native"):
        """(overhead %, 95 % CI half-width %, mean difference us) of `mode`
        against `base`, from the block means paired by block (both ran in
        the same round of the round-robin)."""
        a = self.blocks.get(case + (mode,), {})
        b = self.blocks.get(case + (base,), {})
        common = sorted(set(a) & set(b))
        bs = self.stats(case, base)
        if not common or not bs:
            return None
        diffs = [a[k] - b[k] for k in common]
        d = mean(diffs)
        ci = 1.96 * std(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 \
            else float("nan")
        return 100.0 * d / bs["mean"], 100.0 * ci / bs["mean"], d, ci


def f(x, nd=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return ("%%.%df" % nd) % x


def ms(x):
    return f(x / 1e3, 2) if x is not None else "-"


def verdict(ok, ci=None, limit=None):
    """met / missed; with a confidence interval wider than the margin to
    the limit the answer is only the point estimate's, and says so."""
    word = "**met**" if ok else "**missed**"
    if ci is not None and limit is not None and not math.isnan(ci) and \
            ci > abs(limit):
        word += " (within noise: CI wider than the target)"
    return word


def targets(d):
    rows = []
    case = ("torch", "resnet18", "224")
    for mode, limit in TARGETS.items():
        o = d.overhead(case, mode)
        if o is None:
            rows.append(["%s overhead on ResNet18 224x224" % mode,
                         "<= %.1f %%" % limit, "not measured", "-"])
            continue
        rows.append(["%s overhead on ResNet18 224x224" % mode,
                     "<= %.1f %%" % limit,
                     "%s %% (95%% CI +/- %s %%)" % (f(o[0], 2), f(o[1], 2)),
                     verdict(o[0] <= limit, o[1], limit)])
    raw = d.stats(("noop", "noop", "0"), "raw-unix")
    rpc = d.stats(("noop", "noop", "0"), "rpc-unix")
    if raw and rpc:
        r = rpc["mean"] / raw["mean"]
        rows.append(["noop call over UNIX vs raw socket round trip (0 B)",
                     "<= 1.5x", "mean %s us vs %s us = %sx; p50 %s vs %s us "
                     "= %sx" % (f(rpc["mean"]), f(raw["mean"]), f(r, 2),
                                f(rpc["p50"]), f(raw["p50"]),
                                f(rpc["p50"] / raw["p50"], 2)),
                     verdict(r <= 1.5)])
    else:
        rows.append(["noop call over UNIX vs raw round trip", "<= 1.5x",
                     "not measured", "-"])
    raw = d.stats(("noop", "noop", "614400"), "raw-unix")
    rpc = d.stats(("noop", "noop", "614400"), "rpc-unix")
    if raw and rpc:
        r = raw["mean"] / rpc["mean"]
        mbs = 614400 / rpc["mean"]
        rows.append(["600 KiB argument over UNIX, throughput vs raw socket",
                     ">= 70 %", "mean %s MB/s vs %s MB/s = %s %%; p50 %s "
                     "%%" % (f(mbs), f(614400 / raw["mean"]), f(100 * r),
                             f(100 * raw["p50"] / rpc["p50"])),
                     verdict(r >= 0.70)])
    else:
        rows.append(["600 KiB over UNIX vs raw", ">= 70 %", "not measured",
                     "-"])
    for model, size in (("tiny", "32"), ("resnet18", "224")):
        o = d.overhead(("torch", model, size), "local")
        if o is None:
            continue
        rows.append(["Local model_run overhead per call (%s %sx%s)" %
                     (model, size, size), "< 20 us",
                     "%s us (95%% CI +/- %s us)" % (f(o[2], 2), f(o[3], 2)),
                     verdict(o[2] < 20, o[3], 20)])
    return rows


def table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def summary(d, plots):
    m = d.machine
    lines = ["# vAccel benchmark results", "",
             "Command: `%s`, %s, %s s." % (m.get("command", "?"),
                                            m.get("date", "?"),
                                            m.get("duration_s", "?")), "",
             "## Machine", "",
             table(["", ""], [
                 ["CPU", m["cpu"]],
                 ["cpus", "%s online, allowed %s" % (m["online_cpus"],
                                                     m["allowed_cpus"])],
                 ["kernel", m["kernel"]],
                 ["libtorch", m["libtorch"]],
                 ["BLAS", m["blas"]],
                 ["GPU", m["gpu"]],
                 ["threads per mode", m["threads"]],
                 ["pinning", m["pinning"]],
                 ["load average (start / end)", "%s / %s" % (
                     " ".join("%.1f" % x for x in m["loadavg_start"]),
                     " ".join("%.1f" % x for x in m.get("loadavg_end",
                                                        [])))],
                 ["git", m["git"]]]), "",
             "## Targets", "", table(["target", "goal", "measured", ""],
                                     targets(d)), ""]
    if m.get("skipped"):
        lines += ["Modes not run: " + "; ".join(
            "%s: %s" % kv for kv in m["skipped"].items()) + ".", ""]
    if m.get("failures"):
        lines += ["Failures: " + "; ".join(m["failures"]) + ".", ""]

    rows = []
    for case in d.cases({"torch", "classify"}):
        for mode in d.modes(case):
            s = d.stats(case, mode)
            o = d.overhead(case, mode) if mode != "native" else None
            rows.append([case[1], case[2], mode, s["n"], ms(s["mean"]),
                         ms(s["p50"]), ms(s["p99"]), ms(s["std"]),
                         ms(s["plugin"]), f(s["transport"]), f(s["rest"]),
                         "-" if o is None else "%s +/- %s" % (f(o[0], 2),
                                                              f(o[1], 2))])
    if rows:
        lines += ["## Inference (TorchScript ResNets)", "",
                  "Latency in ms per call; plugin time in ms; transport and "
                  "rest in us; overhead in %% against Native, paired by "
                  "round-robin block, with its 95 %% confidence interval. "
                  "`photo` is a %s JPEG classified with decoding and "
                  "resizing to 224x224 inside the timed call." %
                  "4032x3024", "",
                  table(["model", "size", "mode", "iterations", "mean",
                         "p50", "p99", "std", "plugin", "transport us",
                         "rest us", "overhead %"], rows), ""]
    if d.loads:
        models = sorted({k[0] for k in d.loads}, key=model_key)
        modes = sorted({k[1] for k in d.loads}, key=mode_key)
        lrows = [[mo] + [f(mean(d.loads.get((mo, md), [])), 1)
                         if d.loads.get((mo, md)) else "-" for md in modes]
                 for mo in models]
        lines += ["## Model loading (ms, mean over the cases)", "",
                  "Register + load (Native: `torch::jit::load`; RPC: "
                  "includes uploading the file to the agent).", "",
                  table(["model"] + modes, lrows), ""]
    for kind, title in (("noop", "noop exec"), ("mbench", "mbench exec "
                                                           "(1 ms busy wait)")):
        rows = []
        for case in d.cases({kind}):
            size = int(case[2])
            for mode in d.modes(case):
                s = d.stats(case, mode)
                rows.append([size, mode, s["n"], f(s["mean"]), f(s["p50"]),
                             f(s["p99"]), f(s["std"]), f(s["plugin"]),
                             f(s["transport"]),
                             f(size / s["mean"]) if size else "-"])
        if rows:
            lines += ["## Micro-benchmark: %s" % title, "",
                      "Times in us per call; MB/s = argument bytes / mean "
                      "latency. raw-* is the C ping-pong moving the same "
                      "bytes as the RPC call.", "",
                      table(["bytes", "mode", "iterations", "mean", "p50",
                             "p99", "std", "plugin", "transport", "MB/s"],
                            rows), ""]
    if plots:
        lines += ["## Plots", ""] + ["![%s](%s)" % (p, p) for p in plots] \
            + [""]
    ran = m.get("ran", [])
    if ran:
        lines += ["## What ran", "",
                  table(["phase", "case", "iterations per mode", "block",
                         "modes"],
                        [[r["phase"], r["case"], r["iterations"], r["block"],
                          " ".join(r["modes"])] for r in ran]), ""]
    return "\n".join(lines) + "\n"


def plot(d):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: no matplotlib (apt install python3-matplotlib); "
              "no plots", file=sys.stderr)
        return []
    made = []
    cases = d.cases({"torch", "classify"})
    cases = [c for c in cases if c[1] != "tiny"]
    sizes = sorted({c[2] for c in cases}, key=size_key)
    modes = [m for m in ["local", "rpc-unix", "rpc-tcp", "vm-virtio",
                         "vm-vsock"]
             if any((c + (m,)) in d.samples for c in cases)]
    if cases and modes:
        fig, axes = plt.subplots(1, len(sizes), figsize=(4.5 * len(sizes),
                                                          4), squeeze=False)
        for ax, size in zip(axes[0], sizes):
            models = [c[1] for c in cases if c[2] == size]
            w = 0.8 / len(modes)
            for j, mode in enumerate(modes):
                vals, errs = [], []
                for mo in models:
                    case = next(c for c in cases if c[1] == mo and
                                c[2] == size)
                    o = d.overhead(case, mode)
                    vals.append(o[0] if o else float("nan"))
                    errs.append(o[1] if o and not math.isnan(o[1]) else 0)
                ax.bar([i + j * w for i in range(len(models))], vals, w,
                       yerr=errs, capsize=2, label=mode)
            ax.axhline(0, color="black", lw=0.6)
            ax.set_xticks([i + 0.4 - w / 2 for i in range(len(models))])
            ax.set_xticklabels([m.replace("resnet", "R") for m in models])
            ax.set_title("size %s" % size)
            ax.set_ylabel("overhead vs Native (%)")
        axes[0][0].legend(fontsize=8)
        fig.suptitle("Relative overhead per mode and model (95 % CI)")
        fig.tight_layout()
        fig.savefig(os.path.join(d.out, "overhead.png"), dpi=90)
        plt.close(fig)
        made.append("overhead.png")

        bmodes = [m for m in MODE_ORDER if any((c + (m,)) in d.samples
                                               for c in cases)]
        fig, axes = plt.subplots(1, len(sizes), figsize=(4.5 * len(sizes),
                                                          4.5), squeeze=False)
        for ax, size in zip(axes[0], sizes):
            labels, tr, pl, rs = [], [], [], []
            for c in [c for c in cases if c[2] == size]:
                for mode in bmodes:
                    s = d.stats(c, mode)
                    if not s:
                        continue
                    labels.append("%s %s" % (c[1].replace("resnet", "R"),
                                             mode))
                    tr.append(s["transport"] / 1e3)
                    pl.append(s["plugin"] / 1e3)
                    rs.append(max(s["rest"], 0) / 1e3)
            x = range(len(labels))
            ax.bar(x, pl, label="plugin")
            ax.bar(x, tr, bottom=pl, label="transport")
            ax.bar(x, rs, bottom=[a + b for a, b in zip(pl, tr)],
                   label="rest")
            ax.set_xticks(list(x))
            ax.set_xticklabels(labels, rotation=90, fontsize=6)
            ax.set_ylabel("ms per call")
            ax.set_title("size %s" % size)
        axes[0][0].legend(fontsize=8)
        fig.suptitle("Latency breakdown: plugin / transport / rest")
        fig.tight_layout()
        fig.savefig(os.path.join(d.out, "breakdown.png"), dpi=90)
        plt.close(fig)
        made.append("breakdown.png")

        # The breakdown is dominated by the plugin; the non-plugin part on
        # its own, in us, shows where the overhead goes.
        fig, ax = plt.subplots(figsize=(8, 4))
        labels, tr, rs = [], [], []
        for c in cases:
            for mode in ["local", "rpc-unix", "rpc-tcp"]:
                s = d.stats(c, mode)
                if s:
                    labels.append("%s@%s %s" % (
                        c[1].replace("resnet", "R"), c[2], mode))
                    tr.append(s["transport"])
                    rs.append(s["rest"])
        ax.bar(range(len(labels)), tr, label="transport")
        ax.bar(range(len(labels)), rs, bottom=tr, label="rest")
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=90, fontsize=5)
        ax.set_ylabel("us per call")
        ax.set_title("Non-plugin time per call (transport / rest)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(d.out, "breakdown-overhead.png"), dpi=90)
        plt.close(fig)
        made.append("breakdown-overhead.png")

    micro = d.cases({"noop"})
    if micro:
        fig, ax = plt.subplots(figsize=(7, 4))
        for mode in MODE_ORDER:
            pts = [(int(c[2]), d.stats(c, mode)) for c in micro]
            pts = [(max(b, 1), s["mean"]) for b, s in pts if s]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-",
                        label=mode, ms=3)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("argument bytes (0 plotted at 1)")
        ax.set_ylabel("us per call")
        ax.set_title("noop exec latency vs argument size")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(d.out, "micro.png"), dpi=90)
        plt.close(fig)
        made.append("micro.png")
    return made


def report(out, plots=True):
    d = Data(out)
    made = plot(d) if plots else []
    with open(os.path.join(out, "summary.md"), "w") as fh:
        fh.write(summary(d, made))


def smoke_check(out):
    """The --smoke verdict: every mode produced samples for ResNet18 and
    the noop micro-benchmark. Returns the exit status."""
    d = Data(out)
    want = [(("torch", "resnet18", "224"), m)
            for m in ["native", "local", "rpc-unix", "rpc-tcp"]]
    want += [(("noop", "noop", "0"), m)
             for m in ["local", "rpc-unix", "rpc-tcp", "raw-unix"]]
    missing = ["%s %s" % (c[1] + "@" + c[2], m) for c, m in want
               if not d.stats(c, m)]
    if missing:
        print("bench: smoke FAILED, no samples for: " + ", ".join(missing),
              file=sys.stderr)
        return 1
    print("bench: smoke ok (%s)" % os.path.join(out, "summary.md"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: bench_report.py OUT_DIR [--no-plots]")
    report(sys.argv[1], plots="--no-plots" not in sys.argv)
