"""Reading articles from files, pages, feeds and archives."""
