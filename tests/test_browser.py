"""The browser side in Chromium: postsearch.js answers like search.py, and the demo page's
search box works (results, keyboard, IME composition), stays safe with hostile post data,
and runs under its strict Content Security Policy.

Needs the `playwright` Python package and Debian's Chromium at /usr/bin/chromium (never a
downloaded browser). Missing either fails the tests: CI installs them (scripts/test.sh).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from .browsing import CSP, search_box, titles, type_and_wait

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

XSS_TITLE = '<img src=x onerror="window.__xss=1">XSS確認用の記事'
SHINKANSEN_TITLES = ["桜の季節に京都へ日帰り旅行", "金沢へ向かう前に大阪で一泊", "形態素解析入門"]


def test_parity_in_chromium(page: Any) -> None:
    """postsearch.js in Chromium gives Python's answers to every parity query."""
    parity = json.loads(page.evaluate("fetch('/parity.json').then((r) => r.text())"))
    answers = page.evaluate(
        """async () => {
            const ps = await import('/postsearch.js');
            const parity = await (await fetch('/parity.json')).json();
            const index = await ps.openIndex('./');
            const out = [];
            for (const { query, options } of parity.queries) {
                try {
                    const r = await index.search(query, parity.limit, options ?? {});
                    out.push({ total: r.total, complete: r.complete, hits: r.hits, bytesRead: r.bytesRead });
                } catch (error) {
                    out.push({ error: String(error.stack) });
                }
            }
            return out;
        }"""
    )
    assert len(answers) == len(parity["queries"])
    problems = []
    for n, (want, got) in enumerate(zip(parity["queries"], answers, strict=True)):
        where = f"query #{n} {json.dumps(want['query'], ensure_ascii=False)[:80]}"
        if "error" in got:
            problems.append(f"{where}: {got['error']}")
            continue
        for key in ("total", "complete", "bytesRead"):
            if got[key] != want[key]:
                problems.append(f"{where}: {key} {got[key]}, Python {want[key]}")
        if [h["path"] for h in got["hits"]] != [h["path"] for h in want["hits"]]:
            problems.append(
                f"{where}: hits {[h['path'] for h in got['hits']]}, Python {[h['path'] for h in want['hits']]}"
            )
            continue
        for i, (g, w) in enumerate(zip(got["hits"], want["hits"], strict=True)):
            for key in ("url", "title", "date", "tags", "excerpt", "anchor", "section", "missing", "sections"):
                if g[key] != w[key]:
                    problems.append(f"{where}: hit {i} {key}\n  js: {g[key]!r}\n  py: {w[key]!r}")
            if not math.isclose(g["score"], w["score"], rel_tol=0, abs_tol=1e-9):
                problems.append(f"{where}: hit {i} score {g['score']}, Python {w['score']}")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])
    assert page.evaluate("window.__csp") == []


def test_more_results_button(page: Any) -> None:
    """Five hits at first (each shown hit costs its text); もっと見る shows five more."""
    type_and_wait(page, "ページ")
    more = page.locator("main .postsearch-more")
    assert len(titles(page)) == 5 and more.is_visible()
    done = len(page.evaluate("window.__searches"))
    more.click()
    page.wait_for_function("(n) => window.__searches.length > n", arg=done)
    assert len(titles(page)) == 10
    type_and_wait(page, "新幹線")  # three hits: nothing more to show
    assert len(titles(page)) == 3 and not more.is_visible()


def test_hit_links_to_the_section_that_matched(page: Any) -> None:
    type_and_wait(page, "東京駅から新大阪駅まで")
    link = page.locator("main a.postsearch-option").first
    href = urlsplit(link.get_attribute("href"))
    assert (href.path, href.fragment) == ("/2016/04/02/kyoto-day-trip/", quote("東京駅から新大阪駅まで"))
    # the words its excerpt marked, for highlight.js on the page it opens
    assert parse_qs(href.query) == {"postsearch-highlight": ["東京駅 新大阪駅"]}
    assert page.locator("main .postsearch-section").first.text_content() == "東京駅から新大阪駅まで"


