"""Locate sections and tables in a document and map them to field IDs."""
