"""PyTorch reference step for `make bench-vs-pytorch`: the same ResNet-20 (1x1-conv projection
shortcuts), batch, input shapes and thread count as `qbench bench`, FP32 and 4-bit LSQ fake
quantization written with plain ops (per-output-channel weight steps, per-tensor activation
steps, first conv and fc at 8 bits), timed over full SGD steps. Prints one line per case:
`pytorch <case>: <images/s> images/s`. Not a dependency of qbench: only this target uses it."""
import argparse
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("bench-vs-pytorch: python3-torch is not installed; skipping the PyTorch side "
          "(apt-get install python3-torch)")
    sys.exit(3)


def grad_scale(x, g):
    return (x - x * g).detach() + x * g


def round_pass(x):
    return (x.round() - x).detach() + x


def lsq(x, s, qn, qp, n):
    """LSQ fake quantization with plain ops (spec section 2): g = 1/sqrt(N*Qp)."""
    s = grad_scale(s, 1.0 / (n * qp) ** 0.5)
    return round_pass(torch.clamp(x / s, qn, qp)) * s


class QConv(nn.Conv2d):
    def __init__(self, *a, bits=None, signed_input=False, **k):
        super().__init__(*a, **k)
        self.bits = bits
        if bits:
            self.wstep = nn.Parameter(torch.ones(self.out_channels, 1, 1, 1))
            self.astep = nn.Parameter(torch.ones(1))
            self.aq = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed_input else (0, 2 ** bits - 1)

    def forward(self, x):
        if not self.bits:
            return super().forward(x)
        b = self.bits
        w = lsq(self.weight, self.wstep, -(2 ** (b - 1)), 2 ** (b - 1) - 1, self.weight[0].numel())
        x = lsq(x, self.astep, self.aq[0], self.aq[1], x.numel())
        return F.conv2d(x, w, None, self.stride, self.padding)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, bits):
        super().__init__()
        self.conv1 = QConv(cin, cout, 3, stride, 1, bias=False, bits=bits)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = QConv(cout, cout, 3, 1, 1, bias=False, bits=bits)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(QConv(cin, cout, 1, stride, 0, bias=False, bits=bits),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class ResNet20(nn.Module):
    def __init__(self, cin, bits):
        super().__init__()
        first = 8 if bits else None
        self.conv1 = QConv(cin, 16, 3, 1, 1, bias=False, bits=first, signed_input=True)
        self.bn1 = nn.BatchNorm2d(16)
        layers, c = [], 16
        for i, w in enumerate((16, 32, 64)):
            for j in range(3):
                layers.append(Block(c, w, 2 if i > 0 and j == 0 else 1, bits))
                c = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)
        self.fc_bits = first
        if first:
            self.fc_wstep = nn.Parameter(torch.ones(10, 1))
            self.fc_astep = nn.Parameter(torch.ones(1))

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        if not self.fc_bits:
            return self.fc(x)
        w = lsq(self.fc.weight, self.fc_wstep, -128, 127, 64)
        x = lsq(x, self.fc_astep, 0, 255, x.numel())
        return F.linear(x, w, self.fc.bias)


def time_case(cin, hw, bits, batch, iters, warmup):
    torch.manual_seed(0)
    model = ResNet20(cin, bits)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(batch, cin, hw, hw)
    y = torch.randint(0, 10, (batch,))
    model.train()
    for i in range(warmup + iters):
        if i == warmup:
            t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return batch * iters / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"pytorch {torch.__version__}, {a.threads} threads, batch {a.batch}")
    for name, cin, hw, bits in (("fp32-3x32x32", 3, 32, None), ("fp32-1x28x28", 1, 28, None),
                                ("lsq4-3x32x32", 3, 32, 4), ("lsq4-1x28x28", 1, 28, 4)):
        ips = time_case(cin, hw, bits, a.batch, a.iters, a.warmup)
        print(f"pytorch {name}: {ips:.1f} images/s", flush=True)


if __name__ == "__main__":
    main()
