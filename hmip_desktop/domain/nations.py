"""The nations whose establishments HMIP inspects, by the key files use (a module of its own:
an inspection record's nation is read on the first screen, without the framework model)."""

NATIONS = ("england", "wales")
