export interface Suggestion {
  text: string;
  headlines: number;
}

/** Fetches completions of a prefix; null when a newer request replaced this one. */
export type FetchSuggestions = (prefix: string) => Promise<Suggestion[] | null>;

/** Typing pauses this long before completions are asked for: a fast typist sends few requests. */
const SUGGEST_DEBOUNCE_MS = 80;

/**
 * Completions under a search box, as an ARIA combobox: arrow keys move through them, Enter
 * takes the highlighted one, Escape closes the list; a click takes one too. `choose` runs
 * with the input already set to the chosen text.
 */
export function attachSuggestions(input: HTMLInputElement, list: HTMLUListElement, fetchSuggestions: FetchSuggestions, choose: () => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let items: Suggestion[] = [];
  let active = -1;

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  list.setAttribute('role', 'listbox');

  function close(): void {
    items = [];
    active = -1;
    list.replaceChildren();
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function highlightActive(): void {
    list.querySelectorAll('[role=option]').forEach((option, i) => option.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) input.setAttribute('aria-activedescendant', `${list.id}-${active}`);
    else input.removeAttribute('aria-activedescendant');
  }

  function take(index: number): void {
    input.value = items[index]!.text;
    close();
    choose();
  }

  function show(suggestions: Suggestion[]): void {
    items = suggestions;
    active = -1;
    list.replaceChildren(
      ...suggestions.map((s, i) => {
        const option = document.createElement('li');
        option.id = `${list.id}-${i}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        const count = document.createElement('span');
        count.className = 'count';
        count.textContent = `${s.headlines.toLocaleString('en')} headline${s.headlines === 1 ? '' : 's'}`;
        option.append(s.text, count);
        // mousedown, not click: the input keeps its focus, so the list is still there.
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          take(i);
        });
        return option;
      }),
    );
    list.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(suggestions.length > 0));
    input.removeAttribute('aria-activedescendant');
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const prefix = input.value;
    if (prefix.trim() === '') {
      close();
      return;
    }
    timer = setTimeout(() => {
      fetchSuggestions(prefix).then(
        (suggestions) => {
          // Only for what is still typed: a late answer for an older prefix is dropped.
          if (suggestions && input.value === prefix && document.activeElement === input) show(suggestions);
        },
        () => close(),
      );
    }, SUGGEST_DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    if (list.hidden || items.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      // Past either end is the input itself (-1), as in a browser's own address bar.
      if (event.key === 'ArrowDown') active = active + 1 >= items.length ? -1 : active + 1;
      else active = active - 1 < -1 ? items.length - 1 : active - 1;
      highlightActive();
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      take(active);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      clearTimeout(timer);
      close();
    }
  });
  input.addEventListener('blur', () => {
    clearTimeout(timer);
    close();
  });
}
