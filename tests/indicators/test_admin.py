import io

import pytest
from django.contrib import admin
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_every_admin_list_search_and_add_page_opens(client):
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="admin", password="demo1234")
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        assert client.get(base + "?q=镇").status_code == 200, base
        assert client.get(base + "add/").status_code in (200, 403), base
        first = model._default_manager.first()
        if first is not None:
            assert client.get(f"{base}{first.pk}/change/").status_code == 200, base


def test_non_staff_cannot_open_the_admin(client):
    call_command("load_demo", stdout=io.StringIO())
    client.login(username="leader", password="demo1234")
    assert client.get("/admin/indicators/figure/").status_code == 302
