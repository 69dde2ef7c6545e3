/**
 * Bar charts as static SVG, drawn at generation time by Vega-Lite (compiled to Vega, rendered headless
 * with view.toSVG(): no canvas, no browser, no script in the page). Vega labels every bar for assistive
 * technology (role="graphics-symbol", aria-roledescription="bar", aria-label="hour: 7; plays: 42"), which
 * is also what the report test reads.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Row } from './data';

const COLORS = { bar: '#3b6ea5', free: '#9fb7d3', paid: '#2c5b8a' };

const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#555', labelColor: '#333', gridColor: '#eee', domainColor: '#999', tickColor: '#999' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
} as const;

/** Vertical bars, one per row, in the rows' order; `color` stacks them by a field (free vs paid). */
export function columnSpec(rows: Row[], x: { field: string; title: string }, y: { field: string; title: string }, color?: string): TopLevelSpec {
  return {
    width: Math.min(1000, Math.max(240, 22 * new Set(rows.map((row) => row[x.field])).size)),
    height: 220,
    data: { values: rows },
    mark: { type: 'bar', color: COLORS.bar },
    encoding: {
      x: { field: x.field, type: 'ordinal', title: x.title, sort: null, axis: { labelAngle: 0, labelOverlap: 'greedy' } },
      y: { field: y.field, type: 'quantitative', title: y.title },
      ...(color && {
        color: { field: color, type: 'nominal', title: color, scale: { domain: ['free', 'paid'], range: [COLORS.free, COLORS.paid] } },
      }),
    },
    config: CONFIG,
  };
}

/** Horizontal bars for a ranking, longest first as the rows come (ORDER BY plays DESC). */
export function rankingSpec(rows: Row[], label: { field: string; title: string }, value: { field: string; title: string }): TopLevelSpec {
  return {
    width: 300,
    height: { step: 22 },
    data: { values: rows },
    mark: { type: 'bar', color: COLORS.bar },
    encoding: {
      y: { field: label.field, type: 'nominal', title: null, sort: null, axis: { labelLimit: 220 } },
      x: { field: value.field, type: 'quantitative', title: value.title },
    },
    config: CONFIG,
  };
}

/** Renders specs to SVG markup, in order. Vega ships as ES modules only, hence the dynamic import. */
export async function renderSvgs(specs: TopLevelSpec[]): Promise<string[]> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const svgs = [];
  for (const spec of specs) {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    try {
      svgs.push(await view.toSVG());
    } finally {
      view.finalize();
    }
  }
  return svgs;
}
