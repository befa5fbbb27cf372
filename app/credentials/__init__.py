"""Credentials and required training: licences, certifications and their renewal."""