def test_demo_search_and_keyboard(page: Any) -> None:
    box = search_box(page)
    assert page.get_by_role("combobox", name="サイト内検索").count() == 1  # labelled
    type_and_wait(page, "新幹線")
    assert titles(page)[:3] == SHINKANSEN_TITLES
    assert box.get_attribute("aria-expanded") == "true"
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    assert listbox.get_attribute("role") == "listbox"
    options = listbox.locator("[role=option]")  # each hit, and under it its sections when several match
    assert listbox.locator("[role=option]:not(.postsearch-sub)").count() == len(titles(page))
    assert page.locator("main .postsearch-excerpt mark").first.text_content() == "新幹線"
    assert "件" in page.locator("main .postsearch-status").text_content()

    box.press("ArrowDown")
    first = options.nth(0).get_attribute("id")
    assert box.get_attribute("aria-activedescendant") == first
    assert options.nth(0).get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "false"
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first
    assert page.evaluate("document.activeElement.getAttribute('role')") == "combobox"  # focus stays

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "demo.png"), full_page=True)

    box.press("Escape")  # closes the list
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "新幹線"
    box.press("ArrowDown")  # nothing to move through
    assert box.get_attribute("aria-activedescendant") is None

    type_and_wait(page, "ディープラーニング")
    assert titles(page) == ["Hexoでブログをはじめました"]
    type_and_wait(page, "下書き専用語ポストサーチ")  # only in an unpublished post: never shown
    assert "書きかけの旅行メモ" not in titles(page)
    type_and_wait(page, "ゾウアザラシ")  # in no post at all
    assert titles(page) == []
    assert page.locator("main .postsearch").get_attribute("data-state") == "empty"
    assert "一致する記事はありません" in page.locator("main .postsearch-status").text_content()

    type_and_wait(page, "ディープラーニング")
    box.press("ArrowDown")
    href = page.locator("main a.postsearch-option").first.get_attribute("href")
    assert href.startswith(page.url.split("/demo.html")[0])
    assert page.errors == []
    with page.expect_navigation():
        box.press("Enter")  # opens the active result
    assert page.url == href


def test_hostile_post_data_stays_text(page: Any) -> None:
    type_and_wait(page, "セキュリティ確認")
    results = page.locator("main .postsearch-results")
    assert XSS_TITLE in titles(page)
    page.locator("main .postsearch-option", has_text="XSS確認用の記事").hover()  # an onmouseover payload
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, script:not([src]), iframe, object').length") == 0
    tags = set(
        page.evaluate(
            "[...document.querySelector('.postsearch-results').querySelectorAll('*')].map((e) => e.localName)"
        )
    )
    assert tags <= {"li", "a", "span", "div", "time", "p", "mark", "s"}, tags  # s: a missing word
    assert "<script>alert(1)</script>" in results.locator(".postsearch-tag").all_text_contents()
    protocols = page.evaluate("[...document.querySelectorAll('a')].map((a) => a.protocol)")
    assert set(protocols) <= {"http:", "https:"}, protocols
    # The post whose permalink is javascript:alert(1) is shown, but not as a link.
    xss = results.locator(".postsearch-option", has_text="XSS確認用の記事")
    assert xss.evaluate("(e) => e.localName") == "div"  # an option, but no link
    assert page.evaluate("window.__csp") == []
    assert page.errors == []


def test_box_takes_at_most_max_query_chars(page: Any) -> None:
    """Pasting more than the index reads leaves MAX_QUERY_CHARS characters in the box, and
    that is what is searched."""
    from postsearch.search import MAX_QUERY_CHARS

    done = len(page.evaluate("window.__searches"))
    search_box(page).focus()
    page.keyboard.insert_text("京都" * MAX_QUERY_CHARS)  # as a paste: the browser applies maxlength
    page.wait_for_function("(n) => window.__searches.length > n", arg=done)
    assert search_box(page).evaluate("(input) => input.maxLength") == MAX_QUERY_CHARS
    assert page.evaluate("window.__searches.at(-1)") == ("京都" * MAX_QUERY_CHARS)[:MAX_QUERY_CHARS]
    assert page.errors == []


def test_ui_never_parses_html() -> None:
    """Post data reaches the DOM as text only: no HTML parsing sinks in ui.js at all."""
    source = (ROOT / "src" / "postsearch" / "web" / "ui.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment", "eval("):
        assert sink not in source, sink


def test_safe_url_and_excerpt_parsing(page: Any) -> None:
    """The helpers that keep post data inert, on tricky input."""
    got = page.evaluate(
        """async () => {
            const ui = await import('/ui.js');
            const urls = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' \\tjava\\nscript:alert(1)',
                '\\x00javascript:alert(1)', 'java\\rscript:alert(1)', 'data:text/html,x', 'vbscript:x',
                'https://example.com/a', 'http://example.com/', '/2016/04/02/x/', 'post/', '//example.com/x',
                'ｊａｖａｓｃｒｉｐｔ:alert(1)', '  javascript&colon;alert(1)', 'blob:https://x/y', 'file:///etc/passwd',
                // protocol-relative: another host unless it is this page's own
                '//evil.example', '/\\\\evil.example/x', '\\\\\\\\evil.example', '\\\\/evil.example', '/\\t/evil.example',
                '\\n//evil.example', ' /\\r\\\\evil.example', '\\x00//evil.example', '///evil.example',
                '//evil.example:80@x/', `//${location.host}/same/`, `/\\\\${location.host}/same/`, '/./evil.example',
                '/%2fevil.example'];
            const div = document.createElement('div');
            div.append(ui.excerptNodes('a &lt;b&gt; &amp;lt; <mark>&quot;x&#39;</mark> &lt;mark&gt; <mark>y</mark>'));
            return {
                origin: location.origin,
                host: location.host,
                urls: urls.map((u) => [u, ui.safeUrl(u)]),
                html: div.innerHTML,
                text: div.textContent,
                marks: [...div.querySelectorAll('mark')].map((m) => m.textContent),
            };
        }"""
    )
    for url, href in got["urls"]:
        if href is not None:
            assert href.startswith(("http://", "https://")), (url, href)
            assert href.startswith(got["origin"] + "/") or url.startswith("http"), (url, href)
    allowed = {url for url, href in got["urls"] if href}
    assert allowed == {
        "https://example.com/a",
        "http://example.com/",
        "/2016/04/02/x/",
        "post/",
        "ｊａｖａｓｃｒｉｐｔ:alert(1)",  # not a scheme: a relative path on this site
        "  javascript&colon;alert(1)",  # likewise
        f"//{got['host']}/same/",  # protocol-relative, but to this very site
        f"/\\{got['host']}/same/",
        "/./evil.example",  # a path on this site
        "/%2fevil.example",  # likewise
    }
    assert got["text"] == "a <b> &lt; \"x' <mark> y"
    assert got["marks"] == ["\"x'", "y"]


