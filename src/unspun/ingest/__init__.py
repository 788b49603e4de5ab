"""Turn inputs (text, HTML, JSON, WARC, feeds, sitemaps, URLs, directories) into Articles; one format per module."""
