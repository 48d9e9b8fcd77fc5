// ui.js: a ready-made search box on a postsearch index, inline or in a modal, in Japanese or
// English.
//
//   <link rel="stylesheet" href="/search/ui.css">
//   <script type="module" src="/search/ui.js"></script>
//   <post-search></post-search>                            (index: the folder ui.js came from)
//   <post-search mode="modal"></post-search>               (a button; ⌘K, Ctrl+K or / open it)
//   <post-search index-url="/search/" limit="20" lang="en" query-param="q"
//                strings='{"placeholder": "Search the docs"}'></post-search>
//
// or from a module: `import { mount, mountModal } from '/search/ui.js'; mount(element, { indexUrl })`.
//
// Post data is untrusted: everything is written with textContent and createElement, never
// parsed as HTML; links are made only for http(s) URLs and relative URLs on this site (never
// `//other.host`). The box takes at most MAX_QUERY_CHARS characters. While a Japanese IME is
// composing, typing runs no search and Enter (which confirms the conversion) opens nothing.
// Each result links with ?postsearch-highlight=…, which highlight.js (loaded here, and on
// any page that includes it) reads to mark the words on the page it opens.

import { MAX_QUERY_CHARS, openIndex } from './postsearch.js';
import { HIGHLIGHT_PARAM } from './highlight.js';

const HERE = new URL('./', import.meta.url);
const RECENT = 5; // recent searches kept per index
let mounted = 0;

/** The box's words; `{n}`, `{q}`, `{c}` and `{p}` are filled in. Any may be overridden. */
export const STRINGS = {
  ja: {
    label: 'サイト内検索',
    placeholder: '記事を検索',
    open: '検索',
    close: '閉じる',
    results: '検索結果',
    loading: '検索中…',
    found: '{n}件の記事が見つかりました',
    none: '「{q}」に一致する記事はありません',
    hint: '言葉を減らすか、別の言い方で試してください。',
    partialNone: 'すべての語を含む記事はありません。一部の語を含む記事: {n}件',
    partialSome: 'すべての語を含む記事{c}件と、一部の語を含む記事{p}件',
    error: '検索を利用できません。しばらくしてからもう一度お試しください。',
    more: 'もっと見る',
    missing: '含まれない語: ',
    comma: '、',
    recent: '最近の検索',
    clearRecent: '履歴を消去',
    filters: '絞り込みと並べ替え',
    newest: '新しい順',
  },
  en: {
    label: 'Search this site',
    placeholder: 'Search posts',
    open: 'Search',
    close: 'Close',
    results: 'Search results',
    loading: 'Searching…',
    found: '{n} posts found',
    none: 'No posts match “{q}”',
    hint: 'Try fewer words, or other words.',
    partialNone: 'No post has every word. Posts with some of them: {n}',
    partialSome: '{c} posts with every word, and {p} with some of them',
    error: 'Search unavailable. Please try again later.',
    more: 'Show more',
    missing: 'Missing: ',
    comma: ', ',
    recent: 'Recent searches',
    clearRecent: 'Clear history',
    filters: 'Filter and sort',
    newest: 'Newest first',
  },
};

/** The strings for a language (Japanese for `ja…`, English otherwise), with overrides. */
export function stringsFor(lang, overrides = {}) {
  const base = /^ja\b/i.test(lang ?? '') ? STRINGS.ja : STRINGS.en;
  return { ...base, ...overrides };
}

function format(text, values) {
  return text.replace(/\{(\w)\}/g, (all, key) => (key in values ? values[key] : all));
}

/** A new element with a class and, optionally, text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The href for a post URL, or null: only http: and https: URLs, and relative URLs that stay
 * on this site, are linked. A relative URL can leave it: `//host`, and `/\host`, `\\host`,
 * `\/host` (browsers read `\` as `/` in http URLs), so one must resolve to the base's origin.
 * Browsers ignore leading and trailing control characters and spaces, and tabs and
 * newlines anywhere, when they read a URL ("\tjava\nscript:", "/\t/host"), so we do too. */
