"""Use cases called by the GUI and the command line. No Qt."""
