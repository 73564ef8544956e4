import { ApiError, createGraphqlClient } from './graphql-client.ts';
import { highlight } from './highlight.ts';
import { renderTimelineChart, type ChartPeriod } from './timeline-chart.ts';
import { attachSuggestions, type Suggestion } from './suggestions.ts';

interface Headline {
  id: string;
  text: string;
  publishedOn: string;
}
interface Edge {
  similarity: number;
  matchedTerms: string[];
  node: Headline;
  duplicates?: Headline[];
}
interface Page {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  correctedQuery?: string | null;
}

const EDGE = 'edges { similarity matchedTerms node { id text publishedOn } duplicates { id text publishedOn } } pageInfo { hasNextPage endCursor }';
const SEARCH = `query Search($q: String!, $after: String, $filter: HeadlineFilter, $mode: SearchMode, $collapse: Boolean, $withTimeline: Boolean!, $timelineFilter: HeadlineFilter) {
  search(query: $q, first: 10, after: $after, filter: $filter, mode: $mode, collapse: $collapse) { ${EDGE} correctedQuery }
  timeline(query: $q, bucket: YEAR, filter: $timelineFilter) @include(if: $withTimeline) { period count share }
}`;
const SUGGEST = `query Suggest($prefix: String!) { suggest(prefix: $prefix, first: 8) { text headlines } }`;
const SIMILAR = `query Similar($id: ID!, $after: String) { similar(id: $id, first: 10, after: $after) { ${EDGE} } }`;
/** Typing pauses this long before a search is sent: one embedding per pause, not per keystroke. */
const DEBOUNCE_MS = 300;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('search-form');
const input = $<HTMLInputElement>('q');
const from = $<HTMLInputElement>('from');
const to = $<HTMLInputElement>('to');
const mode = $<HTMLSelectElement>('mode');
const collapse = $<HTMLInputElement>('collapse');
const errorBox = $<HTMLParagraphElement>('error');
const status = $<HTMLParagraphElement>('status');
const results = $<HTMLOListElement>('results');
const suggestions = $<HTMLUListElement>('suggestions');
const more = $<HTMLButtonElement>('more');
const timelineSection = $<HTMLElement>('timeline');
const chart = $<HTMLDivElement>('chart');
const graphql = createGraphqlClient();

let timer: ReturnType<typeof setTimeout> | undefined;
let lastKey = '';
let periods: ChartPeriod[] = [];
let selectedYear: string | null = null;
let endCursor: string | null = null;
/** What the list shows: the search, or the headlines like one headline. */
let similarTo: Headline | null = null;

const measure = (): 'count' | 'share' => ((document.querySelector('input[name=measure]:checked') as HTMLInputElement | null)?.value === 'share' ? 'share' : 'count');

function dateFilter(): { from?: string; to?: string } {
  const f: { from?: string; to?: string } = {};
  if (from.value) f.from = from.value;
  if (to.value) f.to = to.value;
  return f;
}

/** The form's dates narrowed to the chosen year, if one is chosen. */
function resultFilter(): { from?: string; to?: string } {
  const f = dateFilter();
  if (!selectedYear) return f;
  const year = selectedYear.slice(0, 4);
  const start = `${year}-01-01`;
  const end = `${year}-12-31`;
  return { from: f.from && f.from > start ? f.from : start, to: f.to && f.to < end ? f.to : end };
}

function showError(error: unknown): void {
  errorBox.textContent = error instanceof ApiError ? error.message : `Something went wrong: ${(error as Error).message}`;
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

function renderEdge(edge: Edge): HTMLLIElement {
  const item = document.createElement('li');
  const text = document.createElement('p');
  text.className = 'text';
  text.append(...highlight(edge.node.text, edge.matchedTerms));
  const meta = document.createElement('div');
  meta.className = 'meta';
  const date = document.createElement('time');
  date.dateTime = edge.node.publishedOn;
  date.textContent = edge.node.publishedOn;
  const similarity = document.createElement('span');
  similarity.textContent = `similarity ${edge.similarity.toFixed(3)}`;
  const like = document.createElement('button');
  like.type = 'button';
  like.className = 'like';
  like.textContent = 'More like this';
  like.setAttribute('aria-label', `More like this: ${edge.node.text}`);
  like.addEventListener('click', () => void showSimilar(edge.node));
  meta.append(date, similarity, like);
  item.append(text, meta);
  if (edge.duplicates?.length) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = `${edge.duplicates.length} near-duplicate${edge.duplicates.length === 1 ? '' : 's'}`;
    const list = document.createElement('ul');
    for (const d of edge.duplicates) {
      const li = document.createElement('li');
      li.textContent = `${d.publishedOn}: ${d.text}`;
      list.append(li);
    }
    details.append(summary, list);
    item.append(details);
  }
  return item;
}

