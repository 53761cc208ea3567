"""Every page an administrator sees in Django admin is Chinese (issue: "AXES / Access
attempts", "After you've created a user…", "Can add log entry", "case copy", "Created at",
raw stage keys, "过滤器" instead of our "筛选").

The demo office is seeded, then the index, every app index and, for every registered model,
its list, add, change and history pages are read as the administrator; any English word in
the visible text (and in titles, placeholders, labels and button captions) fails the test,
except identifiers that are data: usernames, codes, hashes, stage keys, JSON keys of a
trail snapshot, key names in Django's own help text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from approvals import registry
from approvals.models import Action
from documents.models import Document
from org.models import Unit, User

WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")
HEX = re.compile(r"^[a-f]+$")
ALLOWED = {
    "Control", "Command", "Mac",  # Django: 按住 Control 键或 Mac 上的 Command 键来选择多项
    "HTTP", "Accept",  # the header's own name (HTTP Accept 请求头)
    "pbkdf", "sha",  # password hasher's name
    "unknown",  # axes stores "<unknown>" for a missing user agent / path
    "yuan",
}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        a = dict(attrs)
        for key in ("title", "placeholder", "aria-label"):
            if a.get(key):
                self.parts.append(a[key])
        if tag == "img" and a.get("alt") not in (None, "True", "False", "None"):  # boolean icons: Django's own
            self.parts.append(a["alt"])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def admin_pages() -> list[str]:
    pages = {reverse("admin:index")}
    for model in admin.site._registry:
        o = model._meta
        pages.add(reverse("admin:app_list", args=[o.app_label]))
        pages.add(reverse(f"admin:{o.app_label}_{o.model_name}_changelist"))
        try:
            pages.add(reverse(f"admin:{o.app_label}_{o.model_name}_add"))
        except NoReverseMatch:
            pass
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.add(reverse(f"admin:{o.app_label}_{o.model_name}_change", args=[obj.pk]))
            pages.add(reverse(f"admin:{o.app_label}_{o.model_name}_history", args=[obj.pk]))
    return sorted(pages)


def data_words() -> set[str]:
    """Identifiers that are data, not interface: usernames, unit codes, stage keys, snapshot keys."""
    words = set(ALLOWED)
    for name in User.objects.values_list("username", flat=True):
        words.update(WORD.findall(name))
    for code in Unit.objects.values_list("code", flat=True):
        words.update(WORD.findall(code))
    for key in registry.all_sections():
        words.update(WORD.findall(key))
    for extension in Document.objects.values_list("extension", flat=True).distinct():
        words.update(WORD.findall(extension))  # a file's own name: 合同文本.pdf
    for snapshot in Action.objects.values_list("snapshot", flat=True):
        for key, value in snapshot.items():
            words.update(WORD.findall(key))
            if isinstance(value, str) and value.isascii():
                words.update(WORD.findall(value))
    return words


def english_words(html: str, allowed: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    found = set()
    for word in WORD.findall(" ".join(parser.parts)):
        if word in allowed or word.isupper() or HEX.match(word):
            continue
        found.add(word)
    return found


@pytest.mark.django_db
def test_every_admin_page_reads_in_chinese(client):
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(username="admin"))
    client.get(reverse("admin:index"))  # an access log entry exists from here on
    allowed = data_words()
    english = {}
    for url in admin_pages():
        response = client.get(url)
        if response.status_code == 403:  # read-only models have no add page
            continue
        assert response.status_code == 200, url
        words = english_words(response.content.decode(), allowed)
        if words:
            english[url] = sorted(words)
    assert english == {}


@pytest.mark.django_db
def test_our_wording_wins_over_the_admin_catalog(client, office):
    """'Filter' is 筛选 in our catalogs; the admin's own 过滤器 must not win."""
    client.force_login(office.admin)
    body = client.get(reverse("admin:approvals_matter_changelist")).content.decode()
    assert "筛选" in body and "过滤器" not in body


def test_permission_names_read_in_chinese(db):
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="add_casecopy")
    assert str(perm) == "审批 | 抄送记录 | 可以添加抄送记录"
    history = Permission.objects.get(codename="view_historicalcase")
    assert str(history).endswith("可以查看表单（历史记录）")
