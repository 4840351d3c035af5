"""The vocabulary every template compares against: `{% if figure.status == FigureStatus.SUBMITTED %}`
instead of a string literal that could drift from the TextChoices."""

from .models import FigureStatus, Light, Membership


def vocabulary(request):
    return {"FigureStatus": FigureStatus, "Light": Light, "Role": Membership.Role}
