"""ott.geometry.geometry.Geometry: a cost matrix and an entropic epsilon."""
import jax.numpy as jnp


class Geometry:

  def __init__(self, cost_matrix, epsilon=1.0):
    self.cost_matrix = cost_matrix
    self.epsilon = epsilon

  @property
  def kernel_matrix(self):
    return jnp.exp(-self.cost_matrix / self.epsilon)
