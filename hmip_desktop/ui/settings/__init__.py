"""Application settings, framework import and About."""
