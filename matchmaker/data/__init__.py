"""Data shipped with the app: the taxonomy, the talent vocabularies and the demo data set."""
