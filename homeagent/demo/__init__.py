"""`homeagent demo`: the whole system on loopback, plus the fakes the UI is tested over."""
