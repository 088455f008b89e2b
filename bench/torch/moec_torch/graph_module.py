"""A moec op graph (graph.json, `moec-graph/2`) as a PyTorch module.

The mirror of runtime/executor/graph-model.ts: parameters come from moec (an .npz
of the model's initial variables, so both sides start from the same weights), the
nodes run in their topological order, each by its op kind's kernel (ops.py). A
graph with an op kind this interpreter does not know is refused at load time,
naming the op kinds and their first nodes.
"""

from __future__ import annotations

import json
from typing import Dict, List, Tuple

import numpy as np
import torch

from .ops import KERNELS, SOURCE_OPS, Context, concrete_dim

GRAPH_FORMAT = "moec-graph/2"


class GraphError(Exception):
    """A graph or weights file this interpreter cannot run."""


def unknown_ops(graph: dict) -> Dict[str, str]:
    """Op kinds of the graph without a kernel here, each with its first node's id."""
    missing: Dict[str, str] = {}
    for node in graph["nodes"]:
        op = node["op"]
        if op not in SOURCE_OPS and op not in KERNELS and op not in missing:
            missing[op] = node["id"]
    return missing


def load_graph(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        graph = json.load(f)
    if graph.get("format") != GRAPH_FORMAT:
        raise GraphError(f"{path}: format {graph.get('format')!r}, this interpreter reads {GRAPH_FORMAT}")
    missing = unknown_ops(graph)
    if missing:
        listed = ", ".join(f"'{op}' (node {node})" for op, node in missing.items())
        raise GraphError(f"{path}: op kinds without a PyTorch kernel in bench/torch/moec_torch/ops.py: {listed}")
    return graph


class GraphModule(torch.nn.Module):
    """Runs the graph's nodes in order; parameters by their moec names."""

    def __init__(self, graph: dict, weights: Dict[str, np.ndarray]):
        super().__init__()
        self.graph = graph
        self.names: List[str] = []
        self.values: Dict[str, torch.Tensor] = {}
        self.decay: Dict[str, bool] = {}
        params = torch.nn.ParameterList()
        for spec in graph["params"]:
            name = spec["name"]
            if name not in weights:
                raise GraphError(f"the weights file has no array for parameter {name}")
            array = weights[name]
            if list(array.shape) != list(spec["shape"]):
                raise GraphError(f"parameter {name}: the weights file has shape {list(array.shape)}, the graph {spec['shape']}")
            tensor = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).clone()
            p = torch.nn.Parameter(tensor, requires_grad=bool(spec["trainable"]))
            params.append(p)
            self.names.append(name)
            self.values[name] = p
            self.decay[name] = bool(spec["decay"])
        self.params = params
        index: Dict[str, int] = {}
        self.plan: List[Tuple[str, object, List[int], dict]] = []
        for i, node in enumerate(graph["nodes"]):
            inputs = [index[n] for n in node["inputs"]]
            index[node["id"]] = i
            op = node["op"]
            if op == "param":
                source = self.values[node["attrs"]["name"]]
            elif op == "constant":
                source = torch.tensor(float(node["attrs"]["value"]), dtype=torch.float32)
            else:
                source = KERNELS.get(op)
            self.plan.append((op, source, inputs, node))
        self.logits_at = index[graph["outputs"]["logits"]]
        self.aux_at = index[graph["outputs"]["aux_loss"]]
        self._shapes: Dict[int, List[Tuple[int, ...]]] = {}
        self.generator = torch.Generator().manual_seed(0)

    def trainable(self) -> List[Tuple[str, torch.nn.Parameter]]:
        return [(n, self.values[n]) for n in self.names if self.values[n].requires_grad]

    def parameter_count(self, trainable_only: bool = True) -> int:
        return sum(self.values[n].numel() for n in self.names if self.values[n].requires_grad or not trainable_only)

    def shapes(self, batch: int) -> List[Tuple[int, ...]]:
        shapes = self._shapes.get(batch)
        if shapes is None:
            shapes = [tuple(concrete_dim(d, batch) for d in node["shape"]) for node in self.graph["nodes"]]
            self._shapes[batch] = shapes
        return shapes

    def forward(self, images: torch.Tensor, training: bool, step: int) -> Tuple[torch.Tensor, torch.Tensor]:
        batch = images.shape[0]
        shapes = self.shapes(batch)
        ctx = Context(training=training, step=step, batch=batch, generator=self.generator)
        values: List[torch.Tensor] = [None] * len(self.plan)  # type: ignore[list-item]
        for i, (op, source, inputs, node) in enumerate(self.plan):
            if op == "input":
                values[i] = images
            elif op in ("param", "constant"):
                values[i] = source  # type: ignore[assignment]
            else:
                ctx.node_id = node["id"]
                ctx.output_shape = shapes[i]
                values[i] = source([values[j] for j in inputs], node["attrs"], ctx)  # type: ignore[operator]
        return values[self.logits_at], values[self.aux_at]


def load_weights(path: str) -> Dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}
