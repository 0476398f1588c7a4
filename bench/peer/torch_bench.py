#!/usr/bin/env python3
"""PyTorch peer for hcr's speed benchmarks (docs/DESIGN.md section 7).

Builds the same networks as src/core/architectures.ts, layer for layer with Keras
semantics, and times training steps, batched inference or single-image latency on random
but fixed-seed data. Prints one JSON object on stdout; bench/train.ts and bench/infer.ts
run it as a child process so that both sides are measured in one invocation.

Example:
    /usr/bin/python3 bench/peer/torch_bench.py --arch seed --mode train --batch 128 \
        --threads 2 --seconds 20
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


def percentile(sorted_values, q):
    idx = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[idx]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arch", required=True, choices=sorted(ARCHITECTURES))
    parser.add_argument("--mode", required=True, choices=["train", "infer", "latency"])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=0, help="timed steps; 0 = use --seconds")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--classes", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.mode == "latency":
        args.batch = 1

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
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
