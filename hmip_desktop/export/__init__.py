"""File formats that leave the app: sync bundles, reports. No Qt, no DB."""