export function safeUrl(url, base = document.baseURI) {
  if (typeof url !== 'string') return null;
  const bare = url.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '');
  let resolved;
  try {
    resolved = new URL(bare, base);
  } catch {
    return null;
  }
  const hasScheme = /^[a-z][a-z\d+.-]*:/i.test(bare);
  if (hasScheme && resolved.protocol !== 'http:' && resolved.protocol !== 'https:') return null;
  if (!hasScheme && resolved.origin !== new URL(base).origin) return null; // //evil.example
  return resolved.href;
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (text) => text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);

/** The excerpt's escaped text with <mark> around matches, as DOM nodes: split on the literal
 * markers, unescape the five entities (in one pass) into text nodes, never parse HTML. */
export function excerptNodes(excerpt) {
  const fragment = document.createDocumentFragment();
  let marked = false;
  for (const part of excerpt.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>' || part === '</mark>') {
      marked = part === '<mark>';
    } else if (part) {
      const text = document.createTextNode(unescape(part));
      fragment.append(marked ? el('mark') : text);
      if (marked) fragment.lastChild.append(text);
    }
  }
  return fragment;
}

/** The words a hit's excerpts marked, as the post spells them: what its page highlights. */
export function markedWords(hit) {
  const words = new Set();
  for (const excerpt of [hit.excerpt, ...(hit.sections ?? []).map((s) => s.excerpt)]) {
    for (const [, word] of String(excerpt).matchAll(/<mark>(.*?)<\/mark>/g)) words.add(unescape(word));
  }
  return [...words].filter((w) => !/\s/.test(w));
}

/** A hit's link: its URL (safeUrl), the section's #anchor, and the words to highlight there. */
export function hitHref(hit, anchor, param = HIGHLIGHT_PARAM) {
  const href = safeUrl(typeof hit.url === 'string' && anchor ? `${hit.url}#${encodeURIComponent(anchor)}` : hit.url);
  const words = markedWords(hit);
  if (!href || !param || !words.length) return href;
  const url = new URL(href);
  url.searchParams.set(param, words.join(' '));
  return url.href;
}

/** Recent searches, kept in localStorage per index (nothing when storage is refused). */
export const recent = {
  key: (indexUrl) => `postsearch-recent:${indexUrl}`,
  read(indexUrl) {
    try {
      const list = JSON.parse(localStorage.getItem(recent.key(indexUrl)) ?? '[]');
      return Array.isArray(list) ? list.filter((q) => typeof q === 'string').slice(0, RECENT) : [];
    } catch {
      return [];
    }
  },
  add(indexUrl, query) {
    if (!query.trim()) return;
    const list = [query, ...recent.read(indexUrl).filter((q) => q !== query)].slice(0, RECENT);
    try {
      localStorage.setItem(recent.key(indexUrl), JSON.stringify(list));
    } catch {} // storage full or refused: nothing is remembered
  },
  clear(indexUrl) {
    try {
      localStorage.removeItem(recent.key(indexUrl));
    } catch {}
  },
};

const opened = new Map(); // index URL → promise of the opened index, shared by every box

function openShared(indexUrl) {
  const key = String(indexUrl);
  if (!opened.has(key)) {
    opened.set(
      key,
      openIndex(indexUrl).catch((error) => {
        opened.delete(key); // try again on the next search
        throw error;
      }),
    );
  }
  return opened.get(key);
}

