"""Where the shipped files are: package data under ``handouts/data/``, the same in an
installed wheel and in the repository (where it links to the top-level folders)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_PACKAGE = Path(str(resources.files("handouts")))
DATA = _PACKAGE / "data"
if not (DATA / "content").is_dir():  # a checkout without symbolic links (core.symlinks=false)
    DATA = _PACKAGE.parent
CONTENT = DATA / "content"
"""The shipped content library."""
FONTS = DATA / "fonts"
"""The bundled fonts."""
BRAND = DATA / "brands" / "example" / "brand.yaml"
"""The example brand, used when none is given."""
PATIENT = DATA / "patient.yaml" if DATA.name == "data" else DATA / "examples" / "patient.yaml"
"""The example patient of the default run (synthetic)."""
