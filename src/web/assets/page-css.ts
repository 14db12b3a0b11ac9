/** The relay page stylesheet, served as /app.css: light or dark by the reader's preference, text contrast >= 4.5:1 in both. */
// Embedded as a string so `tsc` output is self-contained; no backtick or dollar-brace inside (String.raw).
export const PAGE_CSS = String.raw`:root {
  /* Dark: every text colour is at least 4.5:1 on every background (test/page/web-page-contrast.test.ts). */
  --bg: #0d1117; --panel: #161b22; --panel2: #1c2230; --border: #3a4350; --text: #e6edf3; --muted: #9ba5b0;
  --accent: #58a6ff; --grid: #2f3744; --ok: #3fb950; --warn: #d29922; --err: #ff6b61; --pause: #b692f6; --cheap: #8b949e;
  --focus: #79c0ff; --row-hover: #222a38;
  color-scheme: light dark;
}
@media (prefers-color-scheme: light) {
  :root {
    /* Light: every text colour is at least 4.5:1 on every background (test/page/web-page-contrast.test.ts). */
    --bg: #ffffff; --panel: #ffffff; --panel2: #f3f5f8; --border: #c9d1d9; --text: #1f2328; --muted: #57606a;
    --accent: #0a5bc4; --grid: #dde3ea; --ok: #146c2e; --warn: #8a5a00; --err: #c5221f; --pause: #7c3aed; --cheap: #57606a;
    --focus: #0a5bc4; --row-hover: #edf0f3;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.dim { color: var(--muted); }
.top { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 16px; padding: 8px 20px;
  background: var(--bg); border-bottom: 1px solid var(--border); flex-wrap: wrap; }
.top h1 { margin: 0; font-size: 18px; font-weight: 650; }
#nav { display: flex; gap: 6px; flex-wrap: nowrap; flex: 1; min-width: 0; overflow-x: auto; padding-bottom: 2px; }
.chip { flex: none; display: inline-block; padding: 2px 10px; border-radius: 12px; border: 1px solid var(--border); color: var(--text);
  text-decoration: none; font: 12px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; max-width: 28em; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.chip::before { content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%; margin-right: 6px; background: var(--cheap); vertical-align: 1px; }
.chip.state-live::before { background: var(--ok); }
.chip.state-stale::before { background: var(--warn); }
.chip.state-down::before { background: var(--err); }
.top-right { display: flex; gap: 12px; align-items: center; font-size: 12px; }
.conn { padding: 2px 8px; border-radius: 4px; font-weight: 600; font-size: 12px; border: 1px solid currentColor; }
.conn-live { color: var(--ok); }
.conn-connecting { color: var(--muted); }
.conn-down { color: var(--err); }
.notice { max-width: 40em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.notice-ok { color: var(--ok); }
.notice-err { color: var(--err); }
main { padding: 16px 20px 40px; display: flex; flex-direction: column; gap: 20px; }
.empty { color: var(--muted); padding: 20px; }
.target { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; scroll-margin-top: 60px; min-width: 0; }
.target-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
.target-name { margin: 0; font: 600 16px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.meta { font-size: 12px; color: var(--muted); }
.badge { font-size: 11px; font-weight: 700; text-transform: uppercase; padding: 1px 7px; border-radius: 4px; border: 1px solid currentColor; }
.state-live.badge { color: var(--ok); }
.state-stale.badge { color: var(--warn); }
.state-down.badge { color: var(--err); }
.state-connecting.badge { color: var(--muted); }
.controls { margin-left: auto; display: flex; gap: 6px; flex-wrap: wrap; }
button { font: inherit; }
.cmd, .close { background: var(--panel2); color: var(--text); border: 1px solid var(--border); border-radius: 4px; padding: 2px 8px; font-size: 12px; cursor: pointer; }
.error-line { margin: 8px 0 0; padding: 6px 10px; border-left: 3px solid var(--err); background: var(--panel2); color: var(--err);
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; margin: 12px 0; }
.card { background: var(--panel2); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; min-width: 0; }
.card-value { font: 600 20px/1.2 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card-label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.6px; color: var(--muted); margin-top: 2px; }
.card-sub { font-size: 11px; color: var(--muted); overflow-wrap: anywhere; }
.card.warn { border-color: var(--warn); }
.card.warn .card-value { color: var(--warn); }
.card.ok .card-value { color: var(--ok); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; margin-bottom: 6px; }
.chart { background: var(--panel2); border: 1px solid var(--border); border-radius: 6px; padding: 6px 8px; min-width: 0; }
.chart-head { display: flex; justify-content: space-between; gap: 8px; font-size: 12px; }
.chart-title { color: var(--muted); }
.chart-value { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.chart canvas { display: block; width: 100%; height: 110px; cursor: crosshair; }
.readout { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; min-height: 1.4em; color: var(--text); }
details.panel { margin-top: 12px; border-top: 1px solid var(--border); padding-top: 8px; min-width: 0; }
details.panel > summary { cursor: pointer; font-weight: 600; list-style-position: inside; }
.count { color: var(--muted); font-weight: 400; margin-left: 6px; }
.table-wrap { overflow-x: auto; margin-top: 6px; max-width: 100%; }
.scroll-hint { display: none; font-size: 12px; color: var(--muted); margin: 4px 0 0; }
.scrolls .scroll-hint { display: block; }
table.grid { border-collapse: collapse; width: 100%; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.grid th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--border); white-space: nowrap; padding: 0; }
table.grid th button { all: unset; display: block; width: 100%; padding: 3px 8px; cursor: pointer; box-sizing: border-box; }
table.grid th button:focus-visible { outline: 2px solid var(--focus); outline-offset: -2px; }
table.grid th.num, table.grid td.num { text-align: right; }
table.grid th[aria-sort="ascending"] button::after { content: " \25B2"; color: var(--text); }
table.grid th[aria-sort="descending"] button::after { content: " \25BC"; color: var(--text); }
table.grid td { padding: 2px 8px; border-bottom: 1px solid var(--grid); white-space: nowrap; }
table.grid td.flex { white-space: normal; overflow-wrap: anywhere; min-width: 14em; }
table.grid tbody tr.openable { cursor: pointer; }
table.grid tbody tr.openable:hover, table.grid tbody tr[aria-expanded="true"] { background: var(--row-hover); }
table.grid tbody tr:focus-visible { outline: 2px solid var(--focus); outline-offset: -2px; }
.s-busy { color: var(--accent); font-weight: 600; }
.s-pause { color: var(--pause); font-weight: 600; }
.s-cheap { color: var(--cheap); }
.s-sig, .s-warn { color: var(--warn); }
.s-err, .s-bad, .s-error { color: var(--err); }
.s-ok { color: var(--ok); }
.empty-row { color: var(--muted); font-size: 12px; margin: 6px 0; }
.detail { margin-top: 8px; padding: 8px 10px; background: var(--panel2); border: 1px solid var(--border); border-radius: 6px; }
.detail-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.detail h3 { margin: 0; font-size: 14px; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
.detail dt { color: var(--muted); }
.detail dd { margin: 0; overflow-wrap: anywhere; }
.old-data .cards, .old-data .charts, .old-data details.panel { opacity: 0.75; }
@media (max-width: 720px) {
  /* A phone has no height to spare for a bar that stays: it scrolls away with the page. */
  .top { position: static; padding: 8px 10px; gap: 8px; }
  main { padding: 10px 8px 30px; }
  .target { padding: 10px; }
  /* The target chips get a row of their own (scrolling sideways), not the sliver left by the title. */
  #nav { order: 3; flex-basis: 100%; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .chart { padding: 4px 6px; }
  .chart canvas { height: 80px; }
}
`;
