/**
 * The report as one HTML file that fetches nothing: charts are inline SVG, styles inline, no script and
 * no font but the system's. A Content-Security-Policy of default-src 'none' makes the browser refuse
 * any fetch that slipped in.
 */
import type { TopLevelSpec } from 'vega-lite';
import { columnSpec, rankingSpec, renderSvgs } from './charts';
import type { ReportData, Row } from './data';

export interface ReportMeta {
  /** Where the data came from, e.g. the warehouse folder or the emulator's endpoint. */
  source: string;
  generatedAt: Date;
}

interface ChartSection {
  id: string;
  title: string;
  note: string;
  /** The rows as the SQL returned them, shown in a table under the chart. */
  rows: Row[];
  spec: TopLevelSpec;
  /** Takes a whole row of the grid (a series as long as the days loaded). */
  wide?: boolean;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const cellText = (value: Row[string]) => (value === null ? 'NULL' : typeof value === 'number' ? value.toLocaleString('en-US') : String(value));

function htmlTable(rows: Row[]): string {
  if (rows.length === 0) return '<p class="empty">No rows.</p>';
  const columns = Object.keys(rows[0]);
  const head = columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((column) => `<td${typeof row[column] === 'number' ? ' class="num"' : ''}>${escapeHtml(cellText(row[column]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function chartSections(data: ReportData): ChartSection[] {
  const plays = { field: 'plays', title: 'plays' };
  const songs = data.topSongs.map((row) => ({ song: `${row.title} — ${row.artist ?? 'unknown artist'}`, plays: row.plays }));
  const users = data.busiestUsers.map((row) => ({ user: `${row.first_name ?? ''} ${row.last_name ?? ''} (${row.user_id})`.trim(), plays: row.plays }));
  return [
    {
      id: 'plays-by-hour', title: 'Plays by hour of day (UTC)', note: 'When people listen.', rows: data.playsByHour,
      spec: columnSpec(data.playsByHour, { field: 'hour', title: 'hour (UTC)' }, plays),
    },
    {
      id: 'plays-by-weekday', title: 'Plays by day of the week (UTC)', note: 'Sunday first.', rows: data.playsByWeekday,
      spec: columnSpec(data.playsByWeekday, { field: 'day', title: 'day' }, plays),
    },
    {
      id: 'top-songs', title: 'Top songs', note: 'Plays that matched a catalogue song only.', rows: data.topSongs,
      spec: rankingSpec(songs, { field: 'song', title: 'song' }, plays),
    },
    {
      id: 'top-artists', title: 'Top artists', note: 'Plays that matched a catalogue song only.', rows: data.topArtists,
      spec: rankingSpec(data.topArtists, { field: 'artist', title: 'artist' }, plays),
    },
    {
      id: 'free-vs-paid', title: 'Free vs paid over time', note: 'Plays per UTC day by the level the user had at the time of the play.',
      rows: data.playsByDayAndLevel,
      spec: columnSpec(data.playsByDayAndLevel, { field: 'day', title: 'day' }, plays, 'level'), wide: true,
    },
    {
      id: 'busiest-users', title: 'Busiest users', note: 'The ten users with the most plays.', rows: data.busiestUsers,
      spec: rankingSpec(users, { field: 'user', title: 'user' }, plays),
    },
    {
      id: 'busiest-locations', title: 'Busiest locations', note: 'Where the app says the plays came from.', rows: data.busiestLocations,
      spec: rankingSpec(data.busiestLocations, { field: 'location', title: 'location' }, plays),
    },
  ];
}

function figure(section: ChartSection, svg: string | undefined): string {
  const chart = svg ?? '<p class="empty">No plays to chart.</p>';
  return `<figure id="${section.id}"${section.wide ? ' class="wide"' : ''} data-chart="${section.id}" data-rows="${section.rows.length}">
<figcaption><h2>${escapeHtml(section.title)}</h2><p>${escapeHtml(section.note)}</p></figcaption>
<div class="chart">${chart}</div>
<details><summary>Values</summary>${htmlTable(section.rows)}</details>
</figure>`;
}

function matchRate({ total, matched }: ReportData['plays']): string {
  const percent = total === 0 ? 0 : (100 * matched) / total;
  return `<p id="match-rate" data-plays="${total}" data-matched="${matched}"><strong>${matched.toLocaleString('en-US')}</strong> of
${total.toLocaleString('en-US')} plays (${percent.toFixed(1)}%) matched a song of the catalogue (title, artist and duration);
the others stay in songplays with no song or artist.</p>`;
}

function loadErrors({ total, latest }: ReportData['loadErrors']): string {
  if (total === 0) return '<p id="load-errors" data-total="0">None: COPY rejected no record.</p>';
  const shown = latest.length < total ? ` The latest ${latest.length} are listed.` : '';
  return `<div id="load-errors" data-total="${total}"><p>${total.toLocaleString('en-US')} record(s) rejected by COPY, most recent first (sys_load_error_detail).${shown}</p>
${htmlTable(latest)}</div>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #f6f7f9; }
header, main { max-width: 1180px; margin: 0 auto; padding: 16px 24px; }
header h1 { margin: 8px 0 2px; font-size: 22px; }
header p { margin: 0; color: #555; }
.grid { margin-top: 16px; display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 16px; }
figure, section { background: #fff; border: 1px solid #e2e5e9; border-radius: 6px; margin: 0; padding: 12px 16px; overflow-x: auto; }
section { margin-top: 16px; }
figcaption h2, section h2 { font-size: 16px; margin: 0; }
figcaption p { margin: 2px 0 8px; color: #666; }
.wide { grid-column: 1 / -1; }
table { border-collapse: collapse; font-size: 12px; margin-top: 6px; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #eee; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart svg { max-width: 100%; height: auto; }
summary { cursor: pointer; color: #3b6ea5; font-size: 12px; }
.empty { color: #888; }
.counts { display: flex; flex-wrap: wrap; gap: 24px; margin: 0; padding: 0; list-style: none; }
.counts li strong { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
`;

/** The whole page. */
export async function renderReport(data: ReportData, meta: ReportMeta): Promise<string> {
  const sections = chartSections(data);
  const drawn = sections.filter((section) => section.rows.length > 0);
  const svgs = new Map((await renderSvgs(drawn.map((section) => section.spec))).map((svg, i) => [drawn[i].id, svg]));
  const figures = sections.map((section) => figure(section, svgs.get(section.id)));
  const counts = data.rowCounts
    .map((row) => `<li data-table="${escapeHtml(String(row.table_name))}">${escapeHtml(String(row.table_name))}<strong>${cellText(row.row_count)}</strong></li>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Sparkify listening report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Sparkify listening report</h1>
<p>From ${escapeHtml(meta.source)}, generated ${escapeHtml(meta.generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC by <code>sparkify report</code>.</p>
</header>
<main>
<section id="row-counts"><h2>Published rows</h2><ul class="counts">${counts}</ul>${matchRate(data.plays)}
<p>Plays and distinct users per level at the time of the play (a user who changed level counts under both):</p>
${htmlTable(data.playsByLevel)}</section>
<div class="grid">
${figures.join('\n')}
</div>
<section><h2>Load errors</h2>${loadErrors(data.loadErrors)}</section>
</main>
</body>
</html>
`;
}
