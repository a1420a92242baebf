"""The content library and a clinic's brand, read from YAML and checked."""
