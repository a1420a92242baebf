"""The content quality gate (``handouts check``): reading level, sources, clinical safety."""
