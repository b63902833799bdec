#!/usr/bin/env python3
"""Compares one benchmark run's requests in two nginx access logs written
with the test bed's format ($msec|$remote|$status|$request_length|$request).

  lag.py ONLINE_LOG TARGET_LOG URI_PREFIX SECONDS

Only requests whose URI starts with URI_PREFIX count (every run uses its
own prefix and unique URIs).  Prints one line of key=value figures:
online and target counts, their rates over SECONDS, the loss in percent,
and the replay lag (target $msec minus online $msec for the same URI) at
the 50th and 99th percentile and the maximum, in milliseconds.
"""

import sys


def load(path, prefix):
    seen = {}
    try:
        f = open(path, errors="replace")
    except OSError:
        return seen
    with f:
        for line in f:
            parts = line.rstrip("\n").split("|", 4)
            if len(parts) < 5:
                continue
            fields = parts[4].split(" ")
            if len(fields) < 2 or not fields[1].startswith(prefix):
                continue
            try:
                seen.setdefault(fields[1], float(parts[0]))
            except ValueError:
                continue
    return seen


def percentile(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 *
                                                   (len(sorted_vals) - 1)))))
    return sorted_vals[k]


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    onl = load(sys.argv[1], sys.argv[3])
    tgt = load(sys.argv[2], sys.argv[3])
    secs = float(sys.argv[4])
    lags = sorted((tgt[u] - t) * 1000.0 for u, t in onl.items() if u in tgt)
    n_on, n_tg = len(onl), len(lags)
    loss = 100.0 * (n_on - n_tg) / n_on if n_on else 0.0
    print("online=%d target=%d online_rps=%.0f target_rps=%.0f loss=%.2f "
          "p50=%.1f p99=%.1f max=%.1f"
          % (n_on, n_tg, n_on / secs, n_tg / secs, loss,
             percentile(lags, 50), percentile(lags, 99),
             lags[-1] if lags else float("nan")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
