"""Times PyTorch's F.cross_entropy(..., label_smoothing=eps) on the CPU.

Reads one JSON request on stdin and prints one JSON result on stdout; the
benchmark app (src/pytorch/run_pytorch.ts) writes the request. Each time is
taken by this process's own clock (time.perf_counter), in float32, with the
'mean' reduction and index labels, once per thread count of the request.
Progress lines go to stderr.

Request fields: groups (name and shapes, each {"shape": [...], "classAxis": n}),
threads (list of thread counts), runs, warmupRuns, budgetMs, smoothing.
The per-run budget works as in the tfjs measurements (src/measure/run_backend.ts):
a measurement is skipped when a smaller shape predicts more than the budget
per run, or when warm-up runs exceed it.
"""
import json
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

FIRST_RUN_ALLOWANCE = 3
PASSES = ("forward", "forward+backward")


def log(line):
    print(line, file=sys.stderr, flush=True)


def elements_of(shape):
    count = 1
    for dimension in shape:
        count *= dimension
    return count


def format_shape(spec):
    return "[" + ", ".join(str(d) for d in spec["shape"]) + "]"


def seconds(ms):
    return f"{ms / 1000:.1f} s"


def make_inputs(spec):
    """Returns logits shaped for F.cross_entropy (classes on dim 1) and matching labels."""
    shape = spec["shape"]
    axis = spec["classAxis"] % len(shape)
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(*shape, dtype=torch.float32, generator=generator) * 2
    classes = shape[axis]
    labels_shape = [d for i, d in enumerate(shape) if i != axis]
    labels = torch.randint(0, classes, labels_shape, generator=generator)
    if axis == len(shape) - 1 and len(shape) != 2:
        # A view, no copy: [..., C] becomes [positions, C].
        return logits.reshape(-1, classes), labels.reshape(-1)
    if axis != 1:
        raise ValueError(f"class axis {axis} of a rank-{len(shape)} shape: PyTorch needs the classes on dim 1 or last")
    return logits, labels


def time_call(pass_name, logits, labels, smoothing):
    start = time.perf_counter()
    if pass_name == "forward":
        with torch.no_grad():
            loss = F.cross_entropy(logits, labels, label_smoothing=smoothing).item()
    else:
        logits.grad = None
        value = F.cross_entropy(logits, labels, label_smoothing=smoothing)
        value.backward()
        loss = value.item()
    return (time.perf_counter() - start) * 1000, loss


def measure(request, threads):
    results = []
    budget = request["budgetMs"]
    for group in request["groups"]:
        rates = {}
        shapes = sorted(group["shapes"], key=lambda spec: elements_of(spec["shape"]))
        for spec in shapes:
            elements = elements_of(spec["shape"])
            kind = "last" if spec["classAxis"] % len(spec["shape"]) == len(spec["shape"]) - 1 else "inner"
            try:
                logits, labels = make_inputs(spec)
            except (ValueError, RuntimeError) as error:
                for pass_name in PASSES:
                    results.append(entry(group, spec, threads, pass_name, skipped=f"failed: {error}"))
                continue
            forward_over_budget = False
            for pass_name in PASSES:
                record = entry(group, spec, threads, pass_name)
                results.append(record)
                rate = rates.get((pass_name, kind))
                predicted = rate[0] * elements if rate else 0
                if pass_name == "forward+backward" and forward_over_budget:
                    record["skipped"] = f"its forward pass already exceeded the {seconds(budget)} budget per run"
                elif predicted > budget:
                    record["skipped"] = (f"predicted {seconds(predicted)} per run from {format_shape(rate[1])}, "
                                         f"over the {seconds(budget)} budget")
                else:
                    inputs = logits.detach().requires_grad_(pass_name != "forward")
                    try:
                        run_measurement(record, pass_name, inputs, labels, request)
                    except RuntimeError as error:
                        record["skipped"] = f"failed: {str(error).splitlines()[0]}"
                if record["skipped"]:
                    over_budget = not record["skipped"].startswith("failed")
                    forward_over_budget = forward_over_budget or (pass_name == "forward" and over_budget)
                    if over_budget and record["warmupMs"]:
                        # A warm-up that ran over budget still predicts larger shapes.
                        rates[(pass_name, kind)] = (record["warmupMs"][-1] / elements, spec)
                    log(f"pytorch {threads} thread(s) {format_shape(spec)} {pass_name}: skipped: {record['skipped']}")
                else:
                    timing = record["timing"]
                    rates[(pass_name, kind)] = (timing["medianMs"] / elements, spec)
                    log(f"pytorch {threads} thread(s) {format_shape(spec)} {pass_name}: median {timing['medianMs']:.1f} ms")
            del logits, labels
    return results


def entry(group, spec, threads, pass_name, skipped=None):
    return {"group": group["name"], "threads": threads, "pass": pass_name, "spec": spec,
            "timing": None, "warmupMs": [], "loss": None, "skipped": skipped}


def run_measurement(record, pass_name, logits, labels, request):
    budget = request["budgetMs"]
    warmup = record["warmupMs"]
    for run in range(max(1, request["warmupRuns"])):
        ms, _ = time_call(pass_name, logits, labels, request["smoothing"])
        warmup.append(ms)
        if run == 0 and ms > FIRST_RUN_ALLOWANCE * budget:
            record["skipped"] = (f"the first warm-up run took {seconds(ms)}, over {FIRST_RUN_ALLOWANCE} times "
                                 f"the {seconds(budget)} budget per run")
            return
    if warmup[-1] > budget:
        ms, _ = time_call(pass_name, logits, labels, request["smoothing"])
        warmup.append(ms)
        if ms > budget:
            record["skipped"] = f"a warm-up run took {seconds(ms)}, over the {seconds(budget)} budget per run"
            return
    runs = []
    for _ in range(request["runs"]):
        ms, loss = time_call(pass_name, logits, labels, request["smoothing"])
        runs.append(ms)
        record["loss"] = loss
    record["timing"] = {"medianMs": statistics.median(runs), "minMs": min(runs), "maxMs": max(runs), "runsMs": runs}


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    request = json.load(sys.stdin)
    results = []
    for threads in request["threads"]:
        torch.set_num_threads(threads)
        results.extend(measure(request, torch.get_num_threads()))
    print(json.dumps({
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpuCapability": cpu_capability(),
        "measurements": results,
    }))


if __name__ == "__main__":
    main()
