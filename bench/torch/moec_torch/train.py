"""moec's training step in PyTorch (runtime/train/optimizer.ts, loss.ts, bench/step.ts).

loss = classification loss (softmax_xent or sigmoid_xent, averaged over the batch)
       + the graph's aux_loss
then every trainable parameter's gradient (zero where the loss does not reach it,
as moec's trainer gives it one), clipped to global norm `clip` exactly as moec
does (g ← g·clip/‖g‖ when ‖g‖ > clip, ‖g‖ over every gradient together), then
torch.optim.AdamW with decay only on the parameters whose ParamSpec says `decay`:
PyTorch's AdamW (p ← p·(1 − lr·wd) − lr·m̂/(√v̂ + ε)) is moec's update
p ← p − lr·(m̂/(√v̂ + ε) + wd·p) term for term. SGD with momentum likewise.
"""

from __future__ import annotations

from typing import List, Tuple

import torch
import torch.nn.functional as F

from .graph_module import GraphModule

ADAM_EPSILON = 1e-8


def classification_loss(kind: str, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    if kind == "softmax_xent":
        return F.cross_entropy(logits, labels)
    if kind == "sigmoid_xent":
        targets = F.one_hot(labels, logits.shape[1]).to(logits.dtype)
        return F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / logits.shape[0]
    raise ValueError(f"unknown loss {kind!r} (softmax_xent or sigmoid_xent)")


class Trainer:
    def __init__(self, module: GraphModule, optimizer: dict, loss: str):
        self.module = module
        self.loss = loss
        self.clip = float(optimizer.get("clip", 0))
        self.params = [p for _, p in module.trainable()]
        decay = [p for n, p in module.trainable() if module.decay[n]]
        no_decay = [p for n, p in module.trainable() if not module.decay[n]]
        kind = optimizer["kind"]
        if kind == "adamw":
            wd = float(optimizer["weightDecay"])
            groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
            betas = (float(optimizer["b1"]), float(optimizer["b2"]))
            self.optimizer: torch.optim.Optimizer = torch.optim.AdamW(
                [g for g in groups if g["params"]], lr=float(optimizer["lr"]), betas=betas, eps=ADAM_EPSILON, foreach=True
            )
        elif kind == "sgd":
            self.optimizer = torch.optim.SGD(self.params, lr=float(optimizer["lr"]), momentum=float(optimizer.get("momentum", 0)), foreach=True)
        else:
            raise ValueError(f"unknown optimiser {kind!r} (adamw or sgd)")
        self.count = 0

    def step(self, images: torch.Tensor, labels: torch.Tensor, lr: float) -> Tuple[float, float]:
        """One update; returns (loss before the update, global gradient norm before clipping)."""
        for p in self.params:
            p.grad = None
        logits, aux = self.module(images, True, self.count)
        loss = classification_loss(self.loss, logits, labels) + aux
        loss.backward()
        for p in self.params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        grads: List[torch.Tensor] = [p.grad for p in self.params]  # type: ignore[misc]
        norm = float(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))))
        if self.clip > 0 and norm > self.clip:
            torch._foreach_mul_(grads, self.clip / norm)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.step()
        self.count += 1
        return float(loss.detach()), norm

    def infer(self, images: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            logits, _ = self.module(images, False, 0)
        return logits
