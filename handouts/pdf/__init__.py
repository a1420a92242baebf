"""A Document laid out and written as a tagged PDF (the only module that knows PDF)."""
