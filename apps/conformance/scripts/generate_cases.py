"""Generates the conformance cases of label-smoothing cross-entropy.

Writes apps/conformance/cases/cases.json: for every case the inputs (logits,
labels, options, a per-position upstream gradient) and the expected results
computed here in float64 (torch.float64): the per-position 'none' losses, the
'mean' and 'sum' losses, the gradients with respect to the logits of the
'mean' loss, of the 'sum' loss and of sum(upstream * 'none' losses), and, for
probability labels, the same three gradients with respect to the labels.

'uniform' cases are computed by PyTorch's torch.nn.functional.cross_entropy
(label_smoothing=eps); 'non-target' cases, which PyTorch has no equivalent of,
from the formula in float64 torch ops, with gradients from autograd.

Run from the repository root with the system Python that has PyTorch:

    /usr/bin/python3 apps/conformance/scripts/generate_cases.py

The output is deterministic: random inputs come from a generator seeded per
case (CRC-32 of the case name). Random logits, probabilities, weights and
upstream values are rounded to short binary fractions, so they are exactly
representable in float32 and the float32 library sees the same inputs.
CI never runs this script; it only reads the committed JSON.
"""

import json
import math
import os
import sys
import zlib
from collections import Counter

import torch
import torch.nn.functional as F

DTYPE = torch.float64
INF = float('inf')
NAN = float('nan')
GROUPS = ('index', 'probability', 'weights', 'ignore', 'layout', 'edge', 'non-target', 'numerics', 'reported')

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
OUTPUT = os.path.join(REPO_ROOT, 'apps', 'conformance', 'cases', 'cases.json')

# Labels gradient from PyTorch that disagreed with the closed form, by case name.
LABEL_GRADIENT_MISMATCHES = []


# ---------------------------------------------------------------------------
# Seeded inputs


def generator_for(name):
    gen = torch.Generator()
    gen.manual_seed(zlib.crc32(name.encode('utf-8')))
    return gen


def quantize(tensor, step=1.0 / 256):
    """Rounds to multiples of `step` (a power of two), exact in float32 for small magnitudes."""
    return torch.round(tensor / step) * step


def random_logits(gen, shape, scale=3.0):
    return quantize(torch.randn(shape, generator=gen, dtype=DTYPE) * scale)


def random_indices(gen, shape, num_classes):
    return torch.randint(0, num_classes, shape, generator=gen, dtype=torch.long)


def random_probabilities(gen, shape, class_axis):
    """Soft labels summing to 1 along the class axis (up to the float32 rounding)."""
    raw = torch.randn(shape, generator=gen, dtype=DTYPE) * 1.5
    probs = torch.softmax(raw, dim=class_axis)
    return probs.to(torch.float32).to(DTYPE)


def random_unnormalized(gen, shape):
    """Non-negative labels that do not sum to 1."""
    return quantize(torch.rand(shape, generator=gen, dtype=DTYPE) * 1.5, 1.0 / 1024)


def one_hot(indices, num_classes, class_axis):
    hot = F.one_hot(indices, num_classes).to(DTYPE)
    return hot.movedim(-1, class_axis)


def random_upstream(gen, shape):
    return quantize(0.5 + 1.5 * torch.rand(shape, generator=gen, dtype=DTYPE))


def t(values, dtype=DTYPE):
    return torch.tensor(values, dtype=dtype)


def idx(values):
    return torch.tensor(values, dtype=torch.long)


# ---------------------------------------------------------------------------
# Loss computations


def normalize_axis(class_axis, rank):
    return class_axis + rank if class_axis < 0 else class_axis


def uniform_loss(logits, labels, kind, eps, weight, ignore_index, reduction, axis):
    """PyTorch's cross_entropy, with the class axis moved to dim 1 (inputs of rank >= 2)."""
    rank = logits.dim()
    if rank >= 2 and axis != 1:
        x = logits.movedim(axis, 1)
        target = labels.movedim(axis, 1) if kind == 'probability' else labels
    else:
        x = logits
        target = labels
    kwargs = dict(weight=weight, reduction=reduction, label_smoothing=eps)
    if kind == 'index':
        kwargs['ignore_index'] = ignore_index
    return F.cross_entropy(x, target, **kwargs)


def non_target_losses(logits, labels, kind, eps, weight, ignore_index, axis):
    """Per-position 'non-target' losses and each position's 'mean' denominator share."""
    num_classes = logits.shape[axis]
    x = logits.movedim(axis, -1)
    lp = torch.log_softmax(x, dim=-1)
    w = weight if weight is not None else torch.ones(num_classes, dtype=DTYPE)
    other = eps / (num_classes - 1)
    if kind == 'index':
        valid = labels != ignore_index
        safe = torch.where(valid, labels, torch.zeros_like(labels))
        hot = F.one_hot(safe, num_classes).to(DTYPE)
        q = (1 - eps) * hot + other * (1 - hot)
        wq = w * q * valid.unsqueeze(-1).to(DTYPE)
        share = w[safe] * valid.to(DTYPE)
    else:
        target = labels.movedim(axis, -1)
        q = (1 - eps) * target + other * (1 - target)
        wq = w * q
        share = torch.ones(x.shape[:-1], dtype=DTYPE)
    # A class with zero weighted target contributes nothing, even at a -Infinity logit.
    terms = torch.where(wq == 0, torch.zeros_like(lp), -wq * lp)
    return terms.sum(dim=-1), share


def loss_for(case, logits, labels, reduction):
    kind, eps, weight, ignore_index, axis = (
        case['kind'], case['eps'], case['weight'], case['ignore_index'], case['axis'])
    if case['mode'] == 'uniform':
        return uniform_loss(logits, labels, kind, eps, weight, ignore_index, reduction, axis)
    losses, share = non_target_losses(logits, labels, kind, eps, weight, ignore_index, axis)
    if reduction == 'none':
        return losses
    if reduction == 'sum':
        return losses.sum()
    return losses.sum() / share.sum()


