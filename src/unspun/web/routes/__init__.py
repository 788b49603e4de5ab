"""One router per resource; each page has its JSON twin under /api, built from the same library call."""
