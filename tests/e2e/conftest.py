"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server
(127.0.0.1, PostgreSQL), on the seeded catalogue (``approvals.demo`` + ``budget.demo``) over
the small office of ``tests/conftest.py``.

Every page a test opens is watched: a console error, an uncaught script error, a request
that failed or a content-security-policy violation fails the test (``Session.assert_clean``).
The final state of each scenario is saved as a screenshot in ``tests/e2e/screens/``
(git-ignored; CI keeps it as an artifact)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

SCREENS = Path(__file__).resolve().parent / "screens"
# `make test` names the browser; run on their own, these tests use Debian's.
os.environ.setdefault("NEIQIAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Reported by the page itself, so a violation is caught even if Chromium's own console
# message changes wording.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture(scope="session")
def browser(browser):
    """Debian's Chromium with the flags the project mandates. The shared fixture of
    tests/conftest.py launches it without them; its Playwright (one per test process: a
    second sync Playwright cannot start beside it) launches it again here, with them.
    Never downloads a browser."""
    path = os.environ.get("NEIQIAO_CHROMIUM") or "/usr/bin/chromium"
    chromium = browser.browser_type.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and export files of a test go to its own folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Session:
    """One person's browser context with its page and everything the page complained about."""

    page: object
    context: object
    errors: list[str] = field(default_factory=list)

    def sign_in(self, user, password):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))
        assert "/accounts/login/" not in page.url, f"{user.username} could not sign in"
        return self

    def shot(self, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.evaluate("window.scrollTo(0, 0)")  # a sticky top bar is drawn where the page was scrolled
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self):
        assert self.errors == [], "browser console: " + " | ".join(self.errors)


@pytest.fixture
def open_session(browser, live_server):
    """``open_session(viewport=PHONE, mobile=True)`` → a fresh Session; closed after the test."""
    opened: list[Session] = []

    def _open(*, viewport=DESKTOP, mobile: bool = False) -> Session:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport=viewport, is_mobile=mobile, has_touch=mobile,
            accept_downloads=True,
        )
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        session = Session(page=page, context=context)

        def on_console(msg):
            if msg.type != "error":
                return
            source = (msg.location or {}).get("url", "")
            if source.endswith("/favicon.ico"):
                # Django's admin pages do not link our icon, so Chromium asks for /favicon.ico
                # (404): not a script or policy error. Reported to the foundation.
                return
            session.errors.append(f"console: {msg.text} @ {page.url} ({source})")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: session.errors.append(f"pageerror: {exc} @ {page.url}"))

        def on_failed(request):
            # "aborted" is the browser cancelling a load, not the server failing it: a download
            # handed to Playwright, or the icon of a page left before it arrived
            if request.failure and "ERR_ABORTED" in request.failure:
                return
            session.errors.append(f"failed: {request.url} ({request.failure})")

        page.on("requestfailed", on_failed)
        opened.append(session)
        return session

    yield _open
    for s in opened:
        s.context.close()


@pytest.fixture
def seeded(office):
    """The demo matter catalogue and routing policies, and the demo budget of the year for the
    office's units (lines, a spread of payments, a few forms through approval)."""
    from approvals import demo as approvals_demo
    from approvals.models import Matter
    from budget import demo as budget_demo

    approvals_demo.seed()
    budget_demo.seed()
    return SimpleNamespace(matters={m.code: m for m in Matter.objects.all()})
