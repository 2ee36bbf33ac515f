"""The product's own error pages (Dutch, in the site layout) for everything outside /api/."""

from __future__ import annotations

from flask import Response, make_response, render_template

#: status -> (title, explanation)
PAGES = {
    400: ("Verzoek niet begrepen",
          "Deze pagina kon het verzoek niet verwerken. Controleer het adres of probeer het opnieuw."),
    401: ("Aanmelden nodig", "Meld u aan om deze pagina te zien."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina. Denkt u dat dit niet klopt? Vraag het de beheerder."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres, of ga naar de startpagina."),
    405: ("Dit kan hier niet", "Deze pagina kan niet op deze manier worden gebruikt."),
    413: ("Te groot", "Wat u stuurde is te groot om te verwerken."),
    429: ("Even wachten", "Er kwamen te veel verzoeken kort na elkaar. Wacht even en probeer het dan opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis op de server. De fout is gelogd; probeer het later opnieuw."),
    503: ("Tijdelijk niet beschikbaar", "Muurtje is even niet bereikbaar. Probeer het over een paar minuten opnieuw."),
}
GENERIC = ("Er ging iets mis", "Deze pagina kon niet worden getoond. Probeer het later opnieuw.")


def error_page(status: int, headers: dict | None = None) -> Response:
    """Render the Dutch error page for `status`, keeping headers such as Allow and Retry-After."""
    title, explanation = PAGES.get(status, GENERIC)
    response = make_response(render_template("error.html", status=status, title=title, explanation=explanation),
                              status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
