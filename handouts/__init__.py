"""handouts: per-condition YAML content in, branded print-ready PDF patient handouts out."""

__version__ = "0.1.0"
