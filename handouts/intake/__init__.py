"""Where requests come from: a patient typed on the command line or saved in a file, and a
clinic list (later a web form and a FHIR bundle)."""
