"""HTTP routes: thin handlers that parse, call `screening` and shape the response."""
