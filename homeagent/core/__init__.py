"""Pure-Python domain of HomeAgent: no Qt, no pjsua2, no network, no database.

Everything here is importable and testable without a GUI or a SIP stack; the other
packages speak to each other through these commands, events and value types.
"""
