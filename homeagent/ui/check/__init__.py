"""The pre-shift check ("Vérifier mon poste"): its screen and the sentences it says."""
