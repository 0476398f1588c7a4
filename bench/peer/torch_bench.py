#!/usr/bin/env python3
"""PyTorch peer for hcr's speed benchmarks (docs/DESIGN.md section 7).

Builds the same networks as src/core/architectures.ts (character models) and
src/core/line/architectures.ts (line models), layer for layer with Keras semantics, and times
training steps, batched inference or single-image latency on random but fixed-seed data.
Prints one JSON object on stdout; bench/train.ts and bench/infer.ts run it as a child process
so that both sides are measured in one invocation.

A line model trains with CTC on the batches of a plan that bench/train.ts writes (each
batch's padded width, each line's own width and its labels), so both sides see the same
shapes in the same order.

Example:
    /usr/bin/python3 bench/peer/torch_bench.py --arch seed --mode train --batch 128 \
        --threads 2 --seconds 20
    /usr/bin/python3 bench/peer/torch_bench.py --arch line-s --mode train \
        --line-plan /tmp/plan.json --threads 2 --seconds 20
"""

import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn

IMAGE_SIZE = 28
# Keras BatchNormalization defaults: epsilon 1e-3, moving-average momentum 0.99, which is
# torch's momentum 0.01 (torch weighs the new batch statistic, Keras the old average).
BN = {"eps": 1e-3, "momentum": 0.01}
POOL_SIZE = 4096  # distinct random images the batches are drawn from


def build_seed(num_classes):
    """conv32 5x5 -> BN -> conv32 5x5 -> BN -> maxpool 5 -> dropout .25 -> dense256 -> dense N."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 5),
        nn.ReLU(),
        nn.BatchNorm2d(32, **BN),
        nn.Conv2d(32, 32, 5),
        nn.ReLU(),
        nn.BatchNorm2d(32, **BN),
        nn.MaxPool2d(5),  # Keras: valid padding, stride = pool size
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 256),
        nn.ReLU(),
        nn.Linear(256, num_classes),
    )


def conv3x3(cin, cout):
    """Keras conv2d(kernelSize 3, padding 'same', relu) followed by maxPooling2d(2)."""
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]


def build_default(num_classes):
    """3x [conv3x3 same + ReLU -> maxpool 2] (32/64/128) -> dropout .3 -> dense128 -> dense N (no BN)."""
    return nn.Sequential(
        *conv3x3(1, 32),
        *conv3x3(32, 64),
        *conv3x3(64, 128),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(128 * 3 * 3, 128),
        nn.ReLU(),
        nn.Linear(128, num_classes),
    )


def build_large(num_classes):
    """conv 32 -> pool -> 2x conv 64 -> pool -> 2x conv 128 -> pool (3x3 same + ReLU, no BN)
    -> dropout .3 -> dense256 -> dense N."""
    return nn.Sequential(
        *conv3x3(1, 32),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        *conv3x3(64, 64),
        nn.Conv2d(64, 128, 3, padding=1),
        nn.ReLU(),
        *conv3x3(128, 128),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(128 * 3 * 3, 256),
        nn.ReLU(),
        nn.Linear(256, num_classes),
    )


def build_tiny(num_classes):
    """conv8 3x3 -> maxpool 4 -> dense N (hcr's test-sized network)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(4),
        nn.Flatten(),
        nn.Dropout(0.0),
        nn.Linear(8 * 6 * 6, num_classes),
    )


# The softmax of hcr's last layer is folded into CrossEntropyLoss here, as PyTorch users
# write it. Keep these in step with src/core/architectures.ts: both benchmarks print a warning
# when the parameter counts differ.
ARCHITECTURES = {
    "seed": build_seed,
    "default": build_default,
    "large": build_large,
    "tiny": build_tiny,
}


LINE_HEIGHT = 32
LINE_FRAME_STRIDE = 4


