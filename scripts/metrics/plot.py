#!/usr/bin/env python3
"""The Grafana dashboard's main panels (infra/grafana/pulse-dashboard.json) drawn from a real run's
scrapes (scripts/metrics/record.ts), for the README: python3 scripts/metrics/plot.py SCRAPES.jsonl OUT.png
Counters are drawn as rates between scrapes, gauges as read, histograms as the mean of each interval."""
import json
import re
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')

# series[(name, frozenset(labels))] = [(t, value)]
series = defaultdict(list)
t0 = None
for line in open(sys.argv[1]):
    scrape = json.loads(line)
    t0 = t0 if t0 is not None else scrape["t"]
    t = (scrape["t"] - t0) / 1000
    for row in scrape["text"].splitlines():
        m = LINE.match(row)
        if not m or row.startswith("#"):
            continue
        name, labels, value = m.groups()
        try:
            v = float(value)
        except ValueError:
            continue
        series[(name, frozenset(LABEL.findall(labels or "")))].append((t, v))


def select(name, by, where=None):
    """Sum of the matching series per `by` label values, on the scrape times: {key: [(t, v)]}."""
    out = defaultdict(lambda: defaultdict(float))
    for (n, labels), points in series.items():
        d = dict(labels)
        if n != name or any(d.get(k) != v for k, v in (where or {}).items()):
            continue
        key = " ".join(d.get(b, "") for b in by) or name
        for t, v in points:
            out[key][round(t)] += v
    return {k: sorted(v.items()) for k, v in out.items()}


def rate(points):
    return [(t2, max(0.0, (v2 - v1) / (t2 - t1))) for (t1, v1), (t2, v2) in zip(points, points[1:]) if t2 > t1]


def mean_of(name, where):
    s, c = select(name + "_sum", [], where), select(name + "_count", [], where)
    if not s:
        return {}
    (sp,), (cp,) = s.values(), c.values()
    out = []
    for (t1, s1), (t2, s2), (_, c1), (_, c2) in zip(sp, sp[1:], cp, cp[1:]):
        if c2 > c1:
            out.append((t2, (s2 - s1) / (c2 - c1)))
    return {"mean": out}


def maxed(name, by):
    out = defaultdict(lambda: defaultdict(float))
    for (n, labels), points in series.items():
        if n != name:
            continue
        d = dict(labels)
        key = " ".join(d.get(b, "") for b in by) or name
        for t, v in points:
            out[key][round(t)] = max(out[key][round(t)], v)
    return {k: sorted(v.items()) for k, v in out.items()}


panels = [
    ("Export jobs by outcome (/s)", {k: rate(v) for k, v in select("pulse_export_jobs_total", ["outcome"]).items()}),
    ("Export job duration, mean (s)", mean_of("pulse_export_job_duration_seconds", {"outcome": "succeeded"})),
    ("Report jobs by outcome (/s)", {k: rate(v) for k, v in select("pulse_report_jobs_total", ["outcome"]).items()}),
    ("Emails sent / failed (total)", {**{f"sent {k}": v for k, v in select("pulse_emails_sent_total", ["kind"]).items()},
                                     **{f"failed {k}": v for k, v in select("pulse_emails_failed_total", ["kind"]).items()}}),
    ("Dead letters waiting (DLQ depth)", maxed("pulse_dlq_messages", ["subject"])),
    ("Outbox backlog", {**{"rows due": v for v in maxed("pulse_outbox_due_rows", []).values()},
                        **{"oldest age (s)": v for v in maxed("pulse_outbox_oldest_due_age_seconds", []).values()}}),
    ("S3 operation errors by kind (total)", select("pulse_s3_operation_errors_total", ["kind"])),
    ("HTTP requests by status (/s)", {k: rate(v) for k, v in select("pulse_http_request_duration_seconds_count", ["status"]).items()}),
    ("Memory (RSS, MiB) by service", {k: [(t, v / 2**20) for t, v in p] for k, p in maxed("pulse_process_resident_memory_bytes", ["service"]).items()}),
]

fig, axes = plt.subplots(3, 3, figsize=(16, 10.5), constrained_layout=True)
for ax, (title, lines) in zip(axes.flat, panels):
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(alpha=0.3)
    for label, points in sorted(lines.items()):
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], label=label, linewidth=1.4, marker="o", markersize=2.5)
    if any(lines.values()):
        ax.legend(fontsize=8, loc="upper left")
    else:
        ax.text(0.5, 0.5, "no samples in this run", ha="center", va="center", transform=ax.transAxes, color="gray")
    ax.set_xlabel("seconds into the run", fontsize=8)
fig.suptitle("Pulse dashboard panels, from a local-stack run's /metrics scrapes (one per second)", fontsize=13)
fig.savefig(sys.argv[2], dpi=80)
print(f"wrote {sys.argv[2]}")
