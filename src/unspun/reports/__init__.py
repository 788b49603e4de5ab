"""Results as data for the pages of the web interface (and anything else that shows them): plain records
assembled from the store, which the web layer renders as HTML or returns as JSON."""
