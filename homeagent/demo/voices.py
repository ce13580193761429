"""Short French customer phrases, synthesised once with espeak-ng into a cache folder."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

PHRASES = (
    "Bonjour, j'appelle au sujet de ma dernière facture, je crois qu'il y a une erreur.",
    "Bonjour madame, ma connexion internet coupe plusieurs fois par jour depuis lundi.",
    "Bonjour, je voudrais changer d'offre et connaître vos tarifs actuels.",
    "Bonjour, je n'ai toujours pas reçu ma commande, pouvez-vous vérifier ?",
    "Bonjour, je souhaite mettre à jour mon adresse, s'il vous plaît.",
)
SAMPLE_RATE_HZ = 16000  # G.722's clock: no resampling in the call


def cache_dir() -> Path:
    """Where the WAV files are kept between runs."""
    return Path(platformdirs.user_cache_dir("HomeAgent", appauthor=False)) / "demo-voices"


def phrase_files(folder: Path | None = None) -> list[Path]:
    """One 16 kHz mono WAV per phrase (made now if missing); [] without espeak-ng."""
    folder = folder or cache_dir()
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        log.warning("espeak-ng is not installed: the demo customers will play a tone")
        return []
    folder.mkdir(parents=True, exist_ok=True)
    sox = shutil.which("sox")
    made: list[Path] = []
    for text in PHRASES:
        name = hashlib.sha256(text.encode()).hexdigest()[:12]
        target = folder / f"fr-{name}.wav"
        if not target.exists():
            raw = folder / f"fr-{name}.raw.wav"
            subprocess.run(
                [espeak, "-v", "fr", "-s", "150", "-w", str(raw), text],
                check=True,
                capture_output=True,
                timeout=60,
            )
            if sox is not None:
                subprocess.run(
                    [sox, str(raw), "-r", str(SAMPLE_RATE_HZ), "-c", "1", "-b", "16", str(target)],
                    check=True,
                    capture_output=True,
                    timeout=60,
                )
                raw.unlink()
            else:
                raw.rename(target)
        made.append(target)
    return made
