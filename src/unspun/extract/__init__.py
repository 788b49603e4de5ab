"""Pure functions from a spaCy Doc to plain records with character offsets; no I/O."""
