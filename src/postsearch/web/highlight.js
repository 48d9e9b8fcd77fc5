// highlight.js: on the page a search result opened, mark the words that matched.
//
//   <script type="module" src="/search/highlight.js"></script>   (ui.js loads it too)
//
// ui.js links each result with `?postsearch-highlight=word1+word2` (the words its excerpts
// marked, as they are spelled in that post). This script reads them, wraps each occurrence
// in the page's content in <mark class="postsearch-highlight">, and, when the link had no
// #section to jump to, scrolls the first mark into view. DOM calls only (no HTML parsed, no
// inline style), so it runs under `Content-Security-Policy: default-src 'self'`.

export const HIGHLIGHT_PARAM = 'postsearch-highlight';
const MAX_WORDS = 20;
const SKIP = 'script,style,noscript,template,textarea,input,select,svg,mark,[data-postsearch-ignore],[data-pagefind-ignore]';

/** The words to mark: from the URL's parameter, distinct, longest first (so a longer word
 * wins where two overlap), at most MAX_WORDS. */
export function wordsFrom(search, param = HIGHLIGHT_PARAM) {
  const asked = new URLSearchParams(search).get(param) ?? '';
  const words = [...new Set(asked.split(/\s+/).filter(Boolean))].slice(0, MAX_WORDS);
  return words.sort((a, b) => b.length - a.length).map((w) => w.toLowerCase());
}

/** The page's content: what postsearch or Pagefind were told to index, else main or article. */
function contentOf(document) {
  return (
    document.querySelector('[data-postsearch-body],[data-pagefind-body],main,[role=main],article') ?? document.body
  );
}

/** Wrap the words' occurrences in `root`'s text in <mark class="postsearch-highlight">, and
 * return the marks in page order. Case is ignored; text in SKIP elements is left alone. */
export function markWords(root, words) {
  if (!words.length || !root) return [];
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeValue.trim() && !node.parentElement?.closest(SKIP)) nodes.push(node);
  }
  const marks = [];
  for (const node of nodes) marks.push(...markNode(node, words));
  return marks;
}

/** Split one text node around the words it holds; the marks made. */
function markNode(node, words) {
  const text = node.nodeValue;
  const lower = text.toLowerCase();
  const spans = [];
  for (let at = 0; at < text.length; ) {
    const word = lower.length === text.length ? words.find((w) => lower.startsWith(w, at)) : null;
    if (word) {
      spans.push([at, at + word.length]);
      at += word.length;
    } else {
      at++;
    }
  }
  const marks = [];
  for (const [start, end] of spans.reverse()) {
    const rest = node.splitText(start);
    rest.splitText(end - start);
    const mark = node.ownerDocument.createElement('mark');
    mark.className = 'postsearch-highlight';
    rest.replaceWith(mark);
    mark.append(rest);
    marks.unshift(mark);
  }
  return marks;
}

/** Mark the words the URL asks for; scroll to the first mark unless the URL names a section
 * (the browser has already scrolled there). Returns the marks. */
export function highlight({ param = HIGHLIGHT_PARAM, root = null, document = globalThis.document } = {}) {
  const words = wordsFrom(document.location.search, param);
  const marks = markWords(root ?? contentOf(document), words);
  if (marks.length && !document.location.hash) marks[0].scrollIntoView?.({ block: 'center' });
  return marks;
}

if (globalThis.document?.location) highlight();
