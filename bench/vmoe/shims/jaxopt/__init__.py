"""Stand-in for jaxopt (see ../README.md): only what vmoe's routers call."""
import collections

import jax
import jax.numpy as jnp
import optax

from . import projection  # noqa: F401
from . import _src  # noqa: F401

OptStep = collections.namedtuple('OptStep', ['params', 'state'])


class OptaxSolver:
  """jaxopt.OptaxSolver: optax steps while the previous step's gradient norm > tol."""

  def __init__(self, fun, opt, maxiter=500, tol=1e-3, **unused):
    self.fun = fun
    self.opt = opt
    self.maxiter = maxiter
    self.tol = tol

  def run(self, init_params, *args, **kwargs):
    grad = jax.grad(self.fun)

    def cond(carry):
      _, _, error, it = carry
      return jnp.logical_and(it < self.maxiter, error > self.tol)

    def body(carry):
      params, opt_state, _, it = carry
      g = grad(params, *args, **kwargs)
      updates, opt_state = self.opt.update(g, opt_state, params)
      params = optax.apply_updates(params, updates)
      return params, opt_state, jnp.sqrt(jnp.sum(g * g)), it + 1

    carry = (init_params, self.opt.init(init_params), jnp.asarray(jnp.inf, init_params.dtype), 0)
    params, opt_state, _, _ = jax.lax.while_loop(cond, body, carry)
    return OptStep(params=params, state=opt_state)


class LBFGS:  # referenced by vmoe, used only with use_lbfgs=True

  def __init__(self, *args, **kwargs):
    raise NotImplementedError('stand-in: LBFGS is not provided')
