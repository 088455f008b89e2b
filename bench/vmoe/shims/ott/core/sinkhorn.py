"""ott.core.sinkhorn.sinkhorn in kernel mode, as ott-jax 0.2.11 runs it for vmoe.

ott checks convergence every `inner_iterations` (10) iterations and stops at
max_iterations, so 10 * (max_iterations // 10) iterations run (min = max here).
"""
import collections

import jax
import jax.numpy as jnp

SinkhornOutput = collections.namedtuple('SinkhornOutput', ['matrix', 'f', 'g'])


def sinkhorn(geom, a=None, b=None, lse_mode=True, min_iterations=0, max_iterations=2000,
             inner_iterations=10, implicit_differentiation=True, **unused):
  if lse_mode:
    raise NotImplementedError('stand-in: only kernel mode (lse_mode=False), as vmoe uses')
  kernel = geom.kernel_matrix
  n, m = kernel.shape
  a = jnp.ones((n,)) / n if a is None else a
  b = jnp.ones((m,)) / m if b is None else b
  iterations = inner_iterations * (max_iterations // inner_iterations)

  def step(_, uv):
    u, v = uv
    v = b / (kernel.T @ u)
    u = a / (kernel @ v)
    return u, v

  u, v = jax.lax.fori_loop(0, iterations, step, (jnp.ones((n,)), jnp.ones((m,))))
  u, v = jax.lax.stop_gradient(u), jax.lax.stop_gradient(v)
  matrix = u[:, None] * kernel * v[None, :]
  eps = geom.epsilon
  return SinkhornOutput(matrix=matrix, f=eps * jnp.log(u), g=eps * jnp.log(v))
