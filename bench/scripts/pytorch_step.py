"""PyTorch reference for `make bench-vs-pytorch` and `make bench`: the same ResNet-20 (1x1-conv
projection shortcuts), batch, input shapes and thread count as `qbench bench`, FP32 and 4-bit LSQ
(per-output-channel weight steps, per-tensor activation steps, first conv and fc at 8 bits),
timed over full SGD steps (train) and no-grad forward passes (eval), in every configuration a CPU
user would pick from: NCHW or channels_last memory format, and LSQ written with plain ops or with
PyTorch's fused learnable fake-quantize kernels (the ones behind torch.ao's LSQ). Prints one line
per case and configuration, `pytorch <case> <config>: <images/s> images/s`; with --qbench (the
JSON of `qbench bench` at the same threads) one `ratio qbench/best-pytorch <case>: X.XX` line per
case against its fastest configuration; with --rss only the peak RSS of the FP32 3x32x32 training
step, and with --qbench qbench's beside it against the target of at most 0.7x. Not a dependency of qbench: only these targets use it."""
import argparse
import json
import resource
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
    """LSQ fake quantization with plain ops (quantizers/FORMULAS.md §2): g = 1/sqrt(N*Qp)."""
    s = grad_scale(s, 1.0 / (n * qp) ** 0.5)
    return round_pass(torch.clamp(x / s, qn, qp)) * s


FUSED = False  # set by time_case: LSQ through the fused fake-quantize kernels


def lsq_weight(w, s, qn, qp):
    """Per-output-channel LSQ of a weight; s has one step per row of w."""
    n = w[0].numel()
    if FUSED:
        return torch._fake_quantize_learnable_per_channel_affine(
            w, s.view(-1), torch.zeros(s.numel()), 0, qn, qp, 1.0 / (n * qp) ** 0.5)
    return lsq(w, s, qn, qp, n)


def lsq_act(x, s, qn, qp):
    """Per-tensor LSQ of an activation; s has one element."""
    if FUSED:
        return torch._fake_quantize_learnable_per_tensor_affine(
            x, s, torch.zeros(1), qn, qp, 1.0 / (x.numel() * qp) ** 0.5)
    return lsq(x, s, qn, qp, x.numel())


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
        w = lsq_weight(self.weight, self.wstep, -(2 ** (b - 1)), 2 ** (b - 1) - 1)
        x = lsq_act(x, self.astep, self.aq[0], self.aq[1])
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
        w = lsq_weight(self.fc.weight, self.fc_wstep, -128, 127)
        x = lsq_act(x, self.fc_astep, 0, 255)
        return F.linear(x, w, self.fc.bias)


CASES = (("fp32-3x32x32", 3, 32, None), ("fp32-1x28x28", 1, 28, None),
         ("lsq4-3x32x32", 3, 32, 4), ("lsq4-1x28x28", 1, 28, 4))
# (name, memory format, fused fake-quantize); the fused kernels only matter with LSQ
CONFIGS = (("nchw", torch.contiguous_format, False),
           ("channels_last", torch.channels_last, False),
           ("nchw+fused-fq", torch.contiguous_format, True),
           ("channels_last+fused-fq", torch.channels_last, True))


def time_case(cin, hw, bits, fmt, fused, batch, iters, warmup):
    """(images/s, CPU seconds per step) of the training step and of the eval step. CPU time
    (all threads) grows only while the process runs: the figure to compare on a shared machine."""
    global FUSED
    FUSED = fused
    torch.manual_seed(0)
    model = ResNet20(cin, bits).to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(batch, cin, hw, hw).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (batch,))
    model.train()
    for i in range(warmup + iters):
        if i == warmup:
            t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    train = (batch * iters / (time.perf_counter() - t0), (time.process_time() - c0) / iters)
    model.eval()
    with torch.inference_mode():
        for i in range(warmup + iters):
            if i == warmup:
                t0, c0 = time.perf_counter(), time.process_time()
            model(x)
    return train, (batch * iters / (time.perf_counter() - t0), (time.process_time() - c0) / iters)


def qbench_rates(path, threads):
    """{(phase, case): (images/s, CPU s per step)} from `qbench bench --json` at the same
    thread count."""
    with open(path) as f:
        doc = json.load(f)
    if doc["threads"] != threads:
        sys.exit(f"{path}: qbench ran with {doc['threads']} threads, PyTorch with {threads}")
    rates = {}
    for c in doc["cases"]:
        rates[("train", c["case"])] = (c["images_per_s"], c["cpu_ms_per_step"] / 1e3)
        rates[("eval", c["case"])] = (c["eval_images_per_s"], c["eval_cpu_ms"] / 1e3)
    return rates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--qbench", help="qbench bench --json output to compare against")
    ap.add_argument("--rss", action="store_true",
                    help="only the FP32 3x32x32 training step; print the process's peak RSS")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.rss:
        time_case(3, 32, None, torch.contiguous_format, False, a.batch, a.iters, a.warmup)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(f"pytorch peak RSS fp32-3x32x32 training step: {rss:.1f} MiB")
        if a.qbench:
            with open(a.qbench) as f:
                q = json.load(f)["peak_rss_fp32_mib"]
            print(f"peak RSS qbench/pytorch fp32-3x32x32 training step: {q / rss:.2f} "
                  f"(qbench {q:.1f} MiB); target <= 0.70: {'met' if q / rss <= 0.70 else 'NOT MET'}")
        return
    qb = qbench_rates(a.qbench, a.threads) if a.qbench else None
    print(f"pytorch {torch.__version__}, {a.threads} threads, batch {a.batch}, {a.iters} steps")
    best, best_cpu = {}, {}
    for name, cin, hw, bits in CASES:
        for cfg, fmt, fused in CONFIGS:
            if fused and not bits:
                continue
            rates = time_case(cin, hw, bits, fmt, fused, a.batch, a.iters, a.warmup)
            for phase, (ips, cpu) in zip(("train", "eval"), rates):
                print(f"pytorch {phase}-{name}-{a.threads}t {cfg}: {ips:.1f} images/s  "
                      f"cpu {cpu * 1e3:.0f} ms", flush=True)
                key = (phase, name)
                if key not in best or ips > best[key][1]:
                    best[key] = (cfg, ips)
                if key not in best_cpu or cpu < best_cpu[key][1]:
                    best_cpu[key] = (cfg, cpu)
    if not qb:
        return
    for (phase, name), (cfg, ips) in best.items():
        q, qcpu = qb[(phase, name)]
        ccfg, cpu = best_cpu[(phase, name)]
        print(f"ratio qbench/best-pytorch {phase}-{name}-{a.threads}t: {q / ips:.2f} "
              f"(qbench {q:.1f}, pytorch {cfg} {ips:.1f} images/s; "
              f"by CPU time {cpu / qcpu:.2f} against {ccfg})")

if __name__ == "__main__":
    main()
