"""The demo's team (its settings, pause reasons and dispositions) and its six contacts, in
French as the product's first market sees them: the desk's fakes and the lead board's
in-memory server share them."""

from __future__ import annotations

from homeagent.core.desk_types import Contact, Disposition, TeamSettings

DEMO_TEAM = TeamSettings(
    name="Service client",
    pause_reasons=("Déjeuner", "Café", "Formation", "Personnelle"),
    wrap_up_s=60,
    auto_answer_s=None,
    auto_available_after_wrap_up=True,
    dispositions=(
        Disposition("resolved", "Résolu"),
        Disposition("callback", "À rappeler"),
        Disposition("escalated", "Transmis au niveau 2"),
        Disposition("sale", "Vente"),
        Disposition("wrong_number", "Faux numéro"),
    ),
)

DEMO_CONTACTS = (
    Contact(
        "c-001",
        "Camille",
        "Martin",
        "Boulangerie Martin",
        ("+33612345678",),
        "camille.martin@example.fr",
        "CL-10234",
        ("VIP", "Fibre"),
        "A signalé une coupure internet le 18/11 ; technicien passé le 20/11.",
    ),
    Contact("c-002", "Julien", "Bernard", "", ("+33698765432",), "", "CL-20871", ("Mobile",)),
    Contact("c-003", "Sophie", "Dubois", "Cabinet Dubois", ("+33145678901",), "", "CL-31002"),
    Contact("c-004", "Thomas", "Petit", "", ("+33687654321",), "", "CL-40417", ("Nouveau",)),
    Contact("c-005", "Léa", "Moreau", "", ("+33611223344",), "", "CL-55120"),
    Contact("c-006", "Hugo", "Laurent", "Garage Laurent", ("+33472000111",), "", "CL-60088"),
)
