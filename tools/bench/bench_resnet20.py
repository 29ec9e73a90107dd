# Copied unchanged (apart from this header) from the backend bake-off,
# ../shared/design/backend-bakeoff/pytorch/bench.py: the PyTorch side of
# `tools/bench/run_resnet20.sh`.
"""ResNet-20 (CIFAR) training/inference micro-benchmark, PyTorch CPU reference.
Usage: python bench.py [batch] [train_steps] [infer_steps]   (env NBLOCKS=3, THREADS=2)"""
import os, sys, time, statistics, resource
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("THREADS", "2")))
torch.manual_seed(0)

def conv3x3(cin, cout, stride):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)

class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv3x3(cin, cout, stride); self.b1 = nn.BatchNorm2d(cout)
        self.c2 = conv3x3(cout, cout, 1); self.b2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
    def forward(self, x):
        idn = x if self.down is None else self.down(x)
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + idn)

class ResNet(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.stem = conv3x3(3, 16, 1); self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for i, w in enumerate([16, 32, 64]):
            for j in range(n):
                blocks.append(Block(cin, w, 2 if (i > 0 and j == 0) else 1)); cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)
    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.blocks(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)

def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 128
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    isteps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    n = int(os.environ.get("NBLOCKS", "3"))
    model = ResNet(n)
    nparams = sum(p.numel() for p in model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.tensor([(i * 7 + 3) % 10 for i in range(batch)])
    model.train()
    times = []
    for s in range(3 + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        last = loss.item()
        dt = time.perf_counter() - t0
        if s >= 3: times.append(dt)
    tr = statistics.median(times)
    model.eval()
    xi = torch.randn(batch, 3, 32, 32)
    itimes = []
    with torch.inference_mode():
        for s in range(2 + isteps):
            t0 = time.perf_counter()
            out = model(xi); _ = out.sum().item()
            dt = time.perf_counter() - t0
            if s >= 2: itimes.append(dt)
    inf = statistics.median(itimes)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT framework=pytorch-{torch.__version__} threads={torch.get_num_threads()} params={nparams} batch={batch} "
          f"train_step_s={tr:.4f} train_img_s={batch/tr:.1f} infer_step_s={inf:.4f} infer_img_s={batch/inf:.1f} "
          f"last_loss={last:.4f} peak_rss_mib={rss:.0f}")

if __name__ == "__main__":
    main()
