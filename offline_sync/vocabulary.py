"""Every code the app knows and its one Dutch label, next to the workflow table that moves statuses.

This is the only place a code gets its label: the models and schemas take their allowed codes from
here, exports and pages their labels, and the JavaScript receives it as the ES module
`/vocabulary.js` (rendered from `as_json()`). Order matters: it is the order of lists and selects.
"""

from __future__ import annotations

from offline_sync.workflow import OPEN_SIGNAL_STATUSES

#: What kind of record something is.
ENTITY: dict[str, str] = {"conversation": "Gesprek", "signal": "Signaal", "idea": "Idee", "gathering": "Bijeenkomst",
                          "followup": "Opvolging"}
ENTITY_PLURAL: dict[str, str] = {
    "conversation": "Gesprekken", "signal": "Signalen", "idea": "Ideeën", "gathering": "Bijeenkomsten",
    "followup": "Opvolgingen",
}

#: Where a conversation took place.
SETTING: dict[str, str] = {
    "street": "Op straat (muurtje)",
    "bic": "Buurt Info Centrum (BIC)",
    "home_visit": "Achter de voordeur",
    "gathering": "Bijeenkomst",
    "phone": "Telefoon",
    "other": "Anders",
}

#: Whether a signal or theme is about the physical or the social side of the buurt (or both).
DOMAIN: dict[str, str] = {"physical": "Fysiek", "social": "Sociaal", "both": "Fysiek en sociaal"}

URGENCY: dict[str, str] = {"low": "Laag", "normal": "Normaal", "high": "Hoog"}

#: The support residents ask for with an idea.
SUPPORT: dict[str, str] = {"money": "Geld", "people": "Mensen", "materials": "Materialen", "space": "Ruimte"}

#: Kinds of bijeenkomst of the programme.
GATHERING_KIND: dict[str, str] = {
    "stamppot": "Stamppotavond", "bbq": "BBQ", "buurtfeest": "Buurtfeest", "inloop": "Inloop", "other": "Anders",
}

#: The programme's two requirements an application for the buurtbudget meets.
REQUIREMENT: dict[str, str] = {"collective": "Collectief", "physical_social": "Verbindt fysiek en sociaal"}

#: Status labels per entity that has a workflow (the statuses are the keys of TRANSITIONS).
STATUS: dict[str, dict[str, str]] = {
    "signal": {
        "new": "Nieuw",
        "picked_up": "Opgepakt",
        "in_progress": "In behandeling",
        "referred": "Doorverwezen",
        "done": "Afgerond",
        "not_actionable": "Niet uitvoerbaar",
    },
    "idea": {
        "idea": "Idee",
        "in_conversation": "In gesprek",
        "application_submitted": "Aanvraag ingediend",
        "granted": "Toegekend",
        "declined": "Afgewezen",
        "realised": "Gerealiseerd",
    },
}

#: The button that moves a signal *to* a status.
SIGNAL_ACTION: dict[str, str] = {
    "new": "Heropenen",
    "picked_up": "Oppakken",
    "in_progress": "In behandeling nemen",
    "referred": "Doorverwijzen",
    "done": "Afronden",
    "not_actionable": "Niet uitvoerbaar",
}

#: How a history line says that a signal moved *to* a status ("Opgepakt door ...").
SIGNAL_MOVED: dict[str, str] = {
    "new": "Heropend",
    "picked_up": "Opgepakt",
    "in_progress": "In behandeling genomen",
    "referred": "Doorverwezen",
    "done": "Afgerond",
    "not_actionable": "Niet uitvoerbaar verklaard",
}

#: A person's role in Muurtje (what they may see and do: docs/security.md).
ROLE: dict[str, str] = {
    "field_worker": "Wijkcoördinator",
    "team": "Teamlid",
    "manager": "Manager",
    "admin": "Beheerder",
}

ORGANISATION_KIND: dict[str, str] = {
    "gemeente": "Gemeente",
    "woningcorporatie": "Woningcorporatie",
    "welzijn": "Welzijn",
    "other": "Andere organisatie",
}

#: Themes have a domain from the same list as signals.
THEME_DOMAIN: dict[str, str] = DOMAIN

#: What an e-mail in the outbox is about (app/notifications).
NOTIFICATION_KIND: dict[str, str] = {
    "resident_status": "Bewoner: nieuwe status", "urgent_signal": "Urgent signaal", "assigned": "Toegewezen",
    "overdue_digest": "Overzicht verlopen signalen",
}
#: The statuses a resident who asked to hear back is e-mailed about, as the resident reads them:
#: the status in words, and what it means for them.
RESIDENT_STATUS: dict[str, dict[str, tuple[str, str]]] = {
    "signal": {
        "picked_up": ("opgepakt", "Een van de partners in de buurt gaat ermee aan de slag."),
        "done": ("afgerond", "De partners in de buurt hebben het afgehandeld."),
        "not_actionable": ("niet uitvoerbaar", "De partners in de buurt kunnen hier helaas niets mee doen."),
    },
    "idea": {
        "granted": ("toegekend", "Er is steun uit het buurtbudget toegekend."),
        "declined": ("afgewezen", "Het idee krijgt helaas geen steun uit het buurtbudget."),
        "realised": ("gerealiseerd", "Het idee is uitgevoerd. Dank voor uw inzet!"),
    },
}

SIGNAL_STATUSES = tuple(STATUS["signal"])
IDEA_STATUSES = tuple(STATUS["idea"])
SETTINGS = tuple(SETTING)
DOMAINS = tuple(DOMAIN)
URGENCIES = tuple(URGENCY)
SUPPORT_KINDS = tuple(SUPPORT)
GATHERING_KINDS = tuple(GATHERING_KIND)
REQUIREMENTS = tuple(REQUIREMENT)
IDEA_STATUS_LABELS = STATUS["idea"]
ORGANISATION_KINDS = tuple(ORGANISATION_KIND)
THEME_DOMAINS = tuple(THEME_DOMAIN)
#: Every status of every entity, for columns that hold either (a follow-up's status change).
ANY_STATUS: dict[str, str] = {**STATUS["signal"], **STATUS["idea"]}


def as_json() -> dict:
    """Return the whole vocabulary as one JSON-able object (what the JavaScript gets)."""
    return {
        "entity": ENTITY,
        "entity_plural": ENTITY_PLURAL,
        "setting": SETTING,
        "domain": DOMAIN,
        "urgency": URGENCY,
        "support": SUPPORT,
        "status": STATUS,
        "signal_action": SIGNAL_ACTION,
        "signal_moved": SIGNAL_MOVED,
        "organisation_kind": ORGANISATION_KIND,
        "role": ROLE,
        "theme_domain": THEME_DOMAIN,
        "open_signal_statuses": list(OPEN_SIGNAL_STATUSES),
        "gathering_kind": GATHERING_KIND,
        "requirement": REQUIREMENT,
    }

