#!/usr/bin/env python3
"""Replay CIFAR-10H's human answers through `triage label serve` on the real
CIFAR-10 test images, and compare `triage label report` with what the
CIFAR-10H counts say.

Simulated annotators answer over the page's HTTP API exactly as a browser
does. For each image they are handed they draw a class from that image's
CIFAR-10H vote distribution (Peterson et al., 2019: ~51 people per image),
so their expected accuracy is the mean CIFAR-10H probability of the true
label over the items they answered. One more annotator answers at random:
the attention checks must exclude them. The item behind an opaque id is
looked up in the database by this script (the oracle), never sent by the
server.

    tools/label_replay_cifar10h.py TRIAGE_BINARY WORK_DIR [--sample 600] [--overlap 150]

Needs ../shared/data/cifar10 and ../shared/data/cifar10h, and numpy.
Prints the report's figures beside the expected ones.
"""

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import urllib.request

import numpy as np

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("triage")
    ap.add_argument("work")
    ap.add_argument("--sample", type=int, default=600)
    ap.add_argument("--overlap", type=int, default=150)
    ap.add_argument("--annotators", type=int, default=5)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    test = os.path.join(args.work, "cifar10", "test")
    if not os.path.isdir(test):
        with tarfile.open(os.path.join(SHARED, "cifar10", "cifar10-test-jpg.tar.gz")) as t:
            t.extractall(os.path.join(args.work, "cifar10"), filter="data")
    probs = np.load(os.path.join(SHARED, "cifar10h", "cifar10h-probs.npy"))
    row_of = {}
    with open(os.path.join(SHARED, "cifar10", "test_index.csv")) as f:
        for r in csv.DictReader(f):
            # Item ids are paths relative to the folder served (test/).
            row_of[r["path"].removeprefix("test/")] = (int(r["test_batch_index"]), int(r["label"]))
    db = os.path.join(args.work, "replay.sqlite")
    if os.path.exists(db):
        os.remove(db)
    server = subprocess.Popen(
        [args.triage, "label", "serve", test, "--sample", str(args.sample), "--seed", "0",
         "--overlap", str(args.overlap), "--attention", "--db", db, "--bind", "127.0.0.1:0",
         "--no-progress"],
        stdout=subprocess.PIPE, text=True)
    base = server.stdout.readline().strip().rstrip("/")
    items = dict(sqlite3.connect(db).execute("SELECT opaque, item_id FROM items").fetchall())
    rng = np.random.default_rng(0)
    expected = {}
    try:
        names = [f"replay-{i}" for i in range(args.annotators)] + ["random-clicker"]
        # Turns, so that the shared-out items are spread over everyone.
        active = set(names)
        n = 0
        while active:
            for name in names:
                if name not in active:
                    continue
                state = call(base, "GET", f"/api/next?annotator={name}")
                if state["item"] is None:
                    active.discard(name)
                    continue
                row, label = row_of[items[state["item"]]]
                if name == "random-clicker":
                    cls = int(rng.integers(10))
                else:
                    cls = int(rng.choice(10, p=probs[row]))
                    expected.setdefault(name, {})[row] = probs[row, label]
                call(base, "POST", "/api/answer", {
                    "annotator": name, "item": state["item"], "class": cls,
                    "reaction_ms": int(rng.integers(600, 3000)), "request": f"{name}-{n}"})
                n += 1
    finally:
        server.terminate()
        server.wait(timeout=20)
    out = subprocess.run([args.triage, "label", "report", "--db", db, "--json"],
                         capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout)
    print(f"{n} answers; sample {args.sample}, overlap {args.overlap}")
    for a in doc["annotators"]:
        acc = a["accuracy"]
        exp = expected.get(a["name"])
        want = f"expected {100 * np.mean(list(exp.values())):.1f} %" if exp else "expected 10 % (random)"
        att = a["attention"]
        print(f"  {a['name']:<15} {100 * acc['value']:.1f} % [{100 * acc['low']:.1f}, {100 * acc['high']:.1f}] "
              f"on {acc['n']}  ({want}); attention {att['k'] if att else '-'}/{att['n'] if att else '-'}"
              f"{'  EXCLUDED' if a['excluded'] else ''}")
    m = doc["majority"]
    print(f"majority vote {100 * m['value']:.1f} % [{100 * m['low']:.1f}, {100 * m['high']:.1f}] on {m['n']} items")
    f = doc["fleiss"]
    if f:
        print(f"Fleiss' kappa {f['kappa']:.3f} ({f['raters']} raters, {f['items']} items)")
    for note in doc["notes"]:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
