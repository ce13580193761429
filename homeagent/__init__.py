"""HomeAgent: softphone and agent desktop for home-based contact-centre agents."""

__version__ = "0.1.0"
