"""Stand-in for TensorFlow, whose only use on the path of this check is file I/O.

vmoe.initialization and vit_jax.checkpoint import `tensorflow` for `tf.io.gfile`;
installing TensorFlow (hundreds of MB) for that is not needed to verify the export:
local files through Python's own open() are what gfile does for a local path.
"""
from . import io  # noqa: F401


class errors:  # noqa: N801  (the name flax.io imports)
  NotFoundError = FileNotFoundError
