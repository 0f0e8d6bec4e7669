"""Data access: the Kolada client, raw snapshots, fetching, demo data, local
submissions, and the data set in use with its provenance."""