def run(case, reduction, upstream):
    """Loss value and gradients (logits, labels or None) of one reduction."""
    logits = case['logits'].clone().requires_grad_(True)
    labels = case['labels'].clone()
    if case['kind'] == 'probability':
        labels.requires_grad_(True)
    loss = loss_for(case, logits, labels, reduction)
    objective = (loss * upstream).sum() if reduction == 'none' else loss
    objective.backward()
    labels_grad = labels.grad.detach().clone() if case['kind'] == 'probability' else None
    return loss.detach().clone(), logits.grad.detach().clone(), labels_grad


def closed_form_labels_gradient(case, scale):
    """∂ℓ/∂t_c = -slope·w_c·lp_c times each position's scale (upstream, 1 or 1/N)."""
    axis, eps = case['axis'], case['eps']
    logits = case['logits']
    num_classes = logits.shape[axis]
    lp = torch.log_softmax(logits, dim=axis)
    slope = (1 - eps) if case['mode'] == 'uniform' else (1 - eps - eps / (num_classes - 1))
    w = case['weight'] if case['weight'] is not None else torch.ones(num_classes, dtype=DTYPE)
    w_shape = [1] * logits.dim()
    w_shape[axis] = num_classes
    if not torch.is_tensor(scale):
        scale = torch.full(positions_shape(logits.shape, axis), float(scale), dtype=DTYPE)
    return -slope * w.view(w_shape) * lp * scale.unsqueeze(axis)


def same_values(a, b, tol=1e-12):
    if a.shape != b.shape:
        return False
    for x, y in zip(a.reshape(-1).tolist(), b.reshape(-1).tolist()):
        if math.isnan(x) or math.isnan(y):
            if not (math.isnan(x) and math.isnan(y)):
                return False
        elif math.isinf(x) or math.isinf(y):
            if x != y:
                return False
        elif abs(x - y) > tol * max(1.0, abs(x), abs(y)):
            return False
    return True


def positions_shape(shape, axis):
    return [size for a, size in enumerate(shape) if a != axis]


# ---------------------------------------------------------------------------
# Serialization


def num(value):
    value = float(value)
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    return value


def flat(tensor):
    return [num(v) for v in tensor.reshape(-1).tolist()]


def build_case(spec):
    name = spec['name']
    gen = generator_for(name + '/upstream')
    logits = spec['logits'].to(DTYPE)
    rank = logits.dim()
    axis = normalize_axis(spec.get('classAxis', -1), rank)
    labels = spec['labels']
    kind = 'index' if labels.dtype == torch.long else 'probability'
    if kind == 'probability':
        assert list(labels.shape) == list(logits.shape), name
    else:
        assert list(labels.shape) == positions_shape(logits.shape, axis), name
    eps = spec.get('smoothing', 0.1)
    mode = spec.get('smoothingMode', 'uniform')
    weight = t(spec['weight']) if 'weight' in spec else None
    ignore_index = spec.get('ignoreIndex', -100)
    pos_shape = positions_shape(logits.shape, axis)
    upstream = t(spec['upstream']).reshape(pos_shape) if 'upstream' in spec else random_upstream(gen, pos_shape)

    case = dict(kind=kind, eps=eps, mode=mode, weight=weight, ignore_index=ignore_index,
                axis=axis, logits=logits, labels=labels.to(DTYPE) if kind == 'probability' else labels)

    results = {}
    for reduction in ('none', 'mean', 'sum'):
        results[reduction] = run(case, reduction, upstream)
    none_losses = results['none'][0]
    assert list(none_losses.shape) == pos_shape, (name, none_losses.shape, pos_shape)

    labels_grads = None
    if kind == 'probability':
        num_positions = max(1, int(torch.tensor(pos_shape).prod().item())) if pos_shape else 1
        scales = {'none': upstream, 'sum': 1.0, 'mean': 1.0 / num_positions}
        labels_grads = {}
        for reduction in ('mean', 'sum', 'none'):
            from_torch = results[reduction][2]
            formula = closed_form_labels_gradient(case, scales[reduction])
            if not same_values(from_torch, formula, 1e-10):
                LABEL_GRADIENT_MISMATCHES.append('%s (%s)' % (name, reduction))
                labels_grads[reduction] = formula
            else:
                labels_grads[reduction] = from_torch

    options = {}
    for key in ('smoothing', 'smoothingMode', 'weight', 'ignoreIndex', 'classAxis'):
        if key in spec:
            options[key] = spec[key]
    assert not (kind == 'probability' and 'ignoreIndex' in options), name
    if 'weight' in options:
        options['weight'] = [num(v) for v in options['weight']]

    labels_json = {'shape': list(labels.shape), 'dtype': 'int32' if kind == 'index' else 'float32'}
    labels_json['values'] = [int(v) for v in labels.reshape(-1).tolist()] if kind == 'index' else flat(labels)

    expected = {
        'none': {'shape': pos_shape, 'values': flat(none_losses)},
        'mean': num(results['mean'][0]),
        'sum': num(results['sum'][0]),
        'logitsGradient': {r: flat(results[r][1]) for r in ('mean', 'sum', 'none')},
    }
    if labels_grads is not None:
        expected['labelsGradient'] = {r: flat(labels_grads[r]) for r in ('mean', 'sum', 'none')}

    return {
        'name': name,
        'group': spec['group'],
        'description': spec['description'],
        'logits': {'shape': list(logits.shape), 'values': flat(logits)},
        'labels': labels_json,
        'options': options,
        'upstream': {'shape': pos_shape, 'values': flat(upstream)},
        'expected': expected,
    }