class ContextBlock(nn.Module):
    """contextBlock of src/core/line/architectures.ts: x + BN(conv 1xk (ReLU(BN(conv 1xk x)))),
    the first conv to half the channels, then ReLU; the last batch norm starts at zero scale."""

    def __init__(self, channels, kernel):
        super().__init__()
        pad = (0, kernel // 2)
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels // 2, (1, kernel), padding=pad, bias=False),
            nn.BatchNorm2d(channels // 2, **BN),
            nn.ReLU(),
            nn.Conv2d(channels // 2, channels, (1, kernel), padding=pad, bias=False),
            nn.BatchNorm2d(channels, **BN),
        )
        nn.init.zeros_(self.body[-1].weight)

    def forward(self, x):
        return torch.relu(x + self.body(x))


def conv_ctc(stages, head, num_classes, dropout=0.2, context=(0, 3)):
    """convCtc of src/core/line/architectures.ts: stages of 3x3 same convolutions (no bias) +
    batch norm + ReLU, each optionally followed by a max-pool (Keras valid pooling, stride = pool size); a convolution
    over the remaining height (valid, ReLU), one column of zeros on each side, a 1x3 same
    context convolution (ReLU), dropout and a 1x1 classifier. Input [n, 1, 32, W], logits
    [n, classes, 1, W // 4]."""
    layers = []
    cin = 1
    height = LINE_HEIGHT
    for filters, pool in stages:
        for cout in filters:
            layers += [
                nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout, **BN),
                nn.ReLU(),
            ]
            cin = cout
        if pool:
            layers.append(nn.MaxPool2d(pool))
            height //= pool[0]
    layers += [
        nn.Conv2d(cin, head, (height, 3)),
        nn.ReLU(),
        nn.ZeroPad2d((1, 1, 0, 0)),
        nn.Conv2d(head, head, (1, 3), padding=(0, 1)),
        nn.ReLU(),
        *[ContextBlock(head, context[1]) for _ in range(context[0])],
        nn.Dropout(dropout),
        nn.Conv2d(head, num_classes, 1),
    ]
    return nn.Sequential(*layers)


LINE_S_STAGES = [([16], (2, 2)), ([32], (2, 2)), ([64, 64], (2, 1)), ([128, 128], (2, 1))]
LINE_TINY_STAGES = [([8], (2, 2)), ([8], (2, 2)), ([], (2, 1)), ([], (2, 1))]


def build_line_s(num_classes):
    """conv3x3+BN+ReLU 16 -> pool -> 32 -> pool -> 2x64 -> pool(2,1) -> 2x128 -> pool(2,1)
    -> conv 2x3 192 -> conv 1x3 192 -> 1x1 logits."""
    return conv_ctc(LINE_S_STAGES, 192, num_classes)


def build_line_sc(num_classes):
    """line-s, then 3 residual context blocks (conv 1x5 96, conv 1x5 192) before the logits."""
    return conv_ctc(LINE_S_STAGES, 192, num_classes, context=(3, 5))


def build_line_tiny(num_classes):
    """conv3x3 8 -> pool -> 8 -> pool -> pool(2,1) x2 -> conv 2x3 16 -> 1x1 logits."""
    return conv_ctc(LINE_TINY_STAGES, 16, num_classes)


def build_line_tiny_c(num_classes):
    """line-tiny, then 1 residual context block (conv 1x3 8, conv 1x3 16)."""
    return conv_ctc(LINE_TINY_STAGES, 16, num_classes, context=(1, 3))


# Keep these in step with src/core/line/architectures.ts: bench/train.ts warns when the
# parameter counts differ.
LINE_ARCHITECTURES = {
    "line-s": build_line_s,
    "line-sc": build_line_sc,
    "line-tiny": build_line_tiny,
    "line-tiny-c": build_line_tiny_c,
}


def count_params(model):
    """Counts like Keras' countParams: trainable weights plus BN moving mean and variance."""
    trainable = sum(p.numel() for p in model.parameters())
    moving = sum(
        b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked")
    )
    return {"total": trainable + moving, "trainable": trainable}


def make_pool(seed, n, num_classes):
    gen = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 1, IMAGE_SIZE, IMAGE_SIZE), dtype=torch.uint8, generator=gen)
    labels = torch.randint(0, num_classes, (n,), dtype=torch.int64, generator=gen)
    return images, labels


def batch_at(pool, step, batch):
    """uint8 -> float per batch, as hcr's trainer does (never the whole set as floats)."""
    images, labels = pool
    start = (step * batch) % (images.shape[0] - batch + 1)
    x = images[start : start + batch].to(torch.float32).div_(255.0)
    return x, labels[start : start + batch]


def run_timed(step_fn, warmup, steps, seconds):
    """Runs warmup steps, then `steps` steps, or whole steps until `seconds` have passed."""
    for i in range(warmup):
        step_fn(i)
    times = []
    start = time.perf_counter()
    i = 0
    while True:
        t0 = time.perf_counter()
        step_fn(warmup + i)
        times.append(time.perf_counter() - t0)
        i += 1
        elapsed = time.perf_counter() - start
        if (steps > 0 and i >= steps) or (steps <= 0 and elapsed >= seconds):
            return elapsed, times


def bench_train(model, args, pool):
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step(i):
        x, y = batch_at(pool, i, args.batch)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()  # hcr's trainOnBatch also reads the loss back every step

    return run_timed(step, args.warmup, args.steps, args.seconds)


