from . import projection  # noqa: F401
