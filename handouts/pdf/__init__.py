"""A Document laid out and written as a tagged PDF (the only module that knows PDF)."""

from reportlab import rl_config

# Drawings (pictures, tier signs, SVG logos) are made by this package's own code, with
# attributes it sets itself: ReportLab's check of every attribute set on a shape costs a
# tenth of a visit handout's time and changes nothing drawn. It is read when
# reportlab.graphics.shapes is first imported, which this package does after this.
rl_config.shapeChecking = 0
