"""`/api/v1/budgets`: the programme's budgets with granted, spent and remaining (docs/API.md v1.1)."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from app.accounts.auth import login_required, role_required
from app.budget import logic
from app.database import write_transaction
from app.errors import ApiError, ProblemOut
from app.extensions import db
from app.models import Budget, Buurt
from offline_sync.budget import euro
from offline_sync.messages_nl import DutchSchema

blp = Blueprint("budgets", __name__, url_prefix="/api/v1/budgets", description="Buurtbudget")

DECIDING = ("manager", "admin")
MAX_CENTS = 10**13


class BudgetOut(DutchSchema):
    id = fields.UUID()
    year = fields.Integer()
    name = fields.String()
    amount_cents = fields.Integer()
    wijk_code = fields.String(allow_none=True)
    wijk_name = fields.String(allow_none=True)
    granted_cents = fields.Integer(metadata={"description": "Som toegekend over ideeën (toegekend, gerealiseerd)."})
    spent_cents = fields.Integer(metadata={"description": "Som van besteed over die ideeën."})
    remaining_cents = fields.Integer(metadata={"description": "amount_cents - granted_cents"})
    requested_cents = fields.Integer(metadata={"description": "Gevraagd in aanvragen die op een besluit wachten."})
    applications = fields.Integer(metadata={"description": "Aantal aanvragen dat op een besluit wacht."})
    granted_ideas = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class BudgetList(DutchSchema):
    items = fields.List(fields.Nested(BudgetOut))


class BudgetQuery(DutchSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(1900, 2200))


class BudgetIn(DutchSchema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2200))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(0, MAX_CENTS))
    wijk_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=16))

    @validates_schema
    def _known_wijk(self, data: dict, **_kw) -> None:
        code = data.get("wijk_code")
        if code is not None and db.session.scalar(select(Buurt.code).where(Buurt.wijk_code == code).limit(1)) is None:
            raise ValidationError(f"Onbekende wijkcode {code}.", "wijk_code")


class BudgetPatch(BudgetIn):
    year = fields.Integer(strict=True, validate=validate.Range(2000, 2200))
    name = fields.String(validate=validate.Length(min=1, max=200))
    amount_cents = fields.Integer(strict=True, validate=validate.Range(0, MAX_CENTS))
    wijk_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=16))


def _answer(budget: Budget) -> dict:
    figures = logic.figures_by_budget([budget.id]).get(budget.id)
    return logic.budget_dict(budget, figures, logic.wijk_names())


def create_budget(values: dict) -> Budget:
    """Create a budget in a write transaction (also used by the /budget pages)."""
    with write_transaction(db.session()):
        budget = Budget(id=uuid.uuid4(), created_by_id=current_user.id, **values)
        db.session.add(budget)
    return budget


def update_budget(budget_id: uuid.UUID, values: dict) -> Budget:
    """Change a budget; its amount never drops below what is granted from it (row locked)."""
    with write_transaction(db.session()):
        budget = logic.lock_budget(budget_id)
        if budget is None:
            raise ApiError(404, "Dit budget bestaat niet.")
        if "amount_cents" in values:
            granted = logic.figures_by_budget([budget_id]).get(budget_id, {}).get("granted_cents", 0)
            if values["amount_cents"] < granted:
                raise ApiError(400, "Het bedrag kan niet lager zijn dan wat al is toegekend.",
                               {"amount_cents": [f"Er is al {euro(granted)} toegekend uit dit budget."]})
        for key, value in values.items():
            setattr(budget, key, value)
    return budget


@blp.route("")
class Budgets(MethodView):
    @login_required
    @blp.arguments(BudgetQuery, location="query")
    @blp.response(200, BudgetList)
    def get(self, query):
        """Return the budgets (optionally of one year), each with granted, spent and remaining."""
        return {"items": logic.budgets(query["year"])}

    @role_required(*DECIDING)
    @blp.arguments(BudgetIn)
    @blp.response(201, BudgetOut)
    @blp.alt_response(400, schema=ProblemOut, description="Ongeldige invoer")
    @blp.alt_response(403, schema=ProblemOut, description="Alleen programmamanagers en beheerders")
    def post(self, body):
        """Create a year's budget, for the whole programme (no `wijk_code`) or for one wijk."""
        return _answer(create_budget(body))


@blp.route("/<uuid:budget_id>")
class OneBudget(MethodView):
    @login_required
    @blp.response(200, BudgetOut)
    @blp.alt_response(404, schema=ProblemOut, description="Onbekend budget")
    def get(self, budget_id: uuid.UUID):
        """Return one budget with granted, spent and remaining."""
        budget = db.session.get(Budget, budget_id)
        if budget is None:
            raise ApiError(404, "Dit budget bestaat niet.")
        return _answer(budget)

    @role_required(*DECIDING)
    @blp.arguments(BudgetPatch)
    @blp.response(200, BudgetOut)
    @blp.alt_response(400, schema=ProblemOut, description="Ongeldige invoer of lager dan toegekend")
    @blp.alt_response(403, schema=ProblemOut, description="Alleen programmamanagers en beheerders")
    @blp.alt_response(404, schema=ProblemOut, description="Onbekend budget")
    def patch(self, body, budget_id: uuid.UUID):
        """Change name, year, wijk or amount; the amount never below what is already granted."""
        return _answer(update_budget(budget_id, body))

