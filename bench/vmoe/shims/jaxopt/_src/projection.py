"""jaxopt._src.projection._regularized_transport_semi_dual (Blondel et al. 2018)."""
import jax.numpy as jnp


def _regularized_transport_semi_dual(cost_matrix, marginals_a, marginals_b, make_solver,
                                     max_vmap, max_grad_vmap, gamma=1.0):

  def fun(alpha, cost_matrix, marginals_a, marginals_b):
    x = alpha[:, None] - cost_matrix
    return jnp.dot(marginals_b, max_vmap(x, marginals_b, gamma)) - jnp.dot(alpha, marginals_a)

  solver = make_solver(fun)
  alpha = solver.run(jnp.zeros(cost_matrix.shape[0]), cost_matrix=cost_matrix,
                     marginals_a=marginals_a, marginals_b=marginals_b).params
  x = alpha[:, None] - cost_matrix
  return max_grad_vmap(x, marginals_b, gamma).T * marginals_b