def bench_infer(model, args, pool):
    model.eval()
    with torch.no_grad():

        def step(i):
            x, _ = batch_at(pool, i, args.batch)
            model(x).softmax(1).numpy()

        return run_timed(step, args.warmup, args.steps, args.seconds)


def bench_latency(model, args, pool):
    """One image per call: uint8 -> float tensor -> forward -> probabilities as numpy."""
    model.eval()
    images = pool[0]
    with torch.no_grad():

        def step(i):
            pixels = images[i % images.shape[0]]
            x = pixels.to(torch.float32).div_(255.0).reshape(1, 1, IMAGE_SIZE, IMAGE_SIZE)
            model(x).softmax(1).numpy()

        return run_timed(step, args.warmup, args.steps, args.seconds)


def load_line_batches(path, seed):
    """The plan's batches as tensors: random pixels in [0, 1] within each line's own width and
    zeros in its padding (as hcr's trainer pads), labels and lengths for CTC."""
    with open(path, encoding="utf-8") as f:
        plan = json.load(f)
    gen = torch.Generator().manual_seed(seed)
    batches = []
    for b in plan["batches"]:
        n, width = len(b["widths"]), b["width"]
        x = torch.zeros(n, 1, LINE_HEIGHT, width)
        for i, w in enumerate(b["widths"]):
            x[i, 0, :, :w] = torch.rand(LINE_HEIGHT, w, generator=gen)
        labels = b["labels"]
        batches.append(
            {
                "x": x,
                "targets": torch.tensor([c for line in labels for c in line], dtype=torch.int64),
                "target_lengths": torch.tensor([len(line) for line in labels], dtype=torch.int64),
                "input_lengths": torch.tensor(
                    [w // LINE_FRAME_STRIDE for w in b["widths"]], dtype=torch.int64
                ),
            }
        )
    return plan["classes"], batches


def bench_line_train(model, args, batches):
    """hcr's line step: logits -> CTC (blank 0) summed over the lines and divided by their
    number (hcr's ctcLoss; CTCLoss's 'mean' would also divide by each label's length) -> Adam."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ctc = nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)

    def step(i):
        b = batches[i % len(batches)]
        n = b["x"].shape[0]
        optimizer.zero_grad()
        logits = model(b["x"])  # [n, classes, 1, frames]
        log_probs = logits.squeeze(2).permute(2, 0, 1).log_softmax(2)  # [frames, n, classes]
        loss = ctc(log_probs, b["targets"], b["input_lengths"], b["target_lengths"]) / n
        loss.backward()
        optimizer.step()
        loss.item()

    return run_timed(step, args.warmup, args.steps, args.seconds)


def percentile(sorted_values, q):
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--arch", required=True, choices=sorted([*ARCHITECTURES, *LINE_ARCHITECTURES])
    )
    parser.add_argument("--mode", required=True, choices=["train", "infer", "latency"])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=0, help="timed steps; 0 = use --seconds")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--classes", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--line-plan", help="a line model's batches (JSON written by bench/train.ts)"
    )
    args = parser.parse_args()
    if args.mode == "latency":
        args.batch = 1

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.arch in LINE_ARCHITECTURES:
        if args.mode != "train" or not args.line_plan:
            parser.error(f"--arch {args.arch}: expected --mode train with --line-plan")
        args.classes, batches = load_line_batches(args.line_plan, args.seed)
        args.batch = batches[0]["x"].shape[0]
        model = LINE_ARCHITECTURES[args.arch](args.classes)
        elapsed, times = bench_line_train(model, args, batches)
    else:
        model = ARCHITECTURES[args.arch](args.classes)
        pool = make_pool(args.seed, POOL_SIZE if args.mode != "latency" else 512, args.classes)
        run = {"train": bench_train, "infer": bench_infer, "latency": bench_latency}[args.mode]
        elapsed, times = run(model, args, pool)

    times_ms = sorted(t * 1000 for t in times)
    json.dump(
        {
            "arch": args.arch,
            "mode": args.mode,
            "batch": args.batch,
            "threads": torch.get_num_threads(),
            "steps": len(times),
            "seconds": elapsed,
            "imagesPerSecond": len(times) * args.batch / elapsed,
            "stepMs": {
                "mean": statistics.fmean(times_ms),
                "p50": percentile(times_ms, 0.5),
                "p99": percentile(times_ms, 0.99),
            },
            "params": count_params(model),
            "torchVersion": torch.__version__,
            "python": sys.version.split()[0],
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
