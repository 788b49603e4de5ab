"""The web interface and HTTP API (`unspun serve`): server-rendered pages, each with a JSON twin under /api."""
