export interface ChartPeriod {
  readonly period: string;
  readonly count: number;
  readonly share: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 180;
const AXIS = 18;

function svg<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/**
 * A bar per year in SVG. Each bar is a button for keyboard and screen-reader users
 * (Enter or Space chooses it); `selected` is the chosen year, if any.
 */
export function renderTimelineChart(periods: readonly ChartPeriod[], measure: 'count' | 'share', selected: string | null, onChoose: (period: string) => void): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT + AXIS}`, role: 'group', 'aria-label': `Matches per year, as ${measure === 'count' ? 'counts' : 'shares of all headlines'}` });
  const values = periods.map((p) => (measure === 'count' ? p.count : p.share));
  const max = Math.max(...values, measure === 'count' ? 1 : 1e-9);
  const slot = WIDTH / Math.max(periods.length, 1);
  const labelEvery = Math.ceil(periods.length / 10);
  periods.forEach((p, i) => {
    const value = values[i]!;
    const year = p.period.slice(0, 4);
    const h = (value / max) * (HEIGHT - 4);
    const described = measure === 'count' ? `${p.count} matches` : `${(p.share * 100).toFixed(2)}% of the year's headlines (${p.count} matches)`;
    const bar = svg('g', { class: `bar${selected === p.period ? ' selected' : ''}`, role: 'button', tabindex: 0, 'aria-label': `${year}: ${described}`, 'aria-pressed': String(selected === p.period), 'data-period': p.period });
    const title = svg('title', {});
    title.textContent = `${year}: ${described}`;
    bar.append(title, svg('rect', { class: 'hit', x: i * slot, y: 0, width: slot, height: HEIGHT }), svg('rect', { class: 'fill', x: i * slot + slot * 0.12, y: HEIGHT - h, width: slot * 0.76, height: h }));
    bar.addEventListener('click', () => onChoose(p.period));
    bar.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onChoose(p.period);
      }
    });
    root.append(bar);
    if (i % labelEvery === 0) {
      const label = svg('text', { class: 'axis', x: i * slot + slot / 2, y: HEIGHT + AXIS - 4, 'text-anchor': 'middle', 'aria-hidden': 'true' });
      label.textContent = year;
      root.append(label);
    }
  });
  return root;
}
