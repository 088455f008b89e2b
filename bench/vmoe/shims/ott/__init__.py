"""Stand-in for ott-jax 0.2.11 (see ../README.md): only what vmoe's routers call."""
