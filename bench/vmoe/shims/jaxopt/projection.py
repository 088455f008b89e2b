"""jaxopt.projection: sort-based simplex projection and its k-sparse variant."""
import jax
import jax.numpy as jnp


def projection_simplex(x, value=1.0):
  n = x.shape[0]
  u = jnp.sort(x)[::-1]
  cumsum = jnp.cumsum(u)
  ind = jnp.arange(n) + 1
  cond = value / ind + (u - cumsum / ind) > 0
  idx = jnp.count_nonzero(cond)
  return jax.nn.relu(value / idx + (x - cumsum[idx - 1] / idx))


def projection_sparse_simplex(x, max_nz):
  values, indices = jax.lax.top_k(x, max_nz)
  return jnp.zeros_like(x).at[indices].set(projection_simplex(values))
