import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The site never serves on a key of its own making: sessions and CSRF tokens would not survive
# a restart and every worker would sign with another key (config/settings.py).
if not settings.SECRET_KEY_GIVEN:
    raise ImproperlyConfigured(settings.SECRET_KEY_MISSING_MESSAGE)
