"""Opening and creating inspection files: welcome, new inspection, passphrase and key gates."""
