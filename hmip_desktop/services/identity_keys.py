"""The device-keys type as the UI and command line name it, without importing the bundle format.

The keys themselves live in export.identity_keys (the bundle format signs and encrypts with
them); ui and cli may not import export directly, so they take the type from here.
"""

from __future__ import annotations

from hmip_desktop.bundle.identity_keys import DeviceKeys

__all__ = ["DeviceKeys"]
