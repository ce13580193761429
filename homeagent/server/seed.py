"""`seed-demo`: a plausible French contact centre (deterministic for a given seed)."""

from __future__ import annotations

import random
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server.admin import create_user, ensure_queue, ensure_team
from homeagent.server.auth import hash_password
from homeagent.server.db import Database
from homeagent.server.models import (
    Contact,
    ContactPhone,
    Counter,
    Interaction,
    Note,
    ShiftSlot,
    SlotBooking,
    User,
    utcnow,
)
from homeagent.server.passwords import password_problem

FIRST = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Jade",
    "Louise",
    "Sarah",
    "Julie",
    "Marie",
    "Claire",
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Céline",
    "Aurélie",
    "Hélène",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Thomas",
    "Nicolas",
    "Julien",
    "Antoine",
    "Maxime",
    "Pierre",
    "Olivier",
    "François",
    "Mathieu",
    "Sébastien",
    "Yanis",
    "Karim",
    "Mehdi",
    "Nadia",
)
LAST = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
)
COMPANIES = (
    "Boulangerie du Centre",
    "Garage des Alpes",
    "Cabinet Lefort Avocats",
    "Pharmacie de la Gare",
    "Transports Rhône-Alpes",
    "Atelier Bois & Fils",
    "Clinique Saint-Joseph",
    "Mairie de Villeurbanne",
    "Fromagerie Beaufort",
    "Hôtel du Lac",
    "Électricité Moderne SARL",
    "Librairie Le Parchemin",
    "Agence Immobilière Azur",
    "Crèche Les Petits Loups",
    "Domaine des Vignes",
)
CITIES = ("Lyon", "Paris", "Bordeaux", "Lille", "Nantes", "Marseille", "Toulouse", "Rennes")
TEAMS = (
    ("Service client", "service-client", "Service client — particuliers"),
    ("Ventes", "ventes", "Ventes — professionnels"),
)
NOTES = (
    "Client rappelé, problème de facturation résolu.",
    "Souhaite changer d'offre, envoyer la brochure par e-mail.",
    "Réclamation sur le délai de livraison, dossier transmis.",
    "Demande d'information sur le contrat, rappel la semaine prochaine.",
    "Très satisfait du service, aucune action.",
    "Adresse mise à jour.",
)
DISPOSITIONS = ("resolved", "callback", "escalated", "wrong_number")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _phone(rng: random.Random) -> str:
    prefix = rng.choice("1234567")
    return f"+33{prefix}{rng.randrange(10**8):08d}"


