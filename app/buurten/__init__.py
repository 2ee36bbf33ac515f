"""Buurten: the CBS boundaries in the database, the point lookup, their API and `flask buurten`."""
