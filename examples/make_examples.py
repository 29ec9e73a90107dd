"""Write the example predictions files of this directory.

    /root/.venvs/golden/bin/python examples/make_examples.py

- predictions-small.csv: 60 images of 3 classes (cat, dog, bird), columns
  id,path,label,p_cat,p_dog,p_bird. Mostly right, some mistakes, a few of
  them overconfident. Probabilities have 4-6 decimals and the last column is
  1 minus the others, so every row sums to exactly 1 in decimal.
- predictions-small.npz: 200 samples of 5 classes, `labels` (int64) and
  `probs` (float32), as np.savez writes them (with a fixed timestamp, so
  the bytes are reproducible).

Seeded: running the script again gives identical files.
"""

import io
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20240601
CLASSES = ["cat", "dog", "bird"]


def decimal(units: int, digits: int) -> str:
    """`units / 10**digits` written exactly with `digits` decimals."""
    scale = 10**digits
    return f"{units // scale}.{units % scale:0{digits}d}"


def csv_rows(rng: np.random.Generator) -> list[str]:
    labels = rng.permutation(np.repeat(np.arange(3), 20))
    # Kind of prediction per sample: right and confident, right but unsure,
    # wrong and unsure, wrong and overconfident.
    kinds = rng.choice(4, size=labels.size, p=[0.68, 0.14, 0.11, 0.07])
    counters = [0, 0, 0]
    rows = []
    for i, (label, kind) in enumerate(zip(labels, kinds)):
        counters[label] += 1
        if kind <= 1:
            predicted = label
        else:
            predicted = rng.choice([c for c in range(3) if c != label])
        top = {0: (0.78, 0.995), 1: (0.42, 0.70), 2: (0.45, 0.72), 3: (0.86, 0.99)}[kind]
        p_top = rng.uniform(*top)
        rest = rng.dirichlet([2.0, 2.0]) * (1.0 - p_top)
        # In the unsure-but-right and wrong cases, the runner-up is more
        # often the true class.
        others = [c for c in range(3) if c != predicted]
        if label != predicted and rest[others.index(label)] < rest.max():
            rest = rest[::-1]
        p = np.empty(3)
        p[predicted] = p_top
        p[others] = rest
        digits = int(rng.choice([4, 5, 6]))
        scale = 10**digits
        units = [int(round(v * scale)) for v in p[:2]]
        units.append(scale - sum(units))
        assert min(units) >= 0
        name = CLASSES[label]
        path = f"images/{name}/{counters[label]:04d}.png"
        values = ",".join(decimal(u, digits) for u in units)
        rows.append(f"img-{i + 1:04d},{path},{name},{values}")
    return rows


def npz_arrays(rng: np.random.Generator) -> dict[str, np.ndarray]:
    n, k = 200, 5
    labels = rng.integers(0, k, size=n)
    # Logits: signal on the true class, varying per sample, plus noise, with
    # a scale > 1 that makes the model overconfident.
    signal = rng.gamma(2.0, 1.0, size=n)
    logits = rng.normal(0.0, 1.0, size=(n, k))
    logits[np.arange(n), labels] += signal
    logits *= 1.8
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    probs = probs.astype(np.float32)
    assert np.abs(probs.astype(np.float64).sum(axis=1) - 1.0).max() < 1e-6
    return {"labels": labels.astype(np.int64), "probs": probs}


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez's layout (stored `<name>.npy` entries), with a fixed date."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, buffer.getvalue())


def main() -> None:
    rng = np.random.default_rng(SEED)
    header = "id,path,label," + ",".join(f"p_{c}" for c in CLASSES)
    text = "\n".join([header, *csv_rows(rng)]) + "\n"
    (HERE / "predictions-small.csv").write_text(text)
    save_npz(HERE / "predictions-small.npz", npz_arrays(rng))


if __name__ == "__main__":
    main()
