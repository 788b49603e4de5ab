"""unspun: where a news story came from, who really said what, and what was spun."""

__version__ = "0.1.0"
