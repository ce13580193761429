"""Verified updates of the agent app (python-tuf ngclient) and their installation."""
