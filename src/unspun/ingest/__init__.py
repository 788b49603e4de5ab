"""Turn inputs (text, HTML, JSON, WARC, feeds, sitemaps, URL lists, directories) into Articles."""
