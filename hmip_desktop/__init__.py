"""hmip_desktop: offline evidence, scoring and reporting for HM Inspectorate of Prisons teams."""

APP_NAME = "hmip_desktop"
APP_DISPLAY_NAME = "HMIP Inspection"
__version__ = "0.1.0"
# A scripted start's passphrase, honoured by the GUI and the command line alike.
PASSPHRASE_VARIABLE = "HMIP_PASSPHRASE"
