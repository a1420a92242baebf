"""Where the bytes go: files written atomically, and a batch over a clinic list (later
e-mail)."""
