// ui.js: a ready-made search box on a postsearch index.
//
//   <link rel="stylesheet" href="/search/ui.css">
//   <script type="module" src="/search/ui.js"></script>
//   <post-search></post-search>                   (index: the folder ui.js came from)
//   <post-search index-url="/search/" limit="20" placeholder="検索"></post-search>
//
// or from a module: `import { mount } from '/search/ui.js'; mount(element, { indexUrl })`.
//
// Post data is untrusted: everything is written with textContent and createElement, never
// parsed as HTML; links are made only for http(s) URLs and relative URLs on this site (never
// `//other.host`). The box takes at most MAX_QUERY_CHARS characters. While a Japanese IME is
// composing, typing runs no search and Enter (which confirms the conversion) opens nothing.

import { MAX_QUERY_CHARS, openIndex } from './postsearch.js';

const HERE = new URL('./', import.meta.url);
let mounted = 0;

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

/** The excerpt's escaped text with <mark> around matches, as DOM nodes: split on the literal
 * markers, unescape the five entities (in one pass) into text nodes, never parse HTML. */
export function excerptNodes(excerpt) {
  const fragment = document.createDocumentFragment();
  let marked = false;
  for (const part of excerpt.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>' || part === '</mark>') {
      marked = part === '<mark>';
    } else if (part) {
      const text = document.createTextNode(part.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]));
      if (marked) {
        const mark = el('mark');
        mark.append(text);
        fragment.append(mark);
      } else {
        fragment.append(text);
      }
    }
  }
  return fragment;
}

