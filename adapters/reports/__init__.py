"""Reports written from the engine's results: the yearly audit as HTML, XLSX, JSON and Markdown."""
