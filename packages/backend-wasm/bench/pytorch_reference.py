"""Times PyTorch's label-smoothing cross-entropy on one CPU thread.

Prints one JSON object: for each shape, the median seconds of the forward pass
and of forward plus backward, each timed by this process's own clock
(time.perf_counter) after warm-up runs. Called by bench/run.mjs.

Usage: python3 pytorch_reference.py RUNS WARMUP N,C [N,C ...]
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def median_seconds(step, runs, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    runs, warmup = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "shapes": {}}
    for spec in sys.argv[3:]:
        rows, classes = (int(part) for part in spec.split(","))
        logits = torch.randn(rows, classes, dtype=torch.float32)
        labels = torch.randint(0, classes, (rows,))

        def forward():
            with torch.no_grad():
                F.cross_entropy(logits, labels, label_smoothing=0.1).item()

        trainable = logits.clone().requires_grad_(True)

        def forward_backward():
            trainable.grad = None
            F.cross_entropy(trainable, labels, label_smoothing=0.1).backward()

        results["shapes"][spec] = {
            "forward": median_seconds(forward, runs, warmup),
            "forwardBackward": median_seconds(forward_backward, runs, warmup),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
