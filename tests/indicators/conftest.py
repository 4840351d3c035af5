import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo township, loaded once for the module; every test runs in a rolled-back
    transaction on top of it, and the module leaves the database empty."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)
