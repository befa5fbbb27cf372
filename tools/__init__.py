"""Project tools run by the Makefile (not part of the application)."""
