#!/usr/bin/env python3
"""Lines of src/ per crate and the longest non-test functions at a commit:
`python3 tools/code_stats.py [COMMIT]` (default HEAD)."""
import re, sys, subprocess
commit = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
files = subprocess.run(["git", "ls-tree", "-r", "--name-only", commit, "crates"], capture_output=True, text=True).stdout.split()
best = []
lines_per_crate = {}
for f in files:
    if not f.endswith(".rs"): continue
    text = subprocess.run(["git", "show", f"{commit}:{f}"], capture_output=True, text=True).stdout
    crate = f.split("/")[1]
    if "/src/" in f:
        lines_per_crate[crate] = lines_per_crate.get(crate, 0) + text.count("\n")
    lines = text.split("\n")
    for i, l in enumerate(lines):
        m = re.match(r"^(\s*)(pub(\([^)]*\))? )?(const )?(async )?fn (\w+)", l)
        if not m: continue
        ind = m.group(1)
        # find the end: a line equal to ind + "}"
        for j in range(i + 1, len(lines)):
            if lines[j] == ind + "}":
                best.append((j - i + 1, f, m.group(6)))
                break
            if re.match(r"^" + ind + r"\S", lines[j]) and not lines[j].startswith(ind + "}") and not lines[j].startswith(ind + ")") and not lines[j].startswith(ind + "where") and not lines[j].startswith(ind + "->"):
                break
best.sort(reverse=True)
print("longest non-test fns:")
shown = 0
for n, f, name in best:
    if "/tests/" in f or "test" in name: continue
    print(f"  {n:4d} {f} {name}")
    shown += 1
    if shown == 6: break
print("src lines per crate:", dict(sorted(lines_per_crate.items())))
