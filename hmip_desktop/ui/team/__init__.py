"""The Team & sync page: identity, roster, bundles and the conflict queue."""
