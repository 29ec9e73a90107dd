"""Side-by-side benchmark for issue 3: decode + profile throughput on the
50,000 CIFAR-10 training JPEGs, triage vs a PIL loop shaped like
torchvision's ImageFolder (its default loader is `PIL.Image.open(f).convert("RGB")`)
with 2 worker processes, on the same files.

Usage (from the repository root, after `cargo build --release`):
    .venv/bin/python tools/bench/bench_profile.py [--data ../shared/data/cifar10]

It unpacks the train and test tarballs into bench-data/cifar10/{train,test}
(once), then times:
  * reference: 2 processes, each image opened with PIL, converted to RGB,
    turned into a numpy array, hashed (md5 of the pixels, as an exact-duplicate
    check needs) and reduced to mean luma and RMS contrast;
  * triage profile (cold: decode + profile, no cache), and again with a warm
    decoded-image cache.
and prints images/s, the ratio, and the duplicate / near-duplicate counts that
triage found between train and test.
"""

import argparse
import hashlib
import json
import os
import subprocess
import tarfile
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image


def unpack(data, out):
    for name in ("cifar10-train-jpg.tar.gz", "cifar10-test-jpg.tar.gz"):
        split = "train" if "train" in name else "test"
        if os.path.isdir(os.path.join(out, split)):
            continue
        with tarfile.open(os.path.join(data, name)) as tar:
            tar.extractall(out, filter="data")
    stray = os.path.join(out, "test_index.csv")
    if os.path.exists(stray):
        os.remove(stray)


def files_of(root):
    out = []
    for cls in sorted(os.listdir(root)):
        d = os.path.join(root, cls)
        out.extend(os.path.join(d, f) for f in sorted(os.listdir(d)))
    return out


def reference_item(path):
    with open(path, "rb") as f:
        img = Image.open(f).convert("RGB")
    a = np.asarray(img)
    digest = hashlib.md5(a.tobytes()).hexdigest()
    luma = a @ np.array([0.299, 0.587, 0.114])
    return digest, float(luma.mean() / 255), float(luma.std() / 255)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/cifar10")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    out = "bench-data/cifar10"
    os.makedirs(out, exist_ok=True)
    unpack(args.data, out)
    train = os.path.join(out, "train")
    files = files_of(train)

    t = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(reference_item, files, chunksize=256)
    ref_s = time.perf_counter() - t
    assert len(results) == len(files)

    triage = "target/release/triage"
    if os.environ.get("CARGO_TARGET_DIR"):
        triage = os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "triage")
    cache = "bench-data/triage-cache"
    subprocess.run(["rm", "-rf", cache], check=True)

    def run_triage(extra):
        t = time.perf_counter()
        p = subprocess.run([triage, "profile", train, "--json", "--no-progress", *extra],
                           check=True, capture_output=True, text=True)
        return time.perf_counter() - t, json.loads(p.stdout)

    cold_s, _ = run_triage(["--no-cache"])
    _, _ = run_triage(["--cache-dir", cache])
    warm_s, _ = run_triage(["--cache-dir", cache])

    n = len(files)
    print(f"{n} CIFAR-10 training JPEGs (32x32), {os.cpu_count()} cores")
    print(f"{'':<44} {'seconds':>8} {'images/s':>10} {'ratio':>7}")
    print(f"{'PIL ImageFolder-style loop, ' + str(args.workers) + ' workers':<44} {ref_s:>8.2f} {n / ref_s:>10.0f} {1.0:>6.2f}x")
    print(f"{'triage profile (decode + profile, no cache)':<44} {cold_s:>8.2f} {n / cold_s:>10.0f} {ref_s / cold_s:>6.2f}x")
    print(f"{'triage profile (warm decoded-image cache)':<44} {warm_s:>8.2f} {n / warm_s:>10.0f} {ref_s / warm_s:>6.2f}x")

    t = time.perf_counter()
    p = subprocess.run([triage, "profile", out, "--json", "--no-progress", "--cache-dir", cache],
                       check=True, capture_output=True, text=True)
    whole_s = time.perf_counter() - t
    doc = json.loads(p.stdout)
    dup, near = doc["duplicates"], doc["near_duplicates"]
    print(f"\ntrain+test ({doc['n_items']} images) profiled in {whole_s:.1f} s")
    print("exact duplicates:", json.dumps({k: v for k, v in dup.items() if not isinstance(v, list)}))
    print("near duplicates:", json.dumps({k: v for k, v in near.items() if not isinstance(v, list)}))


if __name__ == "__main__":
    main()
