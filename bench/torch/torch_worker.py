"""The PyTorch side of `npm run bench:torch`: a persistent worker speaking JSON lines.

One request per line on stdin, one reply per line on stdout (stderr for anything
else). bench/torch/protocol.ts is the TypeScript side. Requests:

  {"cmd": "hello"}                                   versions, default threads, cores
  {"cmd": "load", "dir": D, "optimizer": {...}, "loss": "softmax_xent"}
        D holds graph.json, params.npz (moec's initial parameters) and batch.npz
        (images [B,H,W,C], labels [B] as float32): the module, its optimiser, the batch
  {"cmd": "logits", "threads": T}                    inference logits of the batch (flat)
  {"cmd": "train", "lrs": [..], "threads": T}        one timed step per learning rate
  {"cmd": "infer", "reps": N, "threads": T}          N timed inference calls
  {"cmd": "profile", "threads": T, "top": K}         torch.profiler of one step, top ops
  {"cmd": "quit"}

Replies are {"ok": true, ...} or {"ok": false, "error": "..."}.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from moec_torch.graph_module import GraphError, GraphModule, load_graph, load_weights  # noqa: E402
from moec_torch.ops import RANDOM_OPS  # noqa: E402
from moec_torch.train import Trainer  # noqa: E402


class Worker:
    def __init__(self) -> None:
        self.trainer: Trainer | None = None
        self.images: torch.Tensor | None = None
        self.labels: torch.Tensor | None = None

    def threads(self, request: dict) -> None:
        t = int(request.get("threads", torch.get_num_threads()))
        if t != torch.get_num_threads():
            torch.set_num_threads(t)

    def need(self) -> Trainer:
        if self.trainer is None:
            raise GraphError("no model loaded: send a load request first")
        return self.trainer

    def hello(self, request: dict) -> dict:
        return {
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "defaultThreads": torch.get_num_threads(),
            "cores": os.cpu_count(),
        }

    def load(self, request: dict) -> dict:
        d = request["dir"]
        graph = load_graph(os.path.join(d, "graph.json"))
        module = GraphModule(graph, load_weights(os.path.join(d, "params.npz")))
        batch = load_weights(os.path.join(d, "batch.npz"))
        self.images = torch.from_numpy(batch["images"].astype(np.float32))
        self.labels = torch.from_numpy(batch["labels"].astype(np.int64))
        self.trainer = Trainer(module, request["optimizer"], request.get("loss", "softmax_xent"))
        ops: dict = {}
        for node in graph["nodes"]:
            ops[node["op"]] = ops.get(node["op"], 0) + 1
        random_ops = sorted(op for op in ops if op in RANDOM_OPS)
        return {
            "params": module.parameter_count(True),
            "allParams": module.parameter_count(False),
            "tensors": len(module.names),
            "nodes": len(graph["nodes"]),
            "ops": ops,
            "randomOps": random_ops,
        }

    def logits(self, request: dict) -> dict:
        self.threads(request)
        logits = self.need().infer(self.images)
        return {"shape": list(logits.shape), "data": logits.flatten().tolist()}

    def train(self, request: dict) -> dict:
        self.threads(request)
        trainer = self.need()
        losses, norms, ms = [], [], []
        for lr in request["lrs"]:
            start = time.perf_counter()
            loss, norm = trainer.step(self.images, self.labels, float(lr))
            ms.append((time.perf_counter() - start) * 1000)
            losses.append(loss)
            norms.append(norm)
        return {"losses": losses, "gradNorms": norms, "ms": ms}

    def infer(self, request: dict) -> dict:
        self.threads(request)
        trainer = self.need()
        ms = []
        for _ in range(int(request["reps"])):
            start = time.perf_counter()
            logits = trainer.infer(self.images)
            float(logits[0, 0])
            ms.append((time.perf_counter() - start) * 1000)
        return {"ms": ms}

    def profile(self, request: dict) -> dict:
        self.threads(request)
        trainer = self.need()
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CPU]) as prof:
            trainer.step(self.images, self.labels, float(request.get("lr", 1e-3)))
        events = prof.key_averages()
        total = sum(e.self_cpu_time_total for e in events) or 1
        rows = sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)[: int(request.get("top", 10))]
        return {
            "totalMs": total / 1000,
            "ops": [{"name": e.key, "ms": e.self_cpu_time_total / 1000, "calls": e.count, "share": e.self_cpu_time_total / total} for e in rows],
        }


def main() -> None:
    worker = Worker()
    handlers = {
        "hello": worker.hello,
        "load": worker.load,
        "logits": worker.logits,
        "train": worker.train,
        "infer": worker.infer,
        "profile": worker.profile,
    }
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request: dict = {}
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise GraphError("a request is a JSON object")
            cmd = request.get("cmd")
            if cmd == "quit":
                reply = {"ok": True}
            elif cmd in handlers:
                reply = {"ok": True, **handlers[cmd](request)}
            else:
                reply = {"ok": False, "error": f"unknown request {cmd!r} (one of {', '.join(['quit', *handlers])})"}
        except GraphError as e:
            reply = {"ok": False, "error": str(e)}
        except Exception as e:  # a bug here: say so with the traceback on stderr
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}", "bug": True}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
        if isinstance(request, dict) and request.get("cmd") == "quit":
            break


if __name__ == "__main__":
    main()
