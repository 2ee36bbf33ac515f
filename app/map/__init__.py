"""The signal map: the signal list and map API, grid clustering, the shared filters, and the team pages."""
