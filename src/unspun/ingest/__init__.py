"""Turn inputs (text, HTML, URLs, JSON Lines, directories) into Articles; one format per module."""
