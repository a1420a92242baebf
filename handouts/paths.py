"""Where the shipped files are: package data under ``handouts/data/``, the same in an
installed wheel and in the repository (where it links to the top-level folders)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA = Path(str(resources.files("handouts") / "data"))
CONTENT = DATA / "content"
"""The shipped content library."""
FONTS = DATA / "fonts"
"""The bundled fonts."""
BRAND = DATA / "brands" / "example" / "brand.yaml"
"""The example brand, used when none is given."""
PATIENT = DATA / "patient.yaml"
"""The example patient of the default run (synthetic)."""
