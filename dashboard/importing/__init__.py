"""The import of files into the store (the only writer of form data), form versions, synthetic data."""
