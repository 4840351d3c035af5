"""The one precision of every stored figure, target and sum (shared by the models' modules)."""

from django.db import models

# One precision for every stored figure and target: 14 integer digits, 6 decimals.
FIGURE_DIGITS = 20
FIGURE_PLACES = 6


def figure_field(**kwargs):
    return models.DecimalField(max_digits=FIGURE_DIGITS, decimal_places=FIGURE_PLACES, **kwargs)
