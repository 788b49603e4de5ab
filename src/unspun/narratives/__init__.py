"""Narratives: the catalog of narratives unspun looks for in articles, and finding them."""