def seed_demo(
    db: Database,
    password: str,
    *,
    seed: int = 42,
    agents_per_team: int = 6,
    contacts: int = 3000,
    first_team_agents: int | None = None,
) -> dict[str, int]:
    """Create teams, queues, users, contacts and history; refuse to seed twice.

    Each team has a team lead (with SIP provisioning, like every user) and
    `agents_per_team` agents; the first team ("Service client", the demo's) has
    `first_team_agents` instead when given (`homeagent demo --lead`: the desk's agent and
    the simulated team)."""
    if first_team_agents is not None and not 1 <= first_team_agents <= 100:
        raise ValueError("first_team_agents must be between 1 and 100")
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    with db.read() as s:
        if s.scalar(select(User.id).where(User.name == "admin")) is not None:
            raise ValueError("this database already holds the demo organisation")
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    pw_hash = hash_password(password)  # one hash shared by the demo users: seeding stays fast
    create_user(
        db, "admin", password, "admin", display_name="Administrateur", password_hash=pw_hash
    )
    agent_ids: list[tuple[str, str]] = []
    used: set[str] = set()
    for t, (team_name, queue_name, label) in enumerate(TEAMS):
        team_id = ensure_team(db, team_name, wrap_up_s=60)
        ensure_queue(db, queue_name, team_id, label=label, rona_s=15)
        size = first_team_agents if t == 0 and first_team_agents is not None else agents_per_team
        for i in range(size + 1):
            while True:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                login = f"{_ascii(first)}.{_ascii(last)}"
                if login not in used:
                    used.add(login)
                    break
            role = "team_lead" if i == 0 else "agent"
            uid = create_user(
                db,
                login,
                password,
                role,
                team_name,
                display_name=f"{first} {last}",
                password_hash=pw_hash,
            )
            if role == "agent":
                agent_ids.append((uid, team_id))
    now = utcnow()
    with db.write() as s:
        for n in range(contacts):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = rng.choice(COMPANIES) if rng.random() < 0.4 else ""
            phones = [_phone(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
            cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            email = f"{_ascii(first)}.{_ascii(last)}{n}@exemple.fr"
            tags = rng.sample(["vip", "fidèle", "nouveau", "pro", "litige"], rng.randrange(0, 3))
            c = Contact(
                id=cid,
                first_name=first,
                last_name=last,
                company=company,
                phones=phones,
                email=email,
                account_ref=f"CLI-{100000 + n}",
                tags=tags,
                custom={"ville": rng.choice(CITIES)},
                updated_at=now,
                change_seq=n + 1,
            )
            c.search_text = " ".join([first, last, company, email, c.account_ref, *phones, *tags])
            c.search_text = c.search_text.lower()
            s.add(c)
            s.add_all(ContactPhone(contact_id=cid, e164=p) for p in set(phones))
            if rng.random() < 0.3:
                _history(s, rng, c, agent_ids, now)
        s.merge(Counter(name="contacts", value=contacts))
        slots = _slots(s, rng, agent_ids, now)
    return {
        "teams": len(TEAMS), "agents": len(agent_ids), "contacts": contacts, "slots": slots,
    }  # fmt: skip


# A week of shift slots per team (Paris time): mornings, afternoons, evenings.
SLOT_HOURS = ((9, 12, 4), (14, 17, 4), (18, 20, 6))
PARIS = ZoneInfo("Europe/Paris")


def _slots(s: Session, rng: random.Random, agents: list[tuple[str, str]], now: datetime) -> int:
    """The coming week's slots for every team (those that start after now), about half
    booked; plus, for each team, an hour's slot from now held by its first agents (by
    login), so the demo's desk is inside a slot and the lead's page shows planned vs
    actual at once. No slot in the past: the demo has no state history to match it."""
    by_team: dict[str, list[str]] = {}
    for agent_id, team_id in agents:
        by_team.setdefault(team_id, []).append(agent_id)
    today = now.astimezone(PARIS).date()
    count = 0
    for team_id, members in by_team.items():
        ordered = list(s.scalars(select(User.id).where(User.id.in_(members)).order_by(User.name)))
        minute = now.replace(second=0, microsecond=0)
        current = (minute, minute + timedelta(hours=1))
        spans = [(*current, 6, "")]
        for day in range(8):
            d = today + timedelta(days=day)
            for start_h, end_h, capacity in SLOT_HOURS:
                a = datetime(d.year, d.month, d.day, start_h, tzinfo=PARIS).astimezone(UTC)
                b = datetime(d.year, d.month, d.day, end_h, tzinfo=PARIS).astimezone(UTC)
                if a < current[1] or a > now + timedelta(days=7):
                    continue  # past, or the slot from now stands for it
                spans.append((a, b, capacity, "Renfort du soir" if start_h == 18 else ""))
        for a, b, capacity, note in spans:
            slot = ShiftSlot(
                team_id=team_id, starts_at=a, ends_at=b, capacity=capacity, note=note,
                created_at=now - timedelta(days=3), updated_at=now - timedelta(days=3),
            )  # fmt: skip
            if (a, b) == current:
                takers = ordered[: min(capacity, 3)]
            else:
                takers = [m for m in ordered if rng.random() < 0.4][:capacity]
            s.add(slot)
            s.flush()
            taken: list[tuple[str, datetime, datetime]] = []
            for agent_id in takers:
                if any(x == agent_id and a < e and b > st for x, st, e in taken):
                    continue
                taken.append((agent_id, a, b))
                s.add(
                    SlotBooking(
                        slot_id=slot.id, agent_id=agent_id, team_id=team_id,
                        booked_at=min(now, a) - timedelta(days=1),
                    )
                )  # fmt: skip
            slot.booked = len(taken)
            count += 1
    return count


def _history(
    s: Session, rng: random.Random, c: Contact, agents: list[tuple[str, str]], now: datetime
) -> None:
    for _ in range(rng.randrange(1, 4)):
        agent_id, team_id = rng.choice(agents)
        started = now - timedelta(days=rng.randrange(1, 60), minutes=rng.randrange(600))
        answered = started + timedelta(seconds=rng.randrange(3, 40))
        ended = answered + timedelta(seconds=rng.randrange(60, 900))
        iid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        s.add(
            Interaction(
                id=iid,
                contact_id=c.id,
                agent_id=agent_id,
                team_id=team_id,
                direction=rng.choice(("inbound", "inbound", "outbound")),
                queue=rng.choice(("service-client", "ventes")),
                remote_number=c.phones[0],
                started_at=started,
                answered_at=answered,
                ended_at=ended,
                outcome="answered",
                sip_call_id=f"{iid}@demo",
                disposition=rng.choice(DISPOSITIONS),
                wrap_up_notes=rng.choice(NOTES),
                wrapped_at=ended + timedelta(seconds=rng.randrange(10, 90)),
            )
        )
        if rng.random() < 0.5:
            s.add(
                Note(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    contact_id=c.id,
                    interaction_id=iid,
                    agent_id=agent_id,
                    text=rng.choice(NOTES),
                    created_at=ended,
                )
            )
