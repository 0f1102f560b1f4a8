import { svg, html, nothing } from 'lit';

type Series = { key: string; label: string; values: readonly number[] };

export type ChartInput = {
  id: string;
  title: string;
  description: string;
  /** Labels of the x axis, one per bar. */
  labels: readonly string[];
  series: readonly Series[];
  format: (n: number) => string;
};

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 28, left: 44 };

/** A "nice" top of the y axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value) ?? 10 * power;
}

/**
 * Stacked bars in SVG (no chart library, no inline styles: colours come from the stylesheet
 * by series key). The picture is for sighted users; the same numbers follow as a table.
 */
export function stackedBars(input: ChartInput) {
  const totals = input.labels.map((_, i) => input.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, input.labels.length);
  const barW = Math.max(2, step * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = Math.ceil(input.labels.length / 8);
  const bars = input.labels.map((_, i) => {
    let base = 0;
    return input.series.map((s) => {
      const v = s.values[i] ?? 0;
      const rect =
        v === 0
          ? nothing
          : svg`<rect class="bar bar--${s.key}" x=${PAD.left + i * step + (step - barW) / 2} y=${y(base + v)} width=${barW} height=${y(base) - y(base + v)}></rect>`;
      base += v;
      return rect;
    });
  });
  return html`<figure class="chart">
    <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${input.id}-title ${input.id}-desc" preserveAspectRatio="xMidYMid meet">
      <title id="${input.id}-title">${input.title}</title>
      <desc id="${input.id}-desc">${input.description}</desc>
      ${(max % 2 === 0 ? [0, 0.5, 1] : [0, 1]).map(
        (r) => svg`<line class="grid" x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${y(max * r)} y2=${y(max * r)}></line>
        <text class="axis" x=${PAD.left - 6} y=${y(max * r) + 4} text-anchor="end">${input.format(max * r)}</text>`,
      )}
      ${bars}
      ${input.labels.map((l, i) => (i % labelEvery === 0 ? svg`<text class="axis" x=${PAD.left + i * step + step / 2} y=${HEIGHT - 8} text-anchor="middle">${l}</text>` : nothing))}
    </svg>
    <figcaption><ul class="legend">${input.series.map((s) => html`<li><span class="swatch swatch--${s.key}" aria-hidden="true"></span>${s.label}</li>`)}</ul></figcaption>
  </figure>`;
}

/** The chart's numbers as a table, folded under the chart. */
export function chartTable(input: ChartInput, summary: string, firstColumn: string) {
  return html`<details class="chart-data"><summary>${summary}</summary>
    <table><thead><tr><th scope="col">${firstColumn}</th>${input.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
      <tbody>${input.labels.map((l, i) => html`<tr><th scope="row">${l}</th>${input.series.map((s) => html`<td>${input.format(s.values[i] ?? 0)}</td>`)}</tr>`)}</tbody>
    </table></details>`;
}
