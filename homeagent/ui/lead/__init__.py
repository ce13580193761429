"""The team-lead console's screens (issue 11)."""
