from . import sinkhorn  # noqa: F401
