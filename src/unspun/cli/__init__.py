"""The `unspun` command line: thin commands over library functions."""
