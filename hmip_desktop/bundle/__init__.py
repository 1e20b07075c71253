"""Sync bundles: the format (age-encrypted ZIP members, Ed25519-signed manifest), writer,
streaming reader, revision signatures, and the device identity keys that sign and open them.
No Qt, no DB."""
