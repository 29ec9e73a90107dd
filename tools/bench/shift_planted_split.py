"""MNIST test predictions split in two halves (even/odd rows); the second
half subsampled to planted priors (keep 20 % of digits 0-4): a known label
shift with p(x|y) unchanged."""
import csv, random
import numpy as np
import sys
R = sys.argv[1] if len(sys.argv) > 1 else "/tmp/triage-shift-real"
rows = list(csv.reader(open(f"{R}/pred-mnist/predictions.csv")))
header, body = rows[0], rows[1:]
emb = np.load(f"{R}/pred-mnist/embeddings.npy")
ids = [l.strip() for l in open(f"{R}/pred-mnist/embeddings.ids.csv")][1:]
pos = {i: k for k, i in enumerate(ids)}
def write(name, sel):
    with open(f"{R}/{name}.csv", "w", newline="") as f:
        w = csv.writer(f); w.writerow(header); w.writerows(body[i] for i in sel)
    np.save(f"{R}/{name}.npy", emb[[pos[body[i][0]] for i in sel]].astype(np.float32))
a = [i for i in range(len(body)) if i % 2 == 0]
b = [i for i in range(len(body)) if i % 2 == 1]
rng = random.Random(0)
lab = header.index("label")
skew = [i for i in b if int(body[i][lab]) >= 5 or rng.random() < 0.2]
write("half-a", a); write("half-b", b); write("half-b-skew", skew)
counts = np.bincount([int(body[i][lab]) for i in skew], minlength=10)
print("planted target priors", np.round(counts / counts.sum(), 4).tolist(), "n", len(skew))
