#!/usr/bin/env python3
"""Turns criterion's estimates (target/criterion) into the markdown tables of
docs/performance.md: median and median absolute deviation per benchmark, and
the component / native ratio where both were measured in the same run; first
the peers table (`cargo bench -p kitei-peers`), kitei beside Cedar and Rego."""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"


def estimate(path):
    with open(os.path.join(path, "new", "estimates.json")) as f:
        e = json.load(f)
    return e["median"]["point_estimate"], e["median_abs_dev"]["point_estimate"]


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def table(group, params_label):
    base = os.path.join(root, group)
    if not os.path.isdir(base):
        return
    hows = sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d)) and d != "report")
    params = sorted(
        {p for h in hows for p in os.listdir(os.path.join(base, h)) if p != "report"},
        key=lambda p: (len(p), p),
    )
    print(f"\n**{group}**\n")
    cols = " | ".join(f"{h} median (± MAD)" for h in hows)
    ratio = "component / native" if {"component", "native"} <= set(hows) else None
    print(f"| {params_label} | {cols} |" + (f" {ratio} |" if ratio else ""))
    print("|---" * (1 + len(hows) + (1 if ratio else 0)) + "|")
    for p in params:
        cells, vals = [], {}
        for h in hows:
            d = os.path.join(base, h, p)
            if os.path.isdir(d):
                m, mad = estimate(d)
                vals[h] = m
                cells.append(f"{fmt(m)} (± {fmt(mad)})")
            else:
                cells.append("—")
        line = f"| {p} | " + " | ".join(cells) + " |"
        if ratio and "component" in vals and "native" in vals:
            line += f" {vals['component'] / vals['native']:.1f}× |"
        print(line)


def flat(group):
    base = os.path.join(root, group)
    if not os.path.isdir(base):
        return
    print(f"\n**{group}**\n")
    print("| benchmark | median (± MAD) |\n|---|---|")
    for b in sorted(os.listdir(base)):
        d = os.path.join(base, b)
        if b != "report" and os.path.isdir(os.path.join(d, "new")):
            m, mad = estimate(d)
            print(f"| {b} | {fmt(m)} (± {fmt(mad)}) |")


PEERS = ["component", "native", "cedar", "rego", "rego-rvm"]


def peers(group="peers_authorize"):
    """kitei (the component) beside each peer on the same requests: medians,
    MADs, and kitei's time as a fraction of each other's (below 1: kitei
    is faster)."""
    base = os.path.join(root, group)
    if not os.path.isdir(base):
        return
    hows = [h for h in PEERS if os.path.isdir(os.path.join(base, h))]
    others = [h for h in hows if h != "component"]
    params = sorted({p for h in hows for p in os.listdir(os.path.join(base, h)) if p != "report"}, key=int)
    print(f"\n**{group}** (toyama-2023 `authorize`)\n")
    head = ["accounts"] + [f"{'kitei component' if h == 'component' else h} median (± MAD)" for h in hows]
    head += [f"kitei / {h}" for h in others]
    print("| " + " | ".join(head) + " |")
    print("|---" * len(head) + "|")
    for p in params:
        vals, cells = {}, [p]
        for h in hows:
            d = os.path.join(base, h, p)
            if os.path.isdir(os.path.join(d, "new")):
                m, mad = estimate(d)
                vals[h] = m
                cells.append(f"{fmt(m)} (± {fmt(mad)})")
            else:
                cells.append("—")
        for h in others:
            ok = "component" in vals and h in vals
            cells.append(f"{vals['component'] / vals[h]:.3g}" if ok else "—")
        print("| " + " | ".join(cells) + " |")


peers()
for op in ["eligibility", "accounts", "authorize", "liability", "incident"]:
    table(f"decide_{op}", "variant")
for op in ["eligibility", "authorize"]:
    table(f"floor_{op}", "policy")
table("authorize_by_accounts", "accounts")
table("authorize_by_loaded_policies", "loaded policies")
flat("load_toyama-2023")