function renderPage(page: Page, append: boolean): void {
  if (!append) results.replaceChildren();
  results.append(...page.edges.map(renderEdge));
  endCursor = page.pageInfo.endCursor;
  more.hidden = !page.pageInfo.hasNextPage;
  const shown = results.children.length;
  status.replaceChildren();
  if (similarTo) {
    const back = document.createElement('button');
    back.type = 'button';
    back.textContent = 'Back to the search';
    back.addEventListener('click', () => {
      similarTo = null;
      void search(false);
    });
    status.append(`${shown} headlines like “${similarTo.text}” `, back);
  } else {
    if (page.correctedQuery) {
      const corrected = document.createElement('span');
      corrected.className = 'corrected';
      const query = document.createElement('strong');
      query.textContent = page.correctedQuery;
      corrected.append('Showing results for ', query, '. ');
      status.append(corrected);
    }
    status.append(shown === 0 ? 'No headlines found.' : `${shown} headlines${selectedYear ? ` from ${selectedYear.slice(0, 4)}` : ''}. `);
    if (selectedYear) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      const clear = document.createElement('button');
      clear.type = 'button';
      clear.textContent = 'All years';
      clear.addEventListener('click', () => chooseYear(selectedYear!));
      chip.append(`Year ${selectedYear.slice(0, 4)}`, clear);
      status.append(chip);
    }
  }
}

function renderChart(): void {
  timelineSection.hidden = periods.length === 0;
  chart.replaceChildren(renderTimelineChart(periods, measure(), selectedYear, chooseYear));
}

function chooseYear(period: string): void {
  selectedYear = selectedYear === period ? null : period;
  renderChart();
  (chart.querySelector(`[data-period="${period}"]`) as SVGGElement | null)?.focus();
  void search(false);
}

/** A new search (withTimeline: the query, dates or mode changed) or the next page (after). */
async function search(withTimeline: boolean, after: string | null = null): Promise<void> {
  const q = input.value.trim();
  if (q === '') {
    results.replaceChildren();
    status.textContent = '';
    more.hidden = true;
    timelineSection.hidden = true;
    return;
  }
  similarTo = null;
  try {
    const data = await graphql<{ search: Page; timeline?: ChartPeriod[] }>('list', SEARCH, {
      q,
      after,
      filter: resultFilter(),
      mode: mode.value,
      collapse: collapse.checked,
      withTimeline,
      timelineFilter: dateFilter(),
    });
    if (!data) return;
    clearError();
    if (data.timeline) {
      periods = data.timeline;
      renderChart();
    }
    renderPage(data.search, after !== null);
  } catch (error) {
    showError(error);
  }
}

async function showSimilar(headline: Headline, after: string | null = null): Promise<void> {
  try {
    const data = await graphql<{ similar: Page }>('list', SIMILAR, { id: headline.id, after });
    if (!data) return;
    clearError();
    similarTo = headline;
    renderPage(data.similar, after !== null);
    if (!after) status.focus();
  } catch (error) {
    showError(error);
  }
}

/** Runs a search unless the same one was just run: a keystroke that changes nothing costs nothing. */
function searchIfChanged(delay: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    const key = JSON.stringify([input.value.trim().toLowerCase(), from.value, to.value, mode.value, collapse.checked]);
    if (key === lastKey) return;
    lastKey = key;
    selectedYear = null;
    void search(true);
  }, delay);
}

attachSuggestions(
  input,
  suggestions,
  async (prefix) => (await graphql<{ suggest: Suggestion[] }>('suggest', SUGGEST, { prefix }))?.suggest ?? null,
  () => searchIfChanged(0),
);
status.tabIndex = -1;
input.addEventListener('input', () => searchIfChanged(DEBOUNCE_MS));
for (const control of [from, to, mode, collapse]) control.addEventListener('change', () => searchIfChanged(0));
form.addEventListener('submit', (event) => {
  event.preventDefault();
  searchIfChanged(0);
});
more.addEventListener('click', () => {
  if (similarTo) void showSimilar(similarTo, endCursor);
  else void search(false, endCursor);
});
for (const radio of document.querySelectorAll('input[name=measure]')) radio.addEventListener('change', renderChart);