def dumps(value, indent=0):
    """JSON with objects indented and arrays of scalars on one line."""
    pad = '  ' * indent
    if isinstance(value, dict):
        if not value:
            return '{}'
        items = ['%s  %s: %s' % (pad, json.dumps(k), dumps(v, indent + 1)) for k, v in value.items()]
        return '{\n' + ',\n'.join(items) + '\n' + pad + '}'
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return '[' + ', '.join(json.dumps(v, allow_nan=False) for v in value) + ']'
        items = ['%s  %s' % (pad, dumps(v, indent + 1)) for v in value]
        return '[\n' + ',\n'.join(items) + '\n' + pad + ']'
    return json.dumps(value, allow_nan=False)


# ---------------------------------------------------------------------------
# Cases


def case_specs():
    specs = []

    def add(name, group, description, logits, labels, **options):
        specs.append(dict(name=name, group=group, description=description, logits=logits, labels=labels, **options))

    def g(name):
        return generator_for(name)

    # --- index -------------------------------------------------------------
    n = 'index-uniform-basic'
    r = g(n)
    add(n, 'index', 'Index labels with uniform smoothing 0.2 on a [4, 5] batch.',
        random_logits(r, [4, 5]), random_indices(r, [4], 5), smoothing=0.2, smoothingMode='uniform')

    n = 'index-default-options'
    r = g(n)
    add(n, 'index', 'Index labels with no options set: smoothing 0.1, uniform, ignoreIndex -100, classes last.',
        random_logits(r, [3, 4]), random_indices(r, [3], 4))

    n = 'index-uniform-eps-0'
    r = g(n)
    add(n, 'index', 'Smoothing 0 reduces to plain cross-entropy with index labels.',
        random_logits(r, [4, 5]), random_indices(r, [4], 5), smoothing=0.0, smoothingMode='uniform')

    n = 'index-uniform-eps-1'
    r = g(n)
    add(n, 'index', 'Smoothing 1 puts all target mass uniformly on every class, ignoring the labels.',
        random_logits(r, [4, 5]), random_indices(r, [4], 5), smoothing=1.0, smoothingMode='uniform')

    n = 'index-uniform-rank1'
    r = g(n)
    add(n, 'index', 'Rank-1 logits [C] with a scalar index label (one sample).',
        random_logits(r, [6]), idx(4), smoothing=0.15, smoothingMode='uniform')

    n = 'index-uniform-c2-batch'
    r = g(n)
    add(n, 'index', 'Two classes, eight samples, smoothing 0.05.',
        random_logits(r, [8, 2]), random_indices(r, [8], 2), smoothing=0.05, smoothingMode='uniform')

    # --- probability ---------------------------------------------------------
    n = 'probability-uniform-soft'
    r = g(n)
    add(n, 'probability', 'Soft probability labels summing to 1 with uniform smoothing 0.1.',
        random_logits(r, [4, 5]), random_probabilities(r, [4, 5], 1), smoothing=0.1, smoothingMode='uniform')

    n = 'probability-uniform-one-hot'
    r = g(n)
    add(n, 'probability', 'One-hot probability labels with smoothing 0.2 (equal to the index-label loss).',
        random_logits(r, [4, 5]), one_hot(random_indices(r, [4], 5), 5, 1), smoothing=0.2, smoothingMode='uniform')

    n = 'probability-uniform-unnormalized'
    r = g(n)
    add(n, 'probability', 'Non-normalized non-negative probability labels (rows do not sum to 1), smoothing 0.15.',
        random_logits(r, [4, 5]), random_unnormalized(r, [4, 5]), smoothing=0.15, smoothingMode='uniform')

    n = 'probability-uniform-eps-0'
    r = g(n)
    add(n, 'probability', 'Soft probability labels without smoothing.',
        random_logits(r, [3, 4]), random_probabilities(r, [3, 4], 1), smoothing=0.0, smoothingMode='uniform')

    n = 'probability-uniform-eps-1'
    r = g(n)
    add(n, 'probability', 'Smoothing 1 with probability labels: targets are 1/C and the labels gradient is 0.',
        random_logits(r, [3, 4]), random_probabilities(r, [3, 4], 1), smoothing=1.0, smoothingMode='uniform')

    n = 'probability-uniform-rank1'
    r = g(n)
    add(n, 'probability', 'Rank-1 logits [C] with probability labels [C].',
        random_logits(r, [5]), random_probabilities(r, [5], 0), smoothing=0.1, smoothingMode='uniform')

    n = 'probability-uniform-zero-row'
    r = g(n)
    labels = random_probabilities(r, [3, 4], 1)
    labels[1] = 0.0
    add(n, 'probability', 'A position whose probability labels are all 0 still gets the smoothing mass.',
        random_logits(r, [3, 4]), labels, smoothing=0.2, smoothingMode='uniform')

    # --- weights -------------------------------------------------------------
    n = 'weights-index-uniform'
    r = g(n)
    add(n, 'weights', 'Index labels with class weights; mean divides by the sum of the target weights.',
        random_logits(r, [5, 4]), random_indices(r, [5], 4), smoothing=0.1, smoothingMode='uniform',
        weight=[0.5, 2.0, 1.0, 0.25])

    n = 'weights-index-eps-0'
    r = g(n)
    add(n, 'weights', 'Class weights without smoothing (weighted nll).',
        random_logits(r, [5, 4]), random_indices(r, [5], 4), smoothing=0.0, smoothingMode='uniform',
        weight=[1.5, 0.75, 3.0, 1.0])

    n = 'weights-index-zero-weight-class'
    r = g(n)
    add(n, 'weights', 'A class with weight 0 that some labels use: its positions leave the mean denominator but keep their smoothing term.',
        random_logits(r, [5, 3]), idx([1, 0, 1, 2, 1]), smoothing=0.2, smoothingMode='uniform',
        weight=[1.0, 0.0, 2.0])

    n = 'weights-probability-soft'
    r = g(n)
    add(n, 'weights', 'Soft probability labels with class weights; mean divides by the number of positions.',
        random_logits(r, [5, 4]), random_probabilities(r, [5, 4], 1), smoothing=0.1, smoothingMode='uniform',
        weight=[0.5, 2.0, 1.0, 0.25])

    n = 'weights-probability-unnormalized'
    r = g(n)
    add(n, 'weights', 'Non-normalized probability labels with class weights and smoothing 0.3.',
        random_logits(r, [4, 3]), random_unnormalized(r, [4, 3]), smoothing=0.3, smoothingMode='uniform',
        weight=[2.0, 0.125, 1.25])

    n = 'weights-random'
    r = g(n)
    add(n, 'weights', 'Random positive class weights on a [6, 7] batch with smoothing 0.25.',
        random_logits(r, [6, 7]), random_indices(r, [6], 7), smoothing=0.25, smoothingMode='uniform',
        weight=quantize(0.1 + 2 * torch.rand(7, generator=r, dtype=DTYPE), 1.0 / 64).tolist())

    # --- ignore --------------------------------------------------------------
    n = 'ignore-default'
    r = g(n)
    add(n, 'ignore', 'Default ignoreIndex -100 on some positions: zero loss, zero gradient, not in the mean.',
        random_logits(r, [5, 4]), idx([2, -100, 0, -100, 3]), smoothing=0.1, smoothingMode='uniform')

    n = 'ignore-custom-negative'
    r = g(n)
    add(n, 'ignore', 'Custom ignoreIndex -1.',
        random_logits(r, [5, 4]), idx([-1, 1, 3, -1, 0]), smoothing=0.2, smoothingMode='uniform', ignoreIndex=-1)

    n = 'ignore-equals-class-0'
    r = g(n)
    add(n, 'ignore', 'ignoreIndex 0 equals a real class id: positions labelled 0 are ignored.',
        random_logits(r, [6, 4]), idx([0, 1, 0, 3, 2, 0]), smoothing=0.1, smoothingMode='uniform', ignoreIndex=0)

    n = 'ignore-out-of-range-custom'
    r = g(n)
    add(n, 'ignore', 'Custom ignoreIndex 255 (out of the class range), as in segmentation.',
        random_logits(r, [5, 3]), idx([255, 2, 1, 255, 0]), smoothing=0.1, smoothingMode='uniform', ignoreIndex=255)

    n = 'ignore-with-weights'
    r = g(n)
    add(n, 'ignore', 'Class weights with ignored positions: mean divides by the target weights of the kept positions.',
        random_logits(r, [6, 4]), idx([3, -100, 1, 0, -100, 2]), smoothing=0.15, smoothingMode='uniform',
        weight=[0.5, 2.0, 1.0, 0.25])

    n = 'ignore-class-0-with-weights'
    r = g(n)
    add(n, 'ignore', 'ignoreIndex 0 with class weights: class 0 still has a weight in the smoothing term of other positions.',
        random_logits(r, [5, 3]), idx([0, 2, 1, 0, 1]), smoothing=0.3, smoothingMode='uniform', ignoreIndex=0,
        weight=[4.0, 1.0, 0.5])

    n = 'ignore-all'
    r = g(n)
    add(n, 'ignore', 'Every position ignored: mean is NaN (0/0), sum is 0.',
        random_logits(r, [3, 4]), idx([-100, -100, -100]), smoothing=0.1, smoothingMode='uniform')

    n = 'ignore-all-with-weights'
    r = g(n)
    add(n, 'ignore', 'Every position ignored with class weights and a custom ignoreIndex.',
        random_logits(r, [3, 4]), idx([7, 7, 7]), smoothing=0.2, smoothingMode='uniform', ignoreIndex=7,
        weight=[1.0, 2.0, 0.5, 3.0])

    n = 'ignore-rank3-class-axis-1'
    r = g(n)
    labels = random_indices(r, [2, 3], 4)
    labels[0, 1] = -100
    labels[1, 2] = -100
    add(n, 'ignore', 'Ignored positions in a rank-3 [N, C, L] input with classAxis 1.',
        random_logits(r, [2, 4, 3]), labels, smoothing=0.1, smoothingMode='uniform', classAxis=1)

    # --- layout --------------------------------------------------------------
    n = 'layout-rank3-class-last'
    r = g(n)
    add(n, 'layout', 'Rank-3 [N, L, C] logits with classAxis -1.',
        random_logits(r, [2, 3, 4]), random_indices(r, [2, 3], 4), smoothing=0.1, smoothingMode='uniform', classAxis=-1)

    n = 'layout-rank3-class-axis-1'
    r = g(n)
    add(n, 'layout', 'Rank-3 [N, C, L] logits with classAxis 1 (PyTorch layout).',
        random_logits(r, [2, 4, 3]), random_indices(r, [2, 3], 4), smoothing=0.1, smoothingMode='uniform', classAxis=1)

    n = 'layout-rank3-class-axis-0'
    r = g(n)
    add(n, 'layout', 'Rank-3 [C, A, B] logits with classAxis 0.',
        random_logits(r, [4, 2, 3]), random_indices(r, [2, 3], 4), smoothing=0.2, smoothingMode='uniform', classAxis=0)

    n = 'layout-rank3-class-axis-2'
    r = g(n)
    add(n, 'layout', 'Rank-3 logits with the positive classAxis 2 (the last axis).',
        random_logits(r, [3, 2, 5]), random_indices(r, [3, 2], 5), smoothing=0.1, smoothingMode='uniform', classAxis=2,
        weight=[1.0, 0.5, 2.0, 1.5, 0.25])

    n = 'layout-rank4-class-last'
    r = g(n)
    add(n, 'layout', 'Rank-4 [N, H, W, C] logits with classAxis -1.',
        random_logits(r, [2, 2, 3, 4]), random_indices(r, [2, 2, 3], 4), smoothing=0.1, smoothingMode='uniform',
        classAxis=-1)

    n = 'layout-rank4-class-axis-1'
    r = g(n)
    add(n, 'layout', 'Rank-4 [N, C, H, W] logits with classAxis 1.',
        random_logits(r, [2, 4, 2, 3]), random_indices(r, [2, 2, 3], 4), smoothing=0.1, smoothingMode='uniform',
        classAxis=1)

    n = 'layout-rank4-class-axis-1-weights-ignore'
    r = g(n)
    labels = random_indices(r, [2, 2, 3], 3)
    labels[0, 0, 0] = -100
    labels[1, 1, 2] = -100
    labels[1, 0, 1] = -100
    add(n, 'layout', 'Rank-4 [N, C, H, W] logits with classAxis 1, class weights and ignored positions.',
        random_logits(r, [2, 3, 2, 3]), labels, smoothing=0.2, smoothingMode='uniform', classAxis=1,
        weight=[0.75, 2.0, 1.25])

    n = 'layout-rank3-class-axis-1-probability'
    r = g(n)
    add(n, 'layout', 'Rank-3 [N, C, L] probability labels with classAxis 1.',
        random_logits(r, [2, 4, 3]), random_probabilities(r, [2, 4, 3], 1), smoothing=0.1, smoothingMode='uniform',
        classAxis=1)

    n = 'layout-rank3-class-last-probability'
    r = g(n)
    add(n, 'layout', 'Rank-3 [N, L, C] probability labels with classAxis -1 and class weights.',
        random_logits(r, [2, 3, 4]), random_probabilities(r, [2, 3, 4], 2), smoothing=0.1, smoothingMode='uniform',
        classAxis=-1, weight=[1.0, 0.5, 2.0, 1.5])

    n = 'layout-rank4-class-axis-1-probability-weights'
    r = g(n)
    add(n, 'layout', 'Rank-4 [N, C, H, W] probability labels with classAxis 1 and class weights.',
        random_logits(r, [2, 3, 2, 2]), random_probabilities(r, [2, 3, 2, 2], 1), smoothing=0.25,
        smoothingMode='uniform', classAxis=1, weight=[0.5, 1.0, 3.0])

    n = 'layout-rank3-class-axis-0-probability'
    r = g(n)
    add(n, 'layout', 'Rank-3 [C, A, B] non-normalized probability labels with classAxis 0.',
        random_logits(r, [3, 2, 2]), random_unnormalized(r, [3, 2, 2]), smoothing=0.1, smoothingMode='uniform',
        classAxis=0)

    # --- edge ----------------------------------------------------------------
    add('edge-empty-batch-index', 'edge', 'Empty batch [0, 5] with index labels: mean NaN, sum 0, empty gradients.',
        torch.zeros(0, 5, dtype=DTYPE), torch.zeros(0, dtype=torch.long), smoothing=0.1, smoothingMode='uniform')

    add('edge-empty-batch-probability', 'edge',
        'Empty batch [0, 5] with probability labels: mean NaN, sum 0, empty gradients.',
        torch.zeros(0, 5, dtype=DTYPE), torch.zeros(0, 5, dtype=DTYPE), smoothing=0.1, smoothingMode='uniform')

    n = 'edge-c1-index'
    r = g(n)
    add(n, 'edge', 'One class (C = 1): every loss and gradient is 0 for any smoothing.',
        random_logits(r, [3, 1]), idx([0, 0, 0]), smoothing=0.3, smoothingMode='uniform')

    n = 'edge-c1-probability'
    r = g(n)
    add(n, 'edge', 'One class (C = 1) with probability labels: loss 0, labels gradient 0.',
        random_logits(r, [3, 1]), t([[1.0], [0.5], [2.0]]), smoothing=0.3, smoothingMode='uniform')

    n = 'edge-single-position-weights'
    r = g(n)
    add(n, 'edge', 'One position with class weights: mean equals the loss divided by the target weight.',
        random_logits(r, [1, 4]), idx([3]), smoothing=0.1, smoothingMode='uniform', weight=[1.0, 1.0, 1.0, 2.5])

    n = 'edge-rank1-weights-eps-1'
    r = g(n)
    add(n, 'edge', 'Rank-1 logits with class weights and smoothing 1.',
        random_logits(r, [4]), idx(1), smoothing=1.0, smoothingMode='uniform', weight=[0.5, 2.0, 1.0, 0.25])

    n = 'edge-equal-logits'
    add(n, 'edge', 'All logits equal: the loss is log C for every position whatever the smoothing.',
        torch.zeros(3, 6, dtype=DTYPE), idx([0, 5, 2]), smoothing=0.4, smoothingMode='uniform')

    # --- numerics --------------------------------------------------------------
    n = 'numerics-large-c'
    r = g(n)
    add(n, 'numerics', 'Large class count [2, 5000] with random logits.',
        random_logits(r, [2, 5000]), random_indices(r, [2], 5000), smoothing=0.1, smoothingMode='uniform')

    add('numerics-logits-1e4-apart', 'numerics', 'Logits 1e4 apart: the softmax saturates but losses stay finite.',
        t([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4], [-1e4, 0.0, 1e4]]), idx([1, 1, 2]), smoothing=0.1,
        smoothingMode='uniform')

    add('numerics-logits-large-offset', 'numerics',
        'Logits near 1e4 (small differences on a large offset) exercise the max shift.',
        t([[10000.0, 10001.5, 9999.25, 10000.5], [-10000.0, -9998.0, -10001.0, -10000.25]]), idx([2, 1]),
        smoothing=0.2, smoothingMode='uniform')

    add('numerics-inf-mask-eps-0', 'numerics',
        '-Infinity masks on non-target classes without smoothing: no mass on the masked classes, finite loss.',
        t([[-INF, 0.5, 1.5, -INF], [2.0, -INF, -1.0, 0.25], [0.0, 0.0, -INF, 1.0]]), idx([2, 0, 3]),
        smoothing=0.0, smoothingMode='uniform')

    add('numerics-inf-mask-with-mass', 'numerics',
        '-Infinity masks with uniform smoothing 0.1: the masked classes get mass, so the loss is +Infinity.',
        t([[-INF, 0.5, 1.5, -INF], [2.0, -1.0, -1.0, 0.25], [0.0, 0.0, -INF, 1.0]]), idx([2, 0, 3]),
        smoothing=0.1, smoothingMode='uniform')

    add('numerics-inf-mask-probability-with-mass', 'numerics',
        '-Infinity mask with probability labels and smoothing: the masked class gets mass eps/C, loss +Infinity.',
        t([[-INF, 0.5, 1.5], [2.0, -1.0, 0.5]]), t([[0.0, 0.25, 0.75], [0.5, 0.0, 0.5]]),
        smoothing=0.1, smoothingMode='uniform')

    n = 'numerics-nan-row'
    r = g(n)
    logits = random_logits(r, [4, 3])
    logits[2, 1] = NAN
    add(n, 'numerics', 'NaN in one row of logits: that row\'s loss is NaN, the other rows stay finite.',
        logits, random_indices(r, [4], 3), smoothing=0.1, smoothingMode='uniform')

    add('numerics-one-finite-logit-eps-0', 'numerics',
        'Rows of all -Infinity but one finite value labelled there, no smoothing: loss 0.',
        t([[-INF, -INF, 2.5, -INF], [-INF, -7.0, -INF, -INF]]), idx([2, 1]), smoothing=0.0, smoothingMode='uniform')

    add('numerics-one-finite-logit-smoothing', 'numerics',
        'A row of all -Infinity but one finite value with smoothing 0.1: the loss is +Infinity.',
        t([[-INF, -INF, 2.5, -INF], [0.5, 1.0, -0.5, 0.0]]), idx([2, 1]), smoothing=0.1, smoothingMode='uniform')

    add('numerics-one-finite-logit-target-masked', 'numerics',
        'Label on a -Infinity class of a row whose only finite logit is elsewhere, no smoothing: +Infinity.',
        t([[-INF, -INF, 2.5, -INF], [0.5, 1.0, -0.5, 0.0]]), idx([0, 3]), smoothing=0.0, smoothingMode='uniform')

    add('numerics-tiny-probabilities', 'numerics',
        'Target class 60 logits below the maximum: log-probabilities near -60 without underflow in the loss.',
        t([[30.0, -30.0, 0.0], [-30.0, 30.0, 29.5]]), idx([1, 0]), smoothing=0.05, smoothingMode='uniform',
        weight=[1.0, 2.0, 0.5])

    add('numerics-probability-labels-gradient-near-1e4', 'numerics',
        'Probability labels with logits near 1e4: the labels gradient needs log-probabilities formed as '
        '(x - max) - log-sum-exp of the shifted logits, because a float32 log-sum-exp near 1e4 is off by up to 5e-4.',
        t([[10000.0, 10000.0, 9999.5], [-10000.0, -9999.75, -10000.5]]),
        t([[0.25, 0.5, 0.25], [0.125, 0.75, 0.125]]), smoothing=0.1, smoothingMode='uniform')

    # --- non-target ------------------------------------------------------------
    n = 'non-target-index-basic'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing 0.2 with index labels: 1-eps on the target, eps/(C-1) on the others.',
        random_logits(r, [4, 5]), random_indices(r, [4], 5), smoothing=0.2, smoothingMode='non-target')

    n = 'non-target-index-weights'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with class weights; mean divides by the target weights.',
        random_logits(r, [5, 4]), random_indices(r, [5], 4), smoothing=0.1, smoothingMode='non-target',
        weight=[0.5, 2.0, 1.0, 0.25])

    n = 'non-target-index-ignore-weights'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with class weights and default-ignored positions.',
        random_logits(r, [6, 4]), idx([3, -100, 1, 0, -100, 2]), smoothing=0.15, smoothingMode='non-target',
        weight=[0.5, 2.0, 1.0, 0.25])

    n = 'non-target-index-ignore-class-0'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with ignoreIndex 0 equal to a real class id.',
        random_logits(r, [5, 3]), idx([0, 2, 1, 0, 1]), smoothing=0.2, smoothingMode='non-target', ignoreIndex=0)

    n = 'non-target-index-all-ignored'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with every position ignored: mean NaN, sum 0, zero gradients.',
        random_logits(r, [3, 4]), idx([-100, -100, -100]), smoothing=0.1, smoothingMode='non-target')

    n = 'non-target-index-eps-0'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing 0 equals plain cross-entropy.',
        random_logits(r, [4, 5]), random_indices(r, [4], 5), smoothing=0.0, smoothingMode='non-target')

    n = 'non-target-index-eps-1'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing 1: no mass on the target, 1/(C-1) on each other class.',
        random_logits(r, [4, 5]), random_indices(r, [4], 5), smoothing=1.0, smoothingMode='non-target')

    n = 'non-target-index-c2'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with two classes (the other class gets all of eps).',
        random_logits(r, [4, 2]), random_indices(r, [4], 2), smoothing=0.1, smoothingMode='non-target')

    n = 'non-target-index-rank1'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing on rank-1 logits with a scalar label.',
        random_logits(r, [5]), idx(0), smoothing=0.2, smoothingMode='non-target')

    n = 'non-target-index-rank3-class-axis-1'
    r = g(n)
    labels = random_indices(r, [2, 3], 4)
    labels[1, 0] = -100
    add(n, 'non-target', 'Non-target smoothing on rank-3 [N, C, L] logits with classAxis 1 and an ignored position.',
        random_logits(r, [2, 4, 3]), labels, smoothing=0.1, smoothingMode='non-target', classAxis=1)

    n = 'non-target-index-rank4-class-last'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing on rank-4 [N, H, W, C] logits with class weights.',
        random_logits(r, [2, 2, 2, 3]), random_indices(r, [2, 2, 2], 3), smoothing=0.3, smoothingMode='non-target',
        classAxis=-1, weight=[1.0, 0.5, 2.0])

    n = 'non-target-probability-soft'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with soft probability labels: q = (1-eps)t + eps/(C-1)(1-t).',
        random_logits(r, [4, 5]), random_probabilities(r, [4, 5], 1), smoothing=0.2, smoothingMode='non-target')

    n = 'non-target-probability-weights-unnormalized'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with non-normalized probability labels and class weights.',
        random_logits(r, [4, 3]), random_unnormalized(r, [4, 3]), smoothing=0.1, smoothingMode='non-target',
        weight=[2.0, 0.5, 1.0])

    n = 'non-target-probability-rank3-class-axis-1'
    r = g(n)
    add(n, 'non-target', 'Non-target smoothing with probability labels on rank-3 [N, C, L] logits, classAxis 1.',
        random_logits(r, [2, 3, 2]), random_probabilities(r, [2, 3, 2], 1), smoothing=0.25,
        smoothingMode='non-target', classAxis=1)

    add('non-target-inf-mask-with-mass', 'non-target',
        'Non-target smoothing with a -Infinity logit on a non-target class: it gets eps/(C-1), loss +Infinity.',
        t([[-INF, 0.5, 1.5], [2.0, -1.0, 0.5]]), idx([2, 0]), smoothing=0.1, smoothingMode='non-target')

    add('non-target-inf-mask-zero-weight', 'non-target',
        'Non-target smoothing with a -Infinity logit on a class of weight 0: no mass there, so the loss is finite.',
        t([[-INF, 0.5, 1.5], [-INF, -1.0, 0.5]]), idx([2, 1]), smoothing=0.1, smoothingMode='non-target',
        weight=[0.0, 1.0, 2.0])

    add('non-target-inf-mask-eps-0', 'non-target',
        'Non-target mode with smoothing 0 and -Infinity masks on non-target classes: finite loss.',
        t([[-INF, 0.5, 1.5, -INF], [2.0, -INF, -1.0, 0.25]]), idx([2, 0]), smoothing=0.0, smoothingMode='non-target')

    add('non-target-empty-batch', 'non-target', 'Non-target smoothing on an empty batch [0, 5]: mean NaN, sum 0.',
        torch.zeros(0, 5, dtype=DTYPE), torch.zeros(0, dtype=torch.long), smoothing=0.1, smoothingMode='non-target')

    # --- reported --------------------------------------------------------------
    add('reported-ignore-index-mean', 'reported',
        'Ignored position in a smoothed batch: mean divides by the two kept positions only.',
        t([[2, 0.5, -1], [0, 3, 1], [1, 1, 1]]), idx([0, -100, 2]), smoothing=0.2, smoothingMode='uniform')

    add('reported-weights-ignore-mean', 'reported',
        'Class weights with an ignored position: mean divides by the kept positions\' target weights.',
        t([[0.5, -0.5], [1.5, 0], [0.2, 0.3]]), idx([1, -100, 0]), smoothing=0.1, smoothingMode='uniform',
        weight=[0.5, 2])

    add('reported-weights-smoothing-single', 'reported',
        'Smoothing term weighted per class while the mean divides by the target weight only.',
        t([[2, 0]]), idx([0]), smoothing=0.2, smoothingMode='uniform', weight=[1, 4])

    add('reported-weights-index-mean', 'reported',
        'Weighted smoothed loss with index labels: mean divides by the sum of target weights.',
        t([[1, 0, -1], [0.5, 0.5, 2]]), idx([0, 2]), smoothing=0.1, smoothingMode='uniform', weight=[2, 1, 0.5])

    add('reported-weights-probability-mean', 'reported',
        'The same weighted loss with one-hot probability labels: mean divides by the number of positions.',
        t([[1, 0, -1], [0.5, 0.5, 2]]), t([[1, 0, 0], [0, 0, 1]]), smoothing=0.1, smoothingMode='uniform',
        weight=[2, 1, 0.5])

    add('reported-class-last-rank3', 'reported',
        'Rank-3 logits with the classes on the last axis, per-position losses.',
        t([[[1, 2, 3], [0, 0, 0]]]), idx([[2, 0]]), smoothing=0.3, smoothingMode='uniform', classAxis=-1)

    add('reported-inf-mask-eps-0', 'reported',
        'A -Infinity logit without smoothing gives a finite loss and a zero gradient on the masked class.',
        t([[-INF, 0, 1]]), idx([2]), smoothing=0.0, smoothingMode='uniform')

    add('reported-inf-mask-smoothing', 'reported',
        'A -Infinity logit with smoothing 0.1 gives +Infinity loss with a finite gradient.',
        t([[-INF, 0, 1]]), idx([2]), smoothing=0.1, smoothingMode='uniform')

    add('reported-none-upstream-ignore', 'reported',
        'Gradient of a weighted sum of per-position losses with an ignored position, no smoothing.',
        t([[1, 2, 3], [0, 0, 0]]), idx([2, -100]), smoothing=0.0, smoothingMode='uniform', upstream=[0.5, 2])

    add('reported-all-ignored', 'reported',
        'All positions ignored with smoothing: mean NaN, sum 0, gradients all zero.',
        t([[0.3, -0.2, 1.1], [2, 0, 0]]), idx([-100, -100]), smoothing=0.1, smoothingMode='uniform')

    add('reported-two-class-uniform', 'reported',
        'Two classes with uniform smoothing 0.1 (PyTorch convention, eps/C on every class).',
        t([[1, 0]]), idx([0]), smoothing=0.1, smoothingMode='uniform')

    n = 'weights-rank4-classes-last-composite'
    r = g(n)
    add(n, 'weights', 'Class weights with index labels on rank-4 [3, 2, 3, 21] logits, classes last; '
        'the composite fallback once built wrong one-hot targets for it on wasm.',
        random_logits(r, [3, 2, 3, 21]), random_indices(r, [3, 2, 3], 21), smoothing=0.25, smoothingMode='uniform',
        weight=[float(v) for v in quantize(torch.rand(21, generator=r, dtype=DTYPE) * 2, 1.0 / 16)])

    add('reported-two-class-non-target', 'reported',
        'Two classes with non-target smoothing 0.1 (eps/(C-1) on the other class only).',
        t([[1, 0]]), idx([0]), smoothing=0.1, smoothingMode='non-target')

    return specs


