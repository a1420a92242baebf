"""Stage 2: the one Request, and the format-free Document assembled from it."""
