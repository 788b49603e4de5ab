"""The spaCy pipeline unspun runs, and the word lists its rules use."""