# Expected values of the 'reported' cases (PyTorch 1.13), checked to 1e-9.
REPORTED = {
    'reported-ignore-index-mean': {
        'none': [0.5413112967, 0, 1.0986122887], 'mean': 0.8199617927, 'sum': 1.6399235853},
    'reported-weights-ignore-mean': {'none': [2.5030287485, 0, 0.4180280795], 'mean': 1.1684227312},
    'reported-weights-smoothing-single': {'mean': 0.9650064144},
    'reported-weights-index-mean': {'mean': 0.4828002968},
    'reported-weights-probability-mean': {'mean': 0.6035003710},
    'reported-class-last-rank3': {'none': [0.7076059644, 1.0986122887]},
    'reported-inf-mask-eps-0': {
        'mean': 0.3132616875, 'sum': 0.3132616875,
        'grad_mean': [0, 0.2689414214, -0.2689414214], 'grad_sum': [0, 0.2689414214, -0.2689414214]},
    'reported-inf-mask-smoothing': {
        'mean': INF, 'sum': INF,
        'grad_mean': [-0.0333333333, 0.2356080880, -0.2022747547],
        'grad_sum': [-0.0333333333, 0.2356080880, -0.2022747547]},
    'reported-none-upstream-ignore': {'grad_none': [0.0450152866, 0.1223642355, -0.1673795221, 0, 0, 0]},
    'reported-all-ignored': {'mean': NAN, 'sum': 0, 'grad_mean': [0] * 6, 'grad_sum': [0] * 6, 'grad_none': [0] * 6},
    'reported-two-class-uniform': {'none': [0.3632616875], 'mean': 0.3632616875},
    'reported-two-class-non-target': {'none': [0.4132616875], 'mean': 0.4132616875},
}


