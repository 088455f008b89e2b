"""Local-file subset of tf.io.gfile."""
import glob as _glob
import os

GFile = open
exists = os.path.exists
makedirs = lambda p: os.makedirs(p, exist_ok=True)  # noqa: E731
listdir = os.listdir
isdir = os.path.isdir
glob = _glob.glob
remove = os.remove
