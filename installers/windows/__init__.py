"""Windows installer: the WiX v4 source, the bundle harvester and the wixl smoke build."""
