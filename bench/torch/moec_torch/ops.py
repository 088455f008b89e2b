"""PyTorch kernels for moec's op graph (`moec-graph/2`), one function per op kind.

The mirror of runtime/kernels/*.ts: same semantics per op (compiler/graph/ops.ts,
docs/ops.md), written with the natural PyTorch call for each (F.layer_norm,
F.gelu, torch.matmul, ...), so the model runs as idiomatic eager PyTorch and
autograd gives the gradients. Every kernel takes (inputs, attrs, ctx) and returns
one tensor. An op kind missing here is refused when a graph is loaded
(graph_module.py), never skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence

import torch
import torch.nn.functional as F

Tensor = torch.Tensor

_DIM = re.compile(r"^B(?:\*(\d+))?(?:/(\d+))?$")


def concrete_dim(d, batch: int) -> int:
    """A graph dimension (a number, or `B`, `B*49`, `B/2`, `B*49/98`) with the batch substituted."""
    if isinstance(d, (int, float)):
        return int(d)
    m = _DIM.match(d)
    if not m:
        raise ValueError(f"invalid dimension {d!r}")
    num = int(m.group(1) or 1)
    den = int(m.group(2) or 1)
    if (batch * num) % den:
        raise ValueError(f"batch {batch} makes dimension {d} fractional")
    return batch * num // den


@dataclass
class Context:
    """What a kernel may know besides its inputs (runtime/kernels/types.ts KernelContext)."""

    training: bool
    step: int
    batch: int
    node_id: str = ""
    output_shape: Sequence[int] = ()
    generator: torch.Generator | None = None


Kernel = Callable[[List[Tensor], dict, Context], Tensor]


def _axes(attrs) -> List[int]:
    return [int(a) for a in attrs["axes"]]


def _reduce(fn):
    # An empty axis list reduces nothing (as tfjs does); torch would reduce everything.
    def kernel(xs, attrs, ctx):
        axes = _axes(attrs)
        if not axes:
            return xs[0]
        return fn(xs[0], axes, bool(attrs.get("keepDims")))

    return kernel


def _mask(compare):
    def kernel(xs, attrs, ctx):
        with torch.no_grad():
            return compare(xs[0], xs[1]).to(torch.float32)

    return kernel


def _gelu(xs, attrs, ctx):
    return F.gelu(xs[0], approximate="none" if attrs.get("approximate") is False else "tanh")


def _cast(xs, attrs, ctx):
    x = xs[0]
    dtype = attrs["dtype"]
    if dtype == "float32":
        return x.clone() if x.dtype == torch.float32 else x.to(torch.float32)
    if dtype == "int32":
        # float → int truncates toward zero (tfjs does too) and carries no gradient.
        return x.detach().to(torch.int32)
    raise ValueError(f"cast: unsupported dtype {dtype!r} (float32 or int32)")


def _slice(xs, attrs, ctx):
    x = xs[0]
    for axis, (start, size) in enumerate(zip(attrs["begin"], ctx.output_shape)):
        if start != 0 or size != x.shape[axis]:
            x = x.narrow(axis, int(start), int(size))
    return x


def _batch_matmul(xs, attrs, ctx):
    a, b = xs
    if attrs.get("transposeA"):
        a = a.transpose(-1, -2)
    if attrs.get("transposeB"):
        b = b.transpose(-1, -2)
    return torch.matmul(a, b)


def _sorted_desc(x: Tensor, k: int):
    # A stable descending sort orders equal values by lower index first, as moec's top-k does.
    values, indices = torch.sort(x, dim=-1, descending=True, stable=True)
    return values[..., :k], indices[..., :k]


def _top_k_values(xs, attrs, ctx):
    with torch.no_grad():
        return _sorted_desc(xs[0], int(attrs["k"]))[0]


def _top_k_indices(xs, attrs, ctx):
    with torch.no_grad():
        return _sorted_desc(xs[0], int(attrs["k"]))[1].to(torch.int32)


def _argmax(xs, attrs, ctx):
    with torch.no_grad():  # torch returns the first maximal index, as moec does
        return torch.argmax(xs[0], dim=int(attrs["axis"])).to(torch.int32)


def _one_hot(xs, attrs, ctx):
    with torch.no_grad():  # an index outside [0, depth) gives an all-zero row
        depth = int(attrs["depth"])
        positions = torch.arange(depth, dtype=xs[0].dtype)
        return (xs[0].unsqueeze(-1) == positions).to(torch.float32)


def _cumsum(xs, attrs, ctx):
    x = xs[0]
    axis = int(attrs["axis"])
    out = torch.cumsum(x, dim=axis).to(x.dtype)  # torch widens int32 to int64
    if attrs.get("exclusive"):
        n = x.shape[axis]
        zero = torch.zeros_like(x.narrow(axis, 0, 1))
        out = torch.cat([zero, out.narrow(axis, 0, n - 1)], dim=axis)
    return out


def _dropout(xs, attrs, ctx):
    # Inverted dropout with PyTorch's own random stream (moec draws its masks from
    # (seed, stream, step)): the same work, not the same numbers.
    rate = float(attrs["rate"])
    if not ctx.training or rate <= 0:
        return xs[0]
    return F.dropout(xs[0], p=rate, training=True)


def _add_noise(xs, attrs, ctx):
    std = float(attrs["std"])
    if not ctx.training or std == 0:
        return xs[0]
    return xs[0] + std * torch.randn(xs[0].shape, generator=ctx.generator)


def _sinkhorn_plan(xs, attrs, ctx):
    """Log-domain Sinkhorn (ε = 1), g (experts) then f (tokens) per iteration, in float64 (solvers.ts)."""
    with torch.no_grad():
        logits = xs[0].to(torch.float64)
        G, S, E = logits.shape
        log_b = math.log(S / E)
        f = torch.zeros(G, S, 1, dtype=torch.float64)
        g = torch.zeros(G, 1, E, dtype=torch.float64)
        for _ in range(int(attrs["iterations"])):
            g = log_b - torch.logsumexp(logits + f, dim=1, keepdim=True)
            f = -torch.logsumexp(logits + g, dim=2, keepdim=True)
        return torch.exp(f + logits + g).to(torch.float32)


def _sparse_simplex_projection(v: Tensor, k: int) -> Tensor:
    """k-sparse simplex projection along the last axis (solvers.ts sparseSimplexProjection)."""
    values, indices = _sorted_desc(v, k)
    cumsum = torch.cumsum(values, dim=-1)
    i = torch.arange(1, k + 1, dtype=v.dtype)
    holds = (1 / i + values - cumsum / i) > 0
    rho = torch.amax(torch.where(holds, i, torch.zeros_like(i)), dim=-1, keepdim=True)
    rho_cumsum = torch.gather(cumsum, -1, (rho.to(torch.int64) - 1).clamp(min=0))
    projected = torch.clamp(1 / rho + values - rho_cumsum / rho, min=0)
    return torch.zeros_like(v).scatter(-1, indices, projected)


def _sparse_ot_plan(xs, attrs, ctx):
    """Semi-dual k-sparse quadratically regularised OT by Adam, per group, in float64 (solvers.ts)."""
    with torch.no_grad():
        probs = xs[0].to(torch.float64)
        iterations, capacity = int(attrs["iterations"]), int(attrs["capacity"])
        lr, tol, gamma = float(attrs["lr"]), float(attrs["tol"]), float(attrs["gamma"])
        G, S, E = probs.shape
        b = S / E
        by_expert = probs.transpose(1, 2)  # [G,E,S]

        def column_solutions(alpha):
            return _sparse_simplex_projection((by_expert + alpha.unsqueeze(1)) / (gamma * b), capacity)

        alpha = torch.zeros(G, S, dtype=torch.float64)
        m = torch.zeros_like(alpha)
        v = torch.zeros_like(alpha)
        active = torch.ones(G, 1, dtype=torch.float64)
        steps = torch.zeros(G, 1, dtype=torch.float64)
        for _ in range(iterations):
            grad = column_solutions(alpha).sum(dim=1) * b - 1
            norm = torch.sqrt((grad * grad).sum(dim=1, keepdim=True))
            steps = steps + active
            m1 = m * 0.9 + grad * 0.1
            v1 = v * 0.999 + grad * grad * 0.001
            m_hat = m1 / (1 - torch.pow(0.9, steps))
            v_hat = v1 / (1 - torch.pow(0.999, steps))
            alpha1 = alpha - m_hat * lr / (torch.sqrt(v_hat) + 1e-8)
            alpha = torch.where(active > 0, alpha1, alpha)
            m = torch.where(active > 0, m1, m)
            v = torch.where(active > 0, v1, v)
            active = active * (norm > tol).to(torch.float64)
            if not bool(active.any()):
                break
        return (column_solutions(alpha) * b).transpose(1, 2).to(torch.float32)


def _layer_norm(xs, attrs, ctx):
    x, scale, bias = xs
    eps = attrs.get("epsilon")
    return F.layer_norm(x, (x.shape[-1],), scale, bias, 1e-6 if eps is None else float(eps))


KERNELS: Dict[str, Kernel] = {
    # elementwise (numpy broadcasting)
    "add": lambda xs, a, c: xs[0] + xs[1],
    "sub": lambda xs, a, c: xs[0] - xs[1],
    "mul": lambda xs, a, c: xs[0] * xs[1],
    "div": lambda xs, a, c: xs[0] / xs[1],
    "maximum": lambda xs, a, c: torch.maximum(xs[0], xs[1]),
    "minimum": lambda xs, a, c: torch.minimum(xs[0], xs[1]),
    "neg": lambda xs, a, c: -xs[0],
    "exp": lambda xs, a, c: torch.exp(xs[0]),
    "log": lambda xs, a, c: torch.log(xs[0]),
    "sqrt": lambda xs, a, c: torch.sqrt(xs[0]),
    "rsqrt": lambda xs, a, c: torch.rsqrt(xs[0]),
    "square": lambda xs, a, c: torch.square(xs[0]),
    "tanh": lambda xs, a, c: torch.tanh(xs[0]),
    "erf": lambda xs, a, c: torch.erf(xs[0]),
    "sigmoid": lambda xs, a, c: torch.sigmoid(xs[0]),
    "gelu": _gelu,
    "greater": _mask(torch.gt),
    "greater_equal": _mask(torch.ge),
    "less": _mask(torch.lt),
    "equal": _mask(torch.eq),
    "where": lambda xs, a, c: torch.where(xs[0].detach() != 0, xs[1], xs[2]),
    "cast": _cast,
    "stop_gradient": lambda xs, a, c: xs[0].detach(),
    # shape
    "reshape": lambda xs, a, c: xs[0].reshape(tuple(c.output_shape)),
    "transpose": lambda xs, a, c: xs[0].permute(*[int(p) for p in a["perm"]]),
    "slice": _slice,
    "concat": lambda xs, a, c: torch.cat(xs, dim=int(a["axis"])),
    "broadcast_to": lambda xs, a, c: xs[0].expand(tuple(c.output_shape)),
    # products
    "matmul": lambda xs, a, c: torch.matmul(xs[0], xs[1]),
    "batch_matmul": _batch_matmul,
    "expert_matmul": lambda xs, a, c: torch.bmm(xs[0], xs[1]),
    # reductions
    "sum": _reduce(lambda x, axes, keep: torch.sum(x, dim=axes, keepdim=keep)),
    "mean": _reduce(lambda x, axes, keep: torch.mean(x, dim=axes, keepdim=keep)),
    "max": _reduce(lambda x, axes, keep: torch.amax(x, dim=axes, keepdim=keep)),
    "min": _reduce(lambda x, axes, keep: torch.amin(x, dim=axes, keepdim=keep)),
    "logsumexp": lambda xs, a, c: torch.logsumexp(xs[0], dim=int(a["axis"]), keepdim=bool(a.get("keepDims"))),
    # neural-network ops
    "softmax": lambda xs, a, c: torch.softmax(xs[0], dim=-1),
    "log_softmax": lambda xs, a, c: torch.log_softmax(xs[0], dim=-1),
    "layer_norm": _layer_norm,
    "dropout": _dropout,
    "add_noise": _add_noise,
    # selection (no gradient)
    "top_k_values": _top_k_values,
    "top_k_indices": _top_k_indices,
    "argmax": _argmax,
    "one_hot": _one_hot,
    "cumsum": _cumsum,
    # composite solvers (no gradient)
    "sinkhorn_plan": _sinkhorn_plan,
    "sparse_ot_plan": _sparse_ot_plan,
}

#: Sources the module binds itself (graph inputs, parameters, scalar constants).
SOURCE_OPS = frozenset({"input", "param", "constant"})

#: Ops that carry random numbers in training: their results cannot equal moec's bit for bit.
RANDOM_OPS = frozenset({"dropout", "add_noise"})