/** Put a search box into `element`. Returns { input, list, search(query), destroy() }. */
export function mount(element, options = {}) {
  const {
    indexUrl = HERE,
    limit = 5, // hits per page: each shown hit costs its text bundle; "もっと見る" shows more
    debounceMs = 150,
    placeholder = '記事を検索',
    label = 'サイト内検索',
  } = options;
  const id = `postsearch-${++mounted}`;
  const root = el('div', 'postsearch');
  const labelNode = el('label', 'postsearch-label', label);
  const input = el('input', 'postsearch-input');
  const status = el('div', 'postsearch-status');
  const list = el('ul', 'postsearch-results');
  const more = el('button', 'postsearch-more', 'もっと見る');
  labelNode.htmlFor = input.id = `${id}-input`;
  list.id = `${id}-results`;
  // maxLength counts UTF-16 units, never more than code points: the box stays within the
  // query length the index reads (MAX_QUERY_CHARS), so what is typed is what is searched
  Object.assign(input, { type: 'search', placeholder, autocomplete: 'off', spellcheck: false, maxLength: MAX_QUERY_CHARS });
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('enterkeyhint', 'search');
  status.setAttribute('role', 'status');
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', '検索結果');
  list.hidden = true;
  more.type = 'button';
  more.hidden = true;
  root.append(labelNode, input, status, list, more);
  element.append(root);

  let index = null; // promise of the opened index, made on first use
  let timer = 0;
  let latest = 0; // number of the latest search: older answers are dropped
  let composing = false;
  let hrefs = [];
  let active = -1;
  let shown = { query: '', count: limit }; // what the list shows, for "もっと見る"

  const setState = (state, message = '') => {
    root.dataset.state = state;
    root.setAttribute('aria-busy', String(state === 'loading'));
    status.textContent = message;
  };
  setState('idle');

  const openIndexOnce = () => {
    index ??= openIndex(indexUrl).catch((error) => {
      index = null; // try again on the next search
      throw error;
    });
    return index;
  };

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
    if (hrefs[i]) window.location.assign(hrefs[i]);
  };

  const option = (hit, i) => {
    const item = el('li', 'postsearch-option');
    item.id = `${id}-option-${i}`;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', 'false');
    // a hit whose match sits under a heading links to that section (url#anchor)
    const href = safeUrl(typeof hit.url === 'string' && hit.anchor ? `${hit.url}#${encodeURIComponent(hit.anchor)}` : hit.url);
    const title = el(href ? 'a' : 'span', 'postsearch-title', hit.title || hit.url || hit.path);
    if (href) {
      title.href = href;
      title.tabIndex = -1; // focus stays in the box; arrows move through the options
    }
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
    item.append(title, meta, excerpt);
    if (hit.missing?.length) {
      // a partial match: the words of the query this post lacks, struck through (as web search does)
      const missing = el('p', 'postsearch-missing', '含まれない語: ');
      hit.missing.forEach((word, i) => missing.append(i ? '、' : '', el('s', '', word)));
      item.append(missing);
    }
    hrefs.push(href);
    return item;
  };

  const search = async (query, count = limit) => {
    const mine = ++latest;
    clearTimeout(timer);
    more.hidden = true;
    if (!query.trim()) {
      list.replaceChildren();
      hrefs = [];
      expand(false);
      setState('idle');
      return null;
    }
    setState('loading', '検索中…');
    let result;
    try {
      result = await (await openIndexOnce()).search(query, count);
    } catch (error) {
      if (mine === latest) setState('error', '検索できませんでした。しばらくしてからもう一度お試しください。');
      console.error('postsearch:', error);
      return null;
    }
    if (mine !== latest) return null; // a newer query was typed meanwhile
    hrefs = [];
    active = -1;
    list.replaceChildren(...result.hits.map(option));
    expand(result.hits.length > 0);
    shown = { query, count };
    more.hidden = result.total <= result.hits.length;
    if (!result.total) setState('empty', `「${query}」に一致する記事はありません`);
    else if (result.complete === result.total) setState('results', `${result.total}件の記事が見つかりました`);
    else if (!result.complete) {
      setState('partial', `すべての語を含む記事はありません。一部の語を含む記事: ${result.total}件`);
    } else {
      setState('partial', `すべての語を含む記事${result.complete}件と、一部の語を含む記事${result.total - result.complete}件`);
    }
    element.dispatchEvent(new CustomEvent('postsearch:results', { bubbles: true, detail: result }));
    return result;
  };

  const schedule = () => {
    clearTimeout(timer);
    if (composing) return;
    timer = setTimeout(() => search(input.value), debounceMs);
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
    focus: () => openIndexOnce().catch(() => {}), // start reading while the user types
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
        if (!list.hidden) {
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
    const item = event.target.closest('.postsearch-option');
    if (!item || event.target.closest('a')) return; // links navigate by themselves
    go([...list.children].indexOf(item));
  };
  list.addEventListener('click', onClick);
  const onMore = () => search(shown.query, shown.count + limit);
  more.addEventListener('click', onMore);

  return {
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
      more.removeEventListener('click', onMore);
      root.remove();
    },
  };
}

/** <post-search index-url limit debounce-ms placeholder label query-param>: `mount` as an element. */
class PostSearchElement extends (globalThis.HTMLElement ?? class {}) {
  connectedCallback() {
    if (this.box) return;
    const attr = (name) => this.getAttribute(name) ?? undefined;
    const number = (name) => {
      const value = parseFloat(attr(name));
      return Number.isFinite(value) ? value : undefined; // absent or not a number: the default
    };
    const options = {
      limit: number('limit'),
      debounceMs: number('debounce-ms'),
      placeholder: attr('placeholder'),
      label: attr('label'),
    };
    if (this.hasAttribute('index-url')) options.indexUrl = new URL(attr('index-url'), document.baseURI);
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    this.box = mount(this, options);
    // query-param="q": the page's ?q= fills the box and runs (a search page a form sends to)
    const asked = this.hasAttribute('query-param') && new URLSearchParams(location.search).get(attr('query-param') || 'q');
    if (asked) this.box.search(asked.slice(0, MAX_QUERY_CHARS));
  }

  disconnectedCallback() {
    this.box?.destroy();
    this.box = null;
  }
}

if (globalThis.customElements && !customElements.get('post-search')) {
  customElements.define('post-search', PostSearchElement);
}