def test_ime_composition_runs_no_search(page: Any) -> None:
    """Chromium's own IME events (via DevTools): composing never searches, and the Enter
    that confirms a conversion never opens a result."""
    box = search_box(page)
    type_and_wait(page, "ディープラーニング ")  # a result list to (not) open
    box.press("End")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant")
    url = page.url.split("?")[0]  # the box keeps ?q= up to date; Enter must open nothing
    searches = len(page.evaluate("window.__searches"))

    cdp = page.context.new_cdp_session(page)
    for text in ["し", "しん", "しんかんせん", "新幹線"]:
        cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)})
        page.wait_for_timeout(60)
    page.wait_for_timeout(500)  # well past the debounce
    assert len(page.evaluate("window.__searches")) == searches, "searched while composing"
    box.press("Enter")  # confirms the conversion: keydown has isComposing
    cdp.send("Input.insertText", {"text": "新幹線"})  # commits: compositionend
    page.wait_for_function("(n) => window.__searches.length > n", arg=searches)
    assert page.evaluate("window.__searches")[searches:] == ["ディープラーニング 新幹線"]
    assert page.url.split("?")[0] == url


def test_ime_composition_synthetic_events(page: Any) -> None:
    """The same with hand-made events, including Safari's keyCode 229 Enter after
    compositionend, while a result is active (a plain Enter would open it)."""
    box = search_box(page)
    type_and_wait(page, "新幹線")
    box.press("ArrowDown")
    url = page.url.split("?")[0]  # the box keeps ?q= up to date; Enter must open nothing
    searches = len(page.evaluate("window.__searches"))
    page.evaluate(
        """() => {
            const box = document.querySelector('[role=combobox]');
            const key = (init, keyCode) => {
                const event = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init });
                if (keyCode) Object.defineProperty(event, 'keyCode', { get: () => keyCode });
                box.dispatchEvent(event);
            };
            box.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
            for (const text of ['き', 'きょう', 'きょうと', '京都']) {
                box.value = text;
                box.dispatchEvent(new InputEvent('input', { isComposing: true, inputType: 'insertCompositionText', data: text, bubbles: true }));
            }
            key({ isComposing: true });
            key({}, 229);
            box.dispatchEvent(new CompositionEvent('compositionend', { data: '京都' }));
            key({}, 229); // Safari: the confirming Enter arrives after compositionend
        }"""
    )
    page.wait_for_function("(n) => window.__searches.length > n", arg=searches)
    page.wait_for_timeout(300)  # room for a second search, which must not come
    assert page.url.split("?")[0] == url
    assert page.evaluate("window.__searches")[searches:] == ["京都"]  # one search, after the end


def test_strict_csp(page: Any) -> None:
    """The demo page declares the strict policy, works under it, and the policy is enforced."""
    csp = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert csp == CSP
    type_and_wait(page, "形態素解析入門")
    assert titles(page)[0] == "形態素解析入門"
    assert page.evaluate("window.__csp") == []
    assert page.errors == []
    # An inline script is refused: the policy really is in force.
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline = 1';
            document.head.append(s);
        }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__inline") == "undefined"
    assert any("script-src" in v for v in page.evaluate("window.__csp"))


def test_partial_matches_say_which_words_are_missing(page: Any) -> None:
    type_and_wait(page, "新幹線 予約")  # no post has 予約
    assert page.locator("main .postsearch").get_attribute("data-state") == "partial"
    assert "すべての語を含む記事はありません" in page.locator("main .postsearch-status").text_content()
    missing = page.locator("main .postsearch-missing").first
    assert missing.locator("s").all_text_contents() == ["予約"]
    type_and_wait(page, "新幹線 京都")  # two posts have both: they come first, then the others
    assert page.locator("main .postsearch").get_attribute("data-state") == "partial"
    assert "すべての語を含む記事2件" in page.locator("main .postsearch-status").text_content()
    options = page.locator("main .postsearch-option:not(.postsearch-sub)")
    assert options.nth(0).locator(".postsearch-missing").count() == 0
    assert options.nth(2).locator(".postsearch-missing s").all_text_contents() in (["新幹線"], ["京都"])
