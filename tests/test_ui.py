"""The search box people expect (ui.js, ui.css, highlight.js), driven in headless Chromium on
the demo page `postsearch index` writes: the modal (keyboard only), recent searches, a post's
sections, highlighting on the page a result opens, ?q=, tag chips and the date sort,
Japanese and English, the loading / no-result / error states, axe-core, and the screenshots
the README shows.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from .browsing import CSP, WATCH, search_box, serve, titles, type_and_wait

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
READY = "() => customElements.get('post-search') && document.querySelectorAll('[role=combobox]').length"


def open_page(browser: Any, url: str, **context: Any) -> Any:
    """A new page at `url` with its errors and searches recorded (see WATCH)."""
    page = browser.new_context(**context).new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_function(READY)
    return page


def active(page: Any) -> dict[str, Any]:
    """What has focus: its tag, class, whether it is inside the open dialog."""
    return page.evaluate(
        """() => {
            const a = document.activeElement;
            return { tag: a.localName, cls: a.className, inDialog: !!a.closest('dialog[open]') };
        }"""
    )


def searches(page: Any) -> int:
    return len(page.evaluate("window.__searches"))


def wait_search(page: Any, before: int) -> None:
    page.wait_for_function("(n) => window.__searches.length > n", arg=before)


# --- the modal ---------------------------------------------------------------------------


def test_modal_opens_searches_and_closes_by_keyboard_alone(page: Any) -> None:
    dialog = page.locator("dialog.postsearch-dialog")
    assert not dialog.evaluate("d => d.open")
    page.keyboard.press("Tab")  # the header's trigger button comes first
    assert active(page)["cls"] == "postsearch-trigger"
    page.keyboard.press("Control+k")
    assert dialog.evaluate("d => d.open") and active(page) == {
        "tag": "input",
        "cls": "postsearch-input",
        "inDialog": True,
    }
    before = searches(page)
    page.keyboard.type("新幹線")
    wait_search(page, before)
    modal_titles = dialog.locator(".postsearch-option:not(.postsearch-sub) .postsearch-title").all_text_contents()
    assert modal_titles[0] == "桜の季節に京都へ日帰り旅行"
    for _ in range(12):  # Tab cycles through the dialog's controls and never leaves it
        page.keyboard.press("Tab")
        assert active(page)["inDialog"], active(page)
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        assert active(page)["inDialog"]
    page.locator("dialog .postsearch-input").focus()
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert active(page)["cls"] == "postsearch-trigger"  # focus goes back where it was

    page.keyboard.press("Meta+k")  # ⌘K on a Mac
    assert dialog.evaluate("d => d.open")
    page.keyboard.press("Escape")
    page.locator("main h1").click()  # nothing focused: `/` opens it too
    page.keyboard.press("/")
    assert dialog.evaluate("d => d.open")
    page.keyboard.press("ArrowDown")  # the last query's results are still there
    href = dialog.locator("[aria-selected=true]").get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == href
    assert page.errors == []


def test_slash_is_a_character_while_typing(page: Any) -> None:
    search_box(page).click()
    page.keyboard.type("a/b")
    assert search_box(page).input_value() == "a/b"
    assert not page.locator("dialog").evaluate("d => d.open")


# --- recent searches ---------------------------------------------------------------------


def test_recent_searches_are_kept_offered_and_cleared(page: Any, site: str) -> None:
    type_and_wait(page, "形態素解析")
    search_box(page).press("ArrowDown")
    with page.expect_navigation():
        search_box(page).press("Enter")  # following a result keeps its query
    page.goto(f"{site}/demo.html")
    page.wait_for_function(READY)
    search_box(page).focus()  # empty box: the recent searches
    recent = page.locator("main .postsearch-recent")
    assert recent.all_text_contents() == ["形態素解析"]
    assert page.locator("main .postsearch-heading").is_visible()
    before = searches(page)
    search_box(page).press("ArrowDown")
    search_box(page).press("Enter")  # runs it again
    wait_search(page, before)
    assert search_box(page).input_value() == "形態素解析"
    assert titles(page)[0] == "形態素解析入門"
    search_box(page).fill("")
    search_box(page).press("Escape")
    page.wait_for_function("() => document.querySelector('main .postsearch-recent')")
    page.keyboard.press("Tab")  # from the box through the chips to 履歴を消去
    for _ in range(20):
        if active(page)["cls"] == "postsearch-clear":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert recent.count() == 0
    assert page.evaluate("Object.keys(localStorage).filter((k) => localStorage[k] !== '[]')") == []


# --- a post's sections -------------------------------------------------------------------


def test_a_post_shows_its_best_sections_each_linked(page: Any, example: Any) -> None:
    type_and_wait(page, "新幹線")
    hit = example.search("新幹線", 5).hits[0]
    assert len(hit.sections) == 2  # the kyoto post: two sections mention 新幹線
    first = page.locator("main .postsearch-option").nth(0)
    subs = page.locator("main .postsearch-sub")
    assert subs.count() == 2  # the other posts have one section at most: none listed
    assert subs.locator(".postsearch-title").all_text_contents() == [s["title"] for s in hit.sections]
    for i, section in enumerate(hit.sections):
        link = urlsplit(subs.nth(i).get_attribute("href"))
        assert (link.path, link.fragment) == (hit.url, quote(section["anchor"]))
        assert subs.nth(i).locator(".postsearch-excerpt mark").first.text_content() == "新幹線"
    assert first.locator(".postsearch-title").text_content() == hit.title
    box = search_box(page)
    for _ in range(3):  # the post, then its two sections
        box.press("ArrowDown")
    assert page.locator("main [aria-selected=true]").get_attribute("class") == "postsearch-option postsearch-sub"
    href = subs.nth(1).get_attribute("href")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == href


# --- highlight on the page a result opens ------------------------------------------------

LONG_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{title}</title>
<script type="module" src="/search/highlight.js"></script></head>
<body><nav>目次 灯台</nav><main><h1>{title}</h1>
{filler}
<h2 id="lighthouse">岬の灯台</h2>
<p>坂を上りきると、白い灯台が見えた。灯台の中は小さな資料館になっている。</p>
<textarea>灯台</textarea>
</main></body></html>
"""


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small built site with one long page, indexed from its HTML into /search/."""
    site = tmp_path_factory.mktemp("built") / "site"
    (site / "cape").mkdir(parents=True)
    filler = "\n".join(f"<p>海沿いの道を歩いた{i}日目の記録。波の音が続いていた。</p>" for i in range(80))
    page = LONG_PAGE.format(csp=CSP, title="岬までの散歩", filler=filler)
    (site / "cape" / "index.html").write_text(page, encoding="utf-8")
    (site / "index.html").write_text(
        "<!doctype html><html lang=ja><title>トップ</title><main><h1>トップ</h1><p>港町の案内。</p></main></html>",
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "postsearch", "index", str(site), "--html", "-o", str(site / "search"), "--no-cache"],
        check=True,
        capture_output=True,
    )
    return site


def test_following_a_result_highlights_the_words_on_its_page(browser: Any, built_site: Path) -> None:
    server = serve(built_site, {})
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = open_page(browser, f"{base}/search/demo.html?q={quote('灯台')}", viewport={"width": 1280, "height": 720})
        page.wait_for_function("() => document.querySelector('main .postsearch-option')")
        box = search_box(page)
        box.press("ArrowDown")
        with page.expect_navigation():
            box.press("Enter")
        url = urlsplit(page.url)
        assert (url.path, url.fragment) == ("/cape/", "lighthouse")
        page.wait_for_function("() => document.querySelector('mark.postsearch-highlight')")
        marks = page.locator("mark.postsearch-highlight")
        assert marks.all_text_contents() == ["灯台"] * 3  # the heading and the text, not nav or script
        assert page.locator("nav mark").count() == 0
        top = page.evaluate("document.getElementById('lighthouse').getBoundingClientRect().top")
        assert 0 <= top < 720  # the section is in view
        assert page.errors == [] and page.evaluate("window.__csp") == []

        # Without a #section, the first mark is scrolled into view.
        page.goto(f"{base}/cape/?postsearch-highlight={quote('資料館')}")
        page.wait_for_function("() => document.querySelector('mark.postsearch-highlight')")
        box_top = page.evaluate("document.querySelector('mark.postsearch-highlight').getBoundingClientRect().top")
        assert 0 <= box_top < 720
        assert page.evaluate("window.scrollY") > 0
    finally:
        server.shutdown()
        server.server_close()


# --- ?q= ---------------------------------------------------------------------------------


def test_q_runs_the_search_and_follows_what_is_typed(browser: Any, site: str) -> None:
    page = open_page(browser, f"{site}/demo.html?q={quote('新幹線')}")
    page.wait_for_function("() => document.querySelector('main .postsearch-option')")
    assert search_box(page).input_value() == "新幹線"
    assert titles(page)[0] == "桜の季節に京都へ日帰り旅行"
    assert not page.locator("dialog").evaluate("d => d.open")  # only the box that asked for ?q= reads it
    length = page.evaluate("history.length")
    type_and_wait(page, "形態素解析")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["形態素解析"]}
    assert page.evaluate("history.length") == length  # replaced, not pushed: Back leaves the page
    search_box(page).fill("")  # an empty box: no ?q= left
    page.wait_for_function("() => location.search === ''")
    page.close()


# --- filters and sort --------------------------------------------------------------------


def test_tag_chips_and_date_sort_by_keyboard(page: Any, example: Any) -> None:
    box = search_box(page)
    box.focus()
    chips = page.locator("main .postsearch-chip:not(.postsearch-sort)")
    page.wait_for_function("() => document.querySelectorAll('main .postsearch-chip').length")
    tags = example.tags()[:8]
    assert chips.count() == len(tags)
    assert [(c.locator(".postsearch-count").text_content(), c.get_attribute("aria-pressed")) for c in chips.all()] == [
        (str(n), "false") for _, n in tags
    ]
    type_and_wait(page, "旅")
    everything = titles(page)
    target = "travel"
    chip = page.locator("main .postsearch-chip", has_text=target).first
    for _ in range(30):  # Tab from the box to the chip, Space presses it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith(target):
            break
    before = searches(page)
    page.keyboard.press(" ")
    wait_search(page, before)
    assert chip.get_attribute("aria-pressed") == "true"
    narrowed = titles(page)
    assert narrowed == [h.title for h in example.search("旅", 5, tags=[target]).hits]
    assert set(narrowed) < set(everything) or len(narrowed) < len(everything)
    for option in page.locator("main .postsearch-option:not(.postsearch-sub)").all():
        assert target in option.locator(".postsearch-tag").all_text_contents()

    page.keyboard.press(" ")  # pressed again: the filter is off
    box.fill("")
    before = searches(page)
    page.locator("main .postsearch-sort").focus()
    page.keyboard.press("Enter")  # newest first
    type_and_wait(page, "使う")
    dates = page.locator("main .postsearch-option:not(.postsearch-sub) time").evaluate_all(
        "ts => ts.map((t) => t.dateTime)"
    )
    assert titles(page) == [h.title for h in example.search("使う", 5, sort="date").hits]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 3


def test_a_chip_alone_lists_its_posts(page: Any, example: Any) -> None:
    search_box(page).focus()
    page.wait_for_function("() => document.querySelectorAll('main .postsearch-chip').length")
    before = searches(page)
    page.locator("main .postsearch-chip", has_text="新幹線").first.click()
    wait_search(page, before)
    assert sorted(titles(page)) == sorted(h.title for h in example.search("", 5, tags=["新幹線"]).hits)


# --- language and states -----------------------------------------------------------------

ENGLISH = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>English page</title><link rel="stylesheet" href="/ui.css"><script type="module" src="/ui.js"></script></head>
<body><main><h1>Search</h1>
<post-search index-url="/" strings='{{"placeholder": "Find a post"}}'></post-search>
<post-search index-url="/missing/" lang="ja" filters="false"></post-search>
</main></body></html>
"""


