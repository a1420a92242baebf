"""The clinicians' web page (`handouts serve`): a form, a preview, the PDF."""
