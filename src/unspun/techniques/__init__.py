"""Persuasion techniques: span detection and classification over a parsed Doc (SemEval-2020 Task 11 inventory)."""