def close(actual, expected, tol=1e-9):
    if actual in ('NaN', 'Infinity', '-Infinity'):
        return {'NaN': math.isnan, 'Infinity': lambda v: v == INF, '-Infinity': lambda v: v == -INF}[actual](expected)
    if math.isnan(expected) or math.isinf(expected):
        return False
    return abs(actual - expected) <= tol


def check_reported(cases):
    by_name = {c['name']: c for c in cases}
    failures = []
    for name, want in REPORTED.items():
        exp = by_name[name]['expected']
        got = {
            'none': exp['none']['values'], 'mean': exp['mean'], 'sum': exp['sum'],
            'grad_mean': exp['logitsGradient']['mean'], 'grad_sum': exp['logitsGradient']['sum'],
            'grad_none': exp['logitsGradient']['none'],
        }
        for key, value in want.items():
            actual = got[key]
            if isinstance(value, list):
                ok = len(actual) == len(value) and all(close(a, e) for a, e in zip(actual, value))
            else:
                ok = close(actual, value)
            if not ok:
                failures.append('%s %s: generated %r, reported %r' % (name, key, actual, value))
    return failures


def main():
    torch.set_default_dtype(DTYPE)
    cases = [build_case(spec) for spec in case_specs()]

    names = [c['name'] for c in cases]
    assert len(names) == len(set(names)), 'duplicate case names'
    for c in cases:
        assert c['group'] in GROUPS, c['name']

    failures = check_reported(cases)
    if failures:
        print('Reported values disagree with the generated ones:', file=sys.stderr)
        for failure in failures:
            print('  ' + failure, file=sys.stderr)
        sys.exit(1)

    document = {
        'description': 'Label-smoothing cross-entropy conformance cases with expected losses and gradients '
                       'computed in float64 by PyTorch (uniform) or by the formula with autograd (non-target).',
        'generator': 'apps/conformance/scripts/generate_cases.py',
        'torchVersion': torch.__version__,
        'cases': cases,
    }
    text = dumps(document) + '\n'
    json.loads(text)
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, 'w', encoding='utf-8') as handle:
        handle.write(text)

    counts = Counter(c['group'] for c in cases)
    print('Wrote %d cases (%d bytes) to %s' % (len(cases), len(text.encode('utf-8')), os.path.relpath(OUTPUT, REPO_ROOT)))
    for group in GROUPS:
        print('  %-12s %d' % (group, counts.get(group, 0)))
    if LABEL_GRADIENT_MISMATCHES:
        print('PyTorch labels gradient disagreed with -(dq/dt)*w*lp; used the formula for: '
              + ', '.join(LABEL_GRADIENT_MISMATCHES))
    else:
        print('PyTorch labels gradients agree with -(dq/dt)*w*lp*scale in every probability case.')


if __name__ == '__main__':
    main()
