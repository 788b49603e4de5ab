"""Render analyses for people and programs: terminal (Rich), HTML (Jinja2), JSON."""