@pytest.fixture(scope="module")
def english_site(example_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    page = tmp_path_factory.mktemp("english") / "en.html"
    page.write_text(ENGLISH.format(csp=CSP), encoding="utf-8")
    server = serve(example_index, {"/en.html": page})
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_english_strings_overrides_and_an_index_that_fails(browser: Any, english_site: str) -> None:
    page = open_page(browser, f"{english_site}/en.html")
    english, broken = page.locator(".postsearch").nth(0), page.locator(".postsearch").nth(1)
    assert page.get_by_role("combobox", name="Search this site").count() == 1  # from <html lang="en">
    assert english.locator("input").get_attribute("placeholder") == "Find a post"  # overridden
    before = searches(page)
    english.locator("input").fill("新幹線")
    wait_search(page, before)
    assert english.locator(".postsearch-status").text_content() == "3 posts found"
    english.locator("input").fill("ゾウアザラシ")
    page.wait_for_function("() => document.querySelector('.postsearch').dataset.state === 'empty'")
    assert english.locator(".postsearch-status").text_content() == "No posts match “ゾウアザラシ”"
    assert english.locator(".postsearch-hint").is_visible()  # with a hint

    broken.locator("input").fill("新幹線")  # lang="ja" on the element; its index is not there
    page.wait_for_function("() => document.querySelectorAll('.postsearch')[1].dataset.state === 'error'")
    assert broken.locator(".postsearch-status").text_content().startswith("検索を利用できません")
    assert broken.get_attribute("aria-busy") == "false"  # not a hang
    assert broken.locator(".postsearch-filters").is_hidden()
    page.close()


def test_loading_state_while_the_index_is_on_its_way(browser: Any, site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    held: list[Any] = []
    page.route("**/manifest.json", lambda route: held.append(route))
    page.goto(f"{site}/demo.html")
    page.wait_for_function(READY)
    search_box(page).fill("新幹線")
    page.wait_for_function("() => document.querySelector('main .postsearch').dataset.state === 'loading'")
    root = page.locator("main .postsearch")
    assert root.get_attribute("aria-busy") == "true"
    assert page.locator("main .postsearch-status").text_content() == "検索中…"
    for route in held:
        route.continue_()
    page.unroute("**/manifest.json")
    page.wait_for_function("() => document.querySelector('main .postsearch').dataset.state === 'results'")
    assert root.get_attribute("aria-busy") == "false"
    context.close()


# --- accessibility, size, screenshots ----------------------------------------------------


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations of serious or critical impact on the page as it is now."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/a11y (scripts/test.sh does it)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_or_critical_violations(browser: Any, site: str, english_site: str) -> None:
    # bypass_csp: axe is added as a script the page's own policy would refuse
    page = open_page(browser, f"{site}/demo.html", bypass_csp=True)
    problems = {"idle": axe_violations(page)}
    type_and_wait(page, "新幹線 京都")  # results, sections, partial matches, chips
    search_box(page).press("ArrowDown")
    problems["results"] = axe_violations(page)
    page.keyboard.press("Control+k")
    page.keyboard.type("形態素")
    page.wait_for_function("() => document.querySelector('dialog .postsearch-option')")
    problems["modal"] = axe_violations(page)
    page.keyboard.press("Escape")
    search_box(page).fill("")
    search_box(page).focus()
    page2 = open_page(browser, f"{english_site}/en.html", bypass_csp=True)
    page2.locator(".postsearch-input").nth(1).fill("x")
    page2.wait_for_function("() => document.querySelectorAll('.postsearch')[1].dataset.state === 'error'")
    problems["english, error"] = axe_violations(page2)
    assert all(not v for v in problems.values()), problems


def test_ui_sizes() -> None:
    """ui.js stays within 10 KiB gzip (tests/test_parity.py checks the budget); highlight.js,
    which every page that wants highlighting loads, stays small too."""
    web = ROOT / "src" / "postsearch" / "web"
    size = len(gzip.compress((web / "highlight.js").read_bytes(), compresslevel=9))
    assert size <= 2 * 1024, size


@pytest.mark.parametrize(("width", "height", "name"), [(375, 812, "phone"), (1280, 800, "desktop")])
def test_screenshots_for_the_readme(browser: Any, site: str, width: int, height: int, name: str) -> None:
    """The README's screenshots, made from the example site (test-artifacts/box-*.png)."""
    page = open_page(browser, f"{site}/demo.html", viewport={"width": width, "height": height}, device_scale_factor=1)
    if name == "phone":  # the modal fills a phone's screen
        page.locator(".postsearch-trigger").click()
        page.keyboard.type("新幹線")
        page.wait_for_function("() => document.querySelector('dialog .postsearch-option')")
        assert page.locator("dialog").evaluate("d => d.getBoundingClientRect().width") == width
    else:
        type_and_wait(page, "新幹線")
        search_box(page).press("ArrowDown")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0  # nothing wider than the screen
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"box-{name}.png"))
    if shutil.which("optipng"):  # smaller files for the README, when optipng is there
        subprocess.run(["optipng", "-quiet", str(ARTIFACTS / f"box-{name}.png")], check=False)
    assert page.errors == []


def test_a_removed_modal_leaves_nothing_behind(page: Any) -> None:
    """Taking the modal's element off the page removes its button and dialog and frees the
    shortcuts (disconnectedCallback → destroy)."""
    page.evaluate("() => document.querySelector('post-search[mode=modal]').remove()")
    assert page.locator(".postsearch-trigger").count() == 0
    assert page.locator("dialog.postsearch-dialog").count() == 0
    page.locator("main h1").click()
    page.keyboard.press("Control+k")  # nothing answers it any more, and nothing fails
    assert page.errors == []