/** Put a search box into `element`. Returns { root, input, list, search(query), destroy() }. */
export function mount(element, options = {}) {
  const {
    indexUrl = HERE,
    limit = 5, // hits per page: each shown hit costs its text bundle; "もっと見る" shows more
    debounceMs = 150,
    lang = element.closest?.('[lang]')?.lang ?? document.documentElement.lang,
    queryParam = null, // e.g. 'q': the page's ?q= fills the box, and follows what is typed
    filters = true, // tag chips and the date sort
    maxTags = 8,
    highlightParam = HIGHLIGHT_PARAM, // null: links carry no words to highlight
    onEscape = null, // the modal closes itself on Escape
  } = options;
  const t = stringsFor(lang, { ...options.strings, ...pick(options, 'placeholder', 'label') });
  const id = `postsearch-${++mounted}`;
  const root = el('div', 'postsearch');
  const labelNode = el('label', 'postsearch-label', t.label);
  const input = el('input', 'postsearch-input');
  const bar = el('div', 'postsearch-filters');
  const status = el('div', 'postsearch-status');
  const hint = el('p', 'postsearch-hint', t.hint);
  const list = el('div', 'postsearch-results');
  const more = el('button', 'postsearch-more', t.more);
  const clear = el('button', 'postsearch-clear', t.clearRecent);
  const heading = el('div', 'postsearch-heading', t.recent); // over the list while it shows recent searches
  labelNode.htmlFor = input.id = `${id}-input`;
  list.id = `${id}-results`;
  // maxLength counts UTF-16 units, never more than code points: the box stays within the
  // query length the index reads (MAX_QUERY_CHARS), so what is typed is what is searched
  Object.assign(input, { type: 'search', placeholder: t.placeholder, autocomplete: 'off', spellcheck: false, maxLength: MAX_QUERY_CHARS });
  attrs(input, { role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': list.id, enterkeyhint: 'search' });
  attrs(bar, { role: 'group', 'aria-label': t.filters });
  status.setAttribute('role', 'status');
  attrs(list, { role: 'listbox', 'aria-label': t.results });
  for (const node of [bar, hint, heading, list, more, clear]) node.hidden = true;
  more.type = clear.type = 'button';
  root.append(labelNode, input, bar, status, hint, heading, list, more, clear);
  element.append(root);

  let timer = 0;
  let latest = 0; // number of the latest search: older answers are dropped
  let composing = false;
  let hrefs = []; // per option: its link (a hit or a section), or a recent query to run again
  let active = -1;
  let shown = { query: '', count: limit }; // what the list shows, for "もっと見る"
  const chosen = new Set(); // tags the search is narrowed to
  let sort = 'score';

  const setState = (state, message = '') => {
    root.dataset.state = state;
    root.setAttribute('aria-busy', String(state === 'loading'));
    status.textContent = message;
    hint.hidden = state !== 'empty';
  };
  setState('idle');

  const expand = (open) => {
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (!open) setActive(-1);
  };

  const setActive = (i) => {
    list.children[active]?.setAttribute('aria-selected', 'false');
    active = i;
    const option = list.children[i];
    if (option) {
      option.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView?.({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const go = (i) => {
    const target = hrefs[i];
    if (target?.recent !== undefined) {
      input.value = target.recent;
      search(target.recent);
    } else if (target) {
      recent.add(String(indexUrl), shown.query);
      window.location.assign(target);
    }
  };

  // An option is the link itself (never a link inside an option: nothing interactive is nested
  // in a listbox option), kept out of the Tab order: the arrows move through the options.
  const newOption = (className, href) => {
    const item = el(typeof href === 'string' ? 'a' : 'div', className);
    if (typeof href === 'string') {
      item.href = href;
      item.tabIndex = -1;
    }
    item.id = `${id}-option-${hrefs.length}`;
    attrs(item, { role: 'option', 'aria-selected': 'false' });
    hrefs.push(href);
    return item;
  };

  /** A hit's option, and one more per section when several of its sections match. */
  const hitOptions = (hit) => {
    const href = hitHref(hit, hit.anchor, highlightParam);
    const item = newOption('postsearch-option', href);
    const meta = el('div', 'postsearch-meta');
    if (hit.section) meta.append(el('span', 'postsearch-section', hit.section));
    if (hit.date) {
      const date = el('time', 'postsearch-date', String(hit.date).slice(0, 10));
      date.dateTime = hit.date;
      meta.append(date);
    }
    for (const tag of hit.tags ?? []) meta.append(el('span', 'postsearch-tag', tag));
    const excerpt = el('p', 'postsearch-excerpt');
    excerpt.append(excerptNodes(hit.excerpt));
    item.append(el('span', 'postsearch-title', hit.title || hit.url || hit.path), meta, excerpt);
    if (hit.missing?.length) {
      // a partial match: the words of the query this post lacks, struck through (as web search does)
      const missing = el('p', 'postsearch-missing', t.missing);
      hit.missing.forEach((word, i) => missing.append(i ? t.comma : '', el('s', '', word)));
      item.append(missing);
    }
    const parts = hit.sections?.length > 1 ? hit.sections : [];
    return [item, ...parts.map((part) => sectionOption(hit, part))];
  };

  const sectionOption = (hit, part) => {
    const href = hitHref(hit, part.anchor, highlightParam);
    const item = newOption('postsearch-option postsearch-sub', href);
    const excerpt = el('p', 'postsearch-excerpt');
    excerpt.append(excerptNodes(part.excerpt));
    item.append(el('span', 'postsearch-title', part.title), excerpt);
    return item;
  };

  const showRecent = () => {
    const queries = input.value || chosen.size ? [] : recent.read(String(indexUrl));
    heading.hidden = clear.hidden = !queries.length;
    if (!queries.length) return;
    hrefs = [];
    list.setAttribute('aria-label', t.recent);
    list.replaceChildren(
      ...queries.map((query) => {
        const item = newOption('postsearch-option postsearch-recent', { recent: query });
        item.append(el('span', 'postsearch-title', query));
        return item;
      }),
    );
    expand(true);
  };

  const syncUrl = (query) => {
    if (!queryParam) return;
    const url = new URL(location.href);
    if (query) url.searchParams.set(queryParam, query);
    else url.searchParams.delete(queryParam);
    if (url.href !== location.href) history.replaceState(history.state, '', url);
  };

  const search = async (query, count = limit) => {
    const mine = ++latest;
    clearTimeout(timer);
    more.hidden = clear.hidden = heading.hidden = true;
    list.setAttribute('aria-label', t.results);
    syncUrl(query.trim() ? query : '');
    if (!query.trim() && !chosen.size) {
      list.replaceChildren();
      hrefs = [];
      expand(false);
      setState('idle');
      if (document.activeElement === input) showRecent();
      return null;
    }
    setState('loading', t.loading);
    let result;
    try {
      result = await (await openShared(indexUrl)).search(query, count, { tags: [...chosen], sort });
    } catch (error) {
      if (mine === latest) {
        list.replaceChildren();
        expand(false);
        setState('error', t.error);
      }
      console.error('postsearch:', error);
      return null;
    }
    if (mine !== latest) return null; // a newer query was typed meanwhile
    showFilters().catch(() => {});
    hrefs = [];
    active = -1;
    list.replaceChildren(...result.hits.flatMap(hitOptions));
    expand(result.hits.length > 0);
    shown = { query, count };
    more.hidden = result.total <= result.hits.length;
    const n = result.total;
    const c = result.complete;
    if (!n) setState('empty', format(t.none, { q: query }));
    else if (c === n) setState('results', format(t.found, { n }));
    else setState('partial', format(c ? t.partialSome : t.partialNone, { n, c, p: n - c }));
    element.dispatchEvent(new CustomEvent('postsearch:results', { bubbles: true, detail: result }));
    return result;
  };

  const schedule = () => {
    clearTimeout(timer);
    if (composing) return;
    timer = setTimeout(() => search(input.value), debounceMs);
  };

  /** Tag chips (most used tags, with their post counts) and the date sort, once the index is open. */
  const showFilters = async () => {
    if (!filters || bar.childElementCount) return;
    const tags = (await (await openShared(indexUrl)).tags()).slice(0, maxTags);
    if (bar.childElementCount) return;
    const toggle = (text, pressed, onClick, count) => {
      const button = el('button', 'postsearch-chip', text);
      button.type = 'button';
      if (count !== undefined) button.append(el('span', 'postsearch-count', String(count)));
      button.setAttribute('aria-pressed', String(pressed));
      button.addEventListener('click', () => {
        button.setAttribute('aria-pressed', String(onClick()));
        search(input.value);
      });
      return button;
    };
    for (const [tag, count] of tags) {
      bar.append(toggle(tag, false, () => (chosen.delete(tag) ? false : !!chosen.add(tag)), count));
    }
    const newest = toggle(t.newest, false, () => (sort = sort === 'date' ? 'score' : 'date') === 'date');
    newest.classList.add('postsearch-sort');
    bar.append(newest);
    bar.hidden = false;
  };

  const listeners = {
    input: (event) => {
      if (!composing && !event.isComposing) schedule();
    },
    compositionstart: () => {
      composing = true;
      clearTimeout(timer);
    },
    compositionend: () => {
      composing = false;
      schedule();
    },
    focus: () => {
      if (!input.value && list.hidden) showRecent();
      showFilters().catch(() => {}); // opens the index while the user types
    },
    keydown: (event) => {
      // 229: the key went to the IME (Safari sends Enter after compositionend with it)
      if (composing || event.isComposing || event.keyCode === 229) return;
      const count = list.hidden ? 0 : list.children.length;
      if (event.key === 'ArrowDown' && count) {
        event.preventDefault();
        setActive((active + 1) % count);
      } else if (event.key === 'ArrowUp' && count) {
        event.preventDefault();
        setActive(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === 'Enter' && active >= 0) {
        event.preventDefault();
        go(active);
      } else if (event.key === 'Escape') {
        event.preventDefault(); // not the browser's own clearing of a search field
        if (onEscape) {
          onEscape();
        } else if (!list.hidden) {
          expand(false); // first Escape closes the list, the second clears the box
        } else if (input.value) {
          input.value = '';
          search('');
        }
      }
    },
  };
  for (const [type, listener] of Object.entries(listeners)) input.addEventListener(type, listener);
  const onClick = (event) => {
    const item = event.target.closest('[role=option]');
    if (!item) return;
    if (item.localName === 'a') recent.add(String(indexUrl), shown.query); // a link goes by itself
    else go([...list.children].indexOf(item));
  };
  list.addEventListener('click', onClick);
  more.addEventListener('click', () => search(shown.query, shown.count + limit));
  clear.addEventListener('click', () => {
    recent.clear(String(indexUrl));
    list.replaceChildren();
    expand(false);
    clear.hidden = heading.hidden = true;
    input.focus();
  });

  const asked = queryParam && new URLSearchParams(location.search).get(queryParam);
  const box = {
    root,
    input,
    list,
    search: (query) => {
      input.value = query;
      return search(query);
    },
    destroy() {
      clearTimeout(timer);
      latest++;
      for (const [type, listener] of Object.entries(listeners)) input.removeEventListener(type, listener);
      list.removeEventListener('click', onClick);
      root.remove();
    },
  };
  if (asked) box.search(asked.slice(0, MAX_QUERY_CHARS));
  return box;
}

function attrs(node, values) {
  for (const [name, value] of Object.entries(values)) node.setAttribute(name, value);
}

function pick(object, ...keys) {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]]));
}

/** Is the user typing somewhere (where `/` is a character, not a shortcut)? */
function typing(target) {
  return target?.closest?.('input,textarea,select,[contenteditable=""],[contenteditable=true]') != null;
}

let shortcutsTaken = false; // only the first modal on a page answers ⌘K, Ctrl+K and /

/** A button that opens the box in a modal dialog (also on ⌘K / Ctrl+K, and on / when not
 * typing), closed with Escape, the close button or a click outside; focus stays in the
 * dialog while it is open and goes back where it was. Returns mount's box, plus open() and close(). */
export function mountModal(element, options = {}) {
  const lang = options.lang ?? element.closest?.('[lang]')?.lang ?? document.documentElement.lang;
  const t = stringsFor(lang, options.strings);
  const mac = /Mac|iPhone|iPad/.test(navigator.platform ?? '');
  const trigger = el('button', 'postsearch-trigger', t.open);
  trigger.type = 'button';
  trigger.append(el('kbd', 'postsearch-key', mac ? '⌘K' : 'Ctrl K'));
  attrs(trigger, { 'aria-haspopup': 'dialog', 'aria-keyshortcuts': 'Meta+K Control+K /' });
  const dialog = el('dialog', 'postsearch-dialog');
  dialog.setAttribute('aria-label', t.label);
  const close = el('button', 'postsearch-close', t.close);
  close.type = 'button';
  element.append(trigger, dialog);
  let opener = null;
  const closeModal = () => dialog.open && dialog.close();
  const box = mount(dialog, { ...options, lang, onEscape: closeModal });
  box.root.prepend(close);
  const open = () => {
    if (dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    box.input.focus();
    box.input.select();
  };
  trigger.addEventListener('click', open);
  close.addEventListener('click', closeModal);
  dialog.addEventListener('close', () => opener?.focus?.());
  dialog.addEventListener('click', (event) => event.target === dialog && closeModal()); // the backdrop
  dialog.addEventListener('keydown', (event) => trapTab(event, dialog));
  const onKey = (event) => {
    const k = event.key === 'k' && (event.metaKey || event.ctrlKey);
    if ((k || (event.key === '/' && !typing(event.target))) && !event.isComposing) {
      event.preventDefault();
      open();
    }
  };
  const shortcuts = !shortcutsTaken;
  if (shortcuts) {
    shortcutsTaken = true;
    document.addEventListener('keydown', onKey);
  }
  if (box.input.value) open(); // ?q= asked for a search
  const destroy = () => {
    box.destroy();
    if (shortcuts) {
      document.removeEventListener('keydown', onKey);
      shortcutsTaken = false; // the next modal may answer them
    }
    trigger.remove();
    dialog.remove();
  };
  return { ...box, trigger, dialog, open, close: closeModal, destroy };
}

/** Tab and Shift+Tab cycle through the dialog's controls and never leave it. */
function trapTab(event, dialog) {
  if (event.key !== 'Tab') return;
  const stops = [...dialog.querySelectorAll('input,button,[href],[tabindex]')].filter(
    (n) => n.tabIndex >= 0 && !n.disabled && n.getClientRects().length,
  );
  const [first, last] = [stops[0], stops[stops.length - 1]];
  if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
    event.preventDefault();
    (event.shiftKey ? last : first)?.focus();
  }
}

/** <post-search mode index-url limit debounce-ms placeholder label lang strings query-param
 * filters max-tags>: `mount` (or, with mode="modal", `mountModal`) as an element. */
class PostSearchElement extends (globalThis.HTMLElement ?? class {}) {
  connectedCallback() {
    if (this.box) return;
    const attr = (name) => this.getAttribute(name) ?? undefined;
    const number = (name) => {
      const value = parseFloat(attr(name));
      return Number.isFinite(value) ? value : undefined; // absent or not a number: the default
    };
    let strings;
    try {
      strings = JSON.parse(attr('strings') ?? '{}');
    } catch {
      console.error('postsearch: the strings attribute is not JSON');
    }
    const options = {
      limit: number('limit'),
      debounceMs: number('debounce-ms'),
      maxTags: number('max-tags'),
      placeholder: attr('placeholder'),
      label: attr('label'),
      lang: attr('lang'),
      strings,
      queryParam: this.hasAttribute('query-param') ? attr('query-param') || 'q' : undefined,
      filters: this.hasAttribute('filters') ? attr('filters') !== 'false' : undefined,
    };
    if (this.hasAttribute('index-url')) options.indexUrl = new URL(attr('index-url'), document.baseURI);
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    this.box = (attr('mode') === 'modal' ? mountModal : mount)(this, options);
  }

  disconnectedCallback() {
    this.box?.destroy();
    this.box = null;
  }
}

if (globalThis.customElements && !customElements.get('post-search')) {
  customElements.define('post-search', PostSearchElement);
}
