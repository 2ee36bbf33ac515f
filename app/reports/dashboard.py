"""The manager dashboard page: period picker, table, choropleth, trend, themes and downloads."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from app.budget import logic as budget_logic
from app.reports.summary import COLUMN_LABELS, local_today, scope_for, theme_labels

blp = Blueprint("dashboard", __name__)


@blp.get("/dashboard")
@login_required
def dashboard():
    """Show the dashboard to managers and admins (all figures) and team members (their organisation's)."""
    scope = scope_for(current_user)
    if scope is None:
        abort(403)
    organisation = current_user.organisation.name if current_user.organisation else None
    year = local_today().year
    return render_template(
        "dashboard.html",
        budgets=budget_logic.budgets(year) if scope.everything else [],
        wijk_budgets=budget_logic.budget_by_wijk(year) if scope.everything else [],
        budget_year=year,
        everything=scope.everything,
        organisation=organisation,
        # The page shows money in euros, so the "(eurocent)" of the file headers goes.
        labels={k: v.replace("(eurocent)", "(€)") for k, v in COLUMN_LABELS.items()},
        themes=theme_labels(),
        tile_url=current_app.config.get("TILE_URL") or "",
        tile_attribution=current_app.config.get("TILE_ATTRIBUTION") or "",
    )
