"""Tests for the sync bundle format and other exported file formats."""
