"""The one Request, and the format-free Document assembled from it."""
