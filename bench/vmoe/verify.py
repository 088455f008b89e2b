"""Checks `moec export --to vmoe` against google-research/vmoe's own code.

Not part of npm test (it needs Python, JAX, flax and the vmoe sources). Run:

  node bin/run-ts.mjs bench/vmoe/export-cases.ts /tmp/vmoe-cases
  PYTHONPATH=bench/vmoe/shims:VMOE_SRC:VIT_JAX_SRC python bench/vmoe/verify.py /tmp/vmoe-cases

VMOE_SRC is a checkout of google-research/vmoe, VIT_JAX_SRC one of
google-research/vision_transformer (vmoe imports vit_jax). The Python needs jax,
flax, ml-collections, numpy, optax, scipy, pandas, tqdm, einops; bench/vmoe/shims
stands in for TensorFlow (only its local-file gfile is used on this path) and, when
they are not installed, for ott-jax and jaxopt (see shims/README.md).

For every case folder it checks, with vmoe's code:
  1. the model vmoe builds from the exported config (vmoe.nn.models.VisionTransformerMoe,
     config loaded from another working directory) has moec's parameter count;
  2. every .npz leaf has vmoe's name and shape, nothing missing or extra;
  3. vmoe's initialize_from_vit with the exported config.initialization loads every
     array unchanged;
  4. vmoe's logits and pooled features (the head's input, `pre_logits`) on the 32
     held-out digits equal moec's within 1e-4 (bf16 dispatch off: the config turns
     it off for sparse routers; the Soft MoE router's hard-wired Bfloat16Dispatcher
     is replaced by the identity here).
For OUT/paper/* (config-only exports of specs/) it checks 1 by building abstractly
(jax.eval_shape). Exit 1 on any failure.
"""
import importlib.util
import json
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

import vmoe.initialization
import vmoe.nn.models
import vmoe.projects.soft_moe.router as soft_router
from flax import traverse_util

TOLERANCE = 1e-4

# bf16 dispatch off for Soft MoE (vmoe wraps its dispatcher in bfloat16 unconditionally).
soft_router.Bfloat16Dispatcher = lambda dispatcher: dispatcher


def load_config(path):
  """Loads config.py from another working directory (the .npz must be found next to it)."""
  here = os.getcwd()
  os.chdir('/')
  try:
    spec = importlib.util.spec_from_file_location('exported_config', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config()
  finally:
    os.chdir(here)


def build(model_config):
  kwargs = model_config.to_dict()
  cls = getattr(vmoe.nn.models, kwargs.pop('name'))
  return cls(deterministic=True, **kwargs)


def abstract_params(model, image):
  variables = jax.eval_shape(
      lambda: model.init({'params': jax.random.PRNGKey(0), 'gating': jax.random.PRNGKey(1)},
                         jnp.zeros((1, *image), jnp.float32)))
  return variables['params']


def flat(tree):
  return traverse_util.flatten_dict(tree, sep='/')


def count(tree):
  return sum(int(np.prod(x.shape)) for x in jax.tree_util.tree_leaves(tree))


def check_case(folder, results):
  name = os.path.basename(folder)
  config = load_config(os.path.join(folder, 'config.py'))
  moec = json.load(open(os.path.join(folder, 'moec.json')))
  outputs = np.load(os.path.join(folder, 'moec.npz'), allow_pickle=False)
  images = outputs['images']
  model = build(config.model)
  shapes = abstract_params(model, images.shape[1:])
  n_params = count(shapes)
  problems = []
  if n_params != moec['params']:
    problems.append(f'param count vmoe {n_params} != moec {moec["params"]}')
  exported = np.load(config.initialization.filepath, allow_pickle=False)
  want = {k: tuple(v.shape) for k, v in flat(shapes).items()}
  got = {k: exported[k].shape for k in exported.files}
  for k in sorted(set(want) | set(got)):
    if k not in got:
      problems.append(f'missing leaf {k} {want[k]}')
    elif k not in want:
      problems.append(f'extra leaf {k} {got[k]}')
    elif want[k] != got[k]:
      problems.append(f'leaf {k}: vmoe {want[k]}, npz {got[k]}')
  # vmoe's own initialization code, with the exported rules.
  init = config.initialization.to_dict()
  init_name = init.pop('name')
  assert init_name == 'initialize_from_vit', init_name
  init.pop('axis_resources_regexes', None)
  mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]), ('expert',))
  target = {'params': shapes}
  loaded = vmoe.initialization.initialize_from_vit(target=target, mesh=mesh, **init)
  params = loaded['params']
  for k, v in flat(params).items():
    if k in got and not np.array_equal(np.asarray(v), exported[k]):
      problems.append(f'leaf {k} changed by initialize_from_vit')
  (logits, _), state = model.apply({'params': params}, images, capture_intermediates=True,
                                   rngs={'gating': jax.random.PRNGKey(0)})
  pooled = state['intermediates']['pre_logits']['__call__'][0]
  d_logits = float(np.max(np.abs(np.asarray(logits) - outputs['logits'])))
  d_pooled = float(np.max(np.abs(np.asarray(pooled) - outputs['pooled'])))
  if not d_logits <= TOLERANCE:
    problems.append(f'logits differ by {d_logits:.3g}')
  if not d_pooled <= TOLERANCE:
    problems.append(f'pooled features differ by {d_pooled:.3g}')
  results.append({'case': name, 'params': n_params, 'leaves': len(got), 'max_abs_logits': d_logits,
                  'max_abs_pooled': d_pooled, 'leaf_shapes': {k: list(v) for k, v in sorted(want.items())},
                  'problems': problems})
  status = 'ok' if not problems else 'FAIL ' + '; '.join(problems[:5])
  print(f'{name}: {n_params} params, {len(got)} leaves, logits {d_logits:.2e}, pooled {d_pooled:.2e}: {status}')
  return not problems


def check_paper(folder, results):
  name = os.path.basename(folder)
  config = load_config(os.path.join(folder, 'config.py'))
  moec = json.load(open(os.path.join(folder, 'moec.json')))
  model = build(config.model)
  n_params = count(abstract_params(model, tuple(moec['image'])))
  ok = n_params == moec['params']
  results.append({'spec': name, 'vmoe_params': n_params, 'moec_params': moec['params'], 'ok': ok})
  print(f'paper {name}: vmoe {n_params:,} moec {moec["params"]:,}: {"ok" if ok else "FAIL"}')
  return ok


def main(root):
  results = {'cases': [], 'paper': []}
  ok = True
  for name in sorted(os.listdir(root)):
    folder = os.path.join(root, name)
    if name != 'paper' and os.path.exists(os.path.join(folder, 'moec.npz')):
      ok = check_case(folder, results['cases']) and ok
  paper = os.path.join(root, 'paper')
  if os.path.isdir(paper):
    for name in sorted(os.listdir(paper)):
      ok = check_paper(os.path.join(paper, name), results['paper']) and ok
  with open(os.path.join(root, 'verify-results.json'), 'w') as f:
    json.dump(results, f, indent=1)
  print('all checks passed' if ok else 'SOME CHECKS FAILED')
  return 0 if ok else 1


if __name__ == '__main__':
  sys.exit(main(sys.argv[1]))
