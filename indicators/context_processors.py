"""The vocabulary every template compares against: `{% if figure.status == FigureStatus.SUBMITTED %}`
instead of a string literal that could drift from the TextChoices."""

from . import formatting
from .models import FigureStatus, Light, Membership


def vocabulary(request):
    # The deployment's word for 时序进度 (PACE_WORD) on Chinese pages; the translation elsewhere.
    pace = formatting.page_pace_word()
    return {"FigureStatus": FigureStatus, "Light": Light, "Role": Membership.Role, "PACE": pace}
