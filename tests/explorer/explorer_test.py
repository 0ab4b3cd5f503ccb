#!/usr/bin/python3
"""The members' explorer in a real browser.

Runs tests/explorer/history.scenario with `artel test --keep`, serves its
ledger with a real `arteld --ui` (reads private), and drives Debian's
headless Chromium over the DevTools protocol: the charter page lists the
articles and parameters of each version, a member's statement shows the
amounts in money and cites the right articles, following a citation shows
the article's text of that version, the network page draws the right
edges, another member's key and no key are refused, unknown things give
404 pages, and the pages fit a phone's width. Each page's screenshot is
written to OUT so that a reviewer can look at them.

Usage: explorer_test.py ARTEL ARTELD SCENARIO OUT
Exit 77 (skipped) when Chromium or python3-websocket is missing.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser, available  # noqa: E402

if available():
    print("SKIP:", available())
    sys.exit(77)

ARTEL, ARTELD, SCENARIO, OUT = sys.argv[1:5]
NBSP = "\u00a0"
failures = []


def check(cond, what):
    if cond:
        print("ok   ", what)
    else:
        print("FAIL ", what)
        failures.append(what)


def money(minor, sign=False):
    """Minor units (kopecks) as the page writes them, worked out here
    independently: groups of three, two decimals, the currency code."""
    neg = minor < 0
    whole, frac = divmod(abs(minor), 100)
    text = f"{whole:,}".replace(",", " ") + f".{frac:02d} RUB"
    return ("-" if neg else "+" if sign and minor > 0 else "") + text


def http_status(url, headers=None):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})).status
    except urllib.error.HTTPError as e:
        return e.code


def main():
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="artel-explorer-")
    daemon = browser = daemon_err = None
    try:
        run = subprocess.run([ARTEL, "test", SCENARIO, "--keep", os.path.join(work, "ledgers")],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout, run.stderr)
            return 1
        data = os.path.join(work, "ledgers", "1")
        keys = os.path.join(data, "keys")
        daemon_err = open(os.path.join(work, "arteld.err"), "w+")
        daemon = subprocess.Popen([ARTELD, "--data", data, "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=daemon_err, text=True)
        first, second = daemon.stdout.readline(), daemon.stdout.readline()
        api = "http://" + first.split(" on ")[1].split()[0]
        ui = second.split(" on ")[1].strip().rstrip("/")
        print("arteld:", api, "explorer:", ui)

        # The API keeps the reference the page is checked against.
        cs_v1 = json.load(urllib.request.urlopen(api + "/v1/charter/1?coop=1"))
        platform_v1 = json.load(urllib.request.urlopen(api + "/v1/charter/1?coop=0"))
        demurrage_text = platform_v1["document"]["articles"][1]["texts"]["en"]
        check(platform_v1["document"]["articles"][1]["number"] == "2", "the platform's article 2 is its second")

        # HTTP statuses of pages: what exists is 200, what does not is 404.
        check(http_status(ui + "/") == 200, "/ is 200")
        check(http_status(ui + "/charter/1") == 200, "/charter/1 is 200")
        check(http_status(ui + "/charter/1/9") == 404, "an unknown charter version is 404")
        check(http_status(ui + "/charter/77") == 404, "an unknown cooperative is 404")
        check(http_status(ui + "/member/99") == 404, "an unknown member is 404")
        check(http_status(ui + "/nowhere") == 404, "an unknown page is 404")
        check(http_status(ui + "/metrics") == 404, "the explorer's listener does not serve /metrics")
        check(http_status(ui + "/v1/accounts/share:1/statement") == 401, "a statement without a signature is 401")
        check(http_status(ui + "/v1/accounts/share:1/statement",
                          {"Authorization": "Artel-Read key=" + "ab" * 32 + ", expires=1, sig=" + "00" * 64}) == 401,
              "a forged, expired read signature is 401")

        browser = Browser(work)
        browser.size(1100, 900)

        # The platform.
        check(browser.open(ui + "/"), "the home page draws")
        rows = browser.eval("Array.from(document.querySelectorAll('#charters tr')).map(r => r.innerText)")
        check(len(rows) == 3 and "Consumer Society" in rows[1] and "Guarantor" in rows[2], f"three charters listed: {rows}")
        browser.screenshot(OUT, "home")

        # The consumer society's charter: version 2 in force (the amendment
        # took effect after a week), version 1 as it was.
        check(browser.open(ui + "/charter/1"), "the charter page draws")
        h1 = browser.text("h1")
        check(h1 == "Consumer Society", f"the charter's name: {h1!r}")
        params = browser.eval("Object.fromEntries(Array.from(document.querySelectorAll('#parameters tr')).map(r => [r.cells[0].innerText, r.cells[1].innerText]))")
        check(params.get("minimum_contribution") == "50.00 RUB", f"v2's minimum contribution: {params}")
        check(params.get("amendment_majority") == "75%", "the amendment majority")
        titles = browser.eval("Array.from(document.querySelectorAll('.article h3')).map(e => e.innerText)")
        want_titles = [f"Article {a['number']}. {a['titles']['en']}" for a in cs_v1["document"]["articles"]]
        check(titles == want_titles, f"every article, in order: {titles}")
        rights = browser.eval("Object.fromEntries(Array.from(document.querySelectorAll('[data-rule]')).map(e => [e.dataset.rule, e.innerText]))")
        check("three quarters of the general assembly" in rights.get("on_amend", ""), f"on_amend's rights in words: {rights.get('on_amend')}")
        check(rights.get("repay_advance", "").endswith("any member"), "repay_advance: any member")
        check(rights.get("grant_advance", "").endswith("the cooperative"), "grant_advance: the cooperative")
        changes = browser.text("#changes")
        check("minimum_contribution: 100.00 RUB → 50.00 RUB" in changes, f"version 2 says what changed: {changes!r}")
        approved = browser.eval("document.querySelectorAll('#approved li').length")
        check(approved == 4, f"signed by alice, approved by alice, bob, carol: {approved}")
        browser.screenshot(OUT, "charter")
        check(browser.open(ui + "/charter/1/1"), "version 1 draws")
        params = browser.eval("Object.fromEntries(Array.from(document.querySelectorAll('#parameters tr')).map(r => [r.cells[0].innerText, r.cells[1].innerText]))")
        check(params.get("minimum_contribution") == "100.00 RUB", f"v1's minimum contribution: {params}")
        # Russian.
        browser.click("#lang")
        check(browser.wait_ready(), "the page redraws in Russian")
        titles_ru = browser.eval("Array.from(document.querySelectorAll('.article h3')).map(e => e.innerText)")
        check(titles_ru[1] == "Статья 2. Паевые счета и взносы", f"Russian titles: {titles_ru[1:2]}")
        check("три четверти общего собрания" in browser.text("#article-6"), "rights in Russian")
        browser.screenshot(OUT, "charter-ru")
        browser.click("#lang")
        browser.wait_ready()

        # A member's statement: private without a key, and with another's.
        check(browser.open(ui + "/member/1"), "the member page draws")
        code = browser.eval("(document.querySelector('#private') || {dataset: {}}).dataset.code")
        check(code == "read_signature_required", f"no key: private ({code})")
        browser.screenshot(OUT, "member-private")
        check(browser.load_key(os.path.join(keys, "bob.key")), "bob's key loads")
        code = browser.eval("(document.querySelector('#private') || {dataset: {}}).dataset.code")
        check(code == "read_not_allowed", f"bob may not read alice's statement ({code})")
        check(browser.load_key(os.path.join(keys, "alice.key")), "alice's key loads")
        balance = browser.text("#balance").replace(NBSP, " ")
        check(balance == money(86_560), f"alice's balance: {balance!r}")
        lines = browser.eval("Array.from(document.querySelectorAll('#statement tr[data-seq]')).map(r => ({amount: r.cells[1].innerText, balance: r.cells[2].innerText, article: r.cells[3].innerText}))")
        # Worked by hand: 1,000.00 in; 120.00 to bob; 0.5 % of 880.00 =
        # 4.40 demurrage after a week; 10.00 to bob.
        want = [(100_000, 100_000, "Article 2. Share accounts and contributions"),
                (-12_000, 88_000, "Article 3. Transfers between members"),
                (-440, 87_560, "Article 2. Demurrage"),
                (-1_000, 86_560, "Article 3. Transfers between members")]
        got = [(l["amount"].replace(NBSP, " "), l["balance"].replace(NBSP, " "), l["article"].split("\n")[0]) for l in lines]
        check(got == [(money(a, True), money(b), art) for a, b, art in want], f"alice's statement: {got}")
        check("Platform of Consumer Cooperation, v1" in lines[2]["article"], "the demurrage line cites the platform's charter v1")
        check("Consumer Society, v1" in lines[1]["article"], "the transfer cites the society's charter v1")
        check("Consumer Society, v2" in lines[3]["article"], "the later transfer cites v2")
        # Following a citation shows the article's text of that version.
        browser.eval("document.querySelectorAll('#statement tr[data-seq] .cite')[2].click()")
        for _ in range(100):
            shown = browser.eval("(document.querySelector('.cite-text') || {}).innerText || ''")
            if shown:
                break
            time.sleep(0.05)
        flat = lambda x: " ".join(x.split())
        check(flat(demurrage_text) in flat(shown) and "\n\n" in shown and "version 1" in shown, f"the cited article's text: {shown!r} should hold {demurrage_text!r}")
        events = browser.text("#events")
        check("contribution_accepted" in events, f"alice's events: {events[:80]!r}")
        browser.screenshot(OUT, "member")
        # At a phone's width the page does not scroll sideways.
        browser.size(390, 844, mobile=True)
        browser.open(ui + "/member/1")
        width = browser.eval("document.documentElement.scrollWidth")
        check(width <= 390, f"the member page fits 390 px: {width}")
        cell = browser.eval("document.querySelector('#statement tr[data-seq] td:nth-child(4)').getBoundingClientRect().width")
        check(cell > 300, f"on a phone each statement line's article has the full width: {cell:.0f} px")
        browser.screenshot(OUT, "member-phone")
        browser.size(1100, 900)

        # A participant's page shows the guarantees given and received:
        # anna (member 4) has boris (5) and vera (6); boris has gleb (7) and
        # vouches for anna.
        check(browser.load_key(os.path.join(keys, "boris.key")), "boris's key loads")
        browser.open(ui + "/member/5")
        given = browser.text("#guarantees [data-kind=vouches]")
        received = browser.text("#guarantees [data-kind=guarantors]")
        check("Member 4" in given and "Member 7" in received and "Member 6" not in received,
              f"boris's guarantees: {received!r} / {given!r}")
        browser.screenshot(OUT, "member-guarantees")

        # The guarantor network: boris and vera vouch for anna (member 4),
        # gleb for boris (5 -> 4, 6 -> 4, 7 -> 5).
        check(browser.open(ui + "/network/2?member=4&levels=2"), "the network page draws")
        edges = browser.eval("Array.from(document.querySelectorAll('#graph svg g.edge')).map(e => e.id).sort()")
        check(edges == ["e5_4", "e6_4", "e7_5"], f"the graph's edges: {edges}")
        nodes = browser.eval("Array.from(document.querySelectorAll('#graph svg g.node')).map(e => e.id).sort()")
        check(nodes == ["m4", "m5", "m6", "m7"], f"the graph's participants: {nodes}")
        browser.screenshot(OUT, "network")
        browser.size(390, 844, mobile=True)
        browser.open(ui + "/network/2?member=4&levels=2")
        width = browser.eval("document.documentElement.scrollWidth")
        check(width <= 390, f"the network page fits 390 px: {width}")
        browser.screenshot(OUT, "network-phone")
        browser.size(1100, 900)

        # Unknown things say so.
        browser.open(ui + "/charter/1/9")
        code = browser.eval("(document.querySelector('#error') || {dataset: {}}).dataset.code")
        check(code == "unknown_charter_version", f"an unknown version says so ({code})")
        browser.screenshot(OUT, "not-found")
        browser.open(ui + "/member/99")
        code = browser.eval("(document.querySelector('#error') || {dataset: {}}).dataset.code")
        check(code == "unknown_member", f"an unknown member says so ({code})")
    finally:
        if browser:
            browser.close()
        if daemon:
            daemon.send_signal(signal.SIGTERM)
            try:
                # Under the sanitizers a leak or an error at exit fails here.
                ok = daemon.wait(60) == 0
                if not ok:
                    daemon_err.seek(0)
                    print(daemon_err.read()[-6000:])
                check(ok, f"arteld stops cleanly on SIGTERM (exit {daemon.returncode})")
            except subprocess.TimeoutExpired:
                daemon.kill()
                check(False, "arteld stops within 60 s of SIGTERM")
        shutil.rmtree(work, ignore_errors=True)
    print(f"explorer_test: {len(failures)} failed" if failures else "explorer_test: all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
