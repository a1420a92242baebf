"""A handout as a web page: the same Document the PDF is drawn from, as accessible HTML."""
