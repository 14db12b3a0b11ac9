/** The relay page stylesheet, served as /app.css. */
// Embedded as a string so `tsc` output is self-contained; no backtick or dollar-brace inside (String.raw).
export const PAGE_CSS = String.raw`:root {
  --bg: #0d1117; --panel: #161b22; --panel2: #1c2230; --border: #2a313c; --text: #e6edf3; --muted: #8b949e;
  --accent: #58a6ff; --grid: #262d38; --ok: #3fb950; --warn: #d29922; --err: #f85149; --pause: #a371f7; --cheap: #6e7681;
  color-scheme: dark;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.dim { color: var(--muted); }
.top { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 16px; padding: 8px 20px;
  background: rgba(13, 17, 23, 0.96); border-bottom: 1px solid var(--border); flex-wrap: wrap; }
.top h1 { margin: 0; font-size: 18px; font-weight: 650; letter-spacing: 0.2px; }
/* One scrolling row of targets, never a wall of chips: with dozens of targets a wrapping bar would fill the screen. */
#nav { display: flex; gap: 6px; flex-wrap: nowrap; flex: 1; min-width: 0; overflow-x: auto; scrollbar-width: thin; padding-bottom: 2px; }
.chip { flex: none; }
.chip { display: inline-block; padding: 2px 10px; border-radius: 12px; border: 1px solid var(--border); color: var(--text);
  text-decoration: none; font: 12px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; max-width: 28em; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.chip::before { content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%; margin-right: 6px; background: var(--cheap); vertical-align: 1px; }
.chip.state-live::before { background: var(--ok); }
.chip.state-stale::before { background: var(--warn); }
.chip.state-down::before { background: var(--err); }
.chip:hover { border-color: var(--accent); }
.top-right { display: flex; gap: 12px; align-items: center; font-size: 12px; }
.conn { padding: 2px 8px; border-radius: 4px; font-weight: 600; font-size: 12px; }
.conn-live { background: rgba(63, 185, 80, 0.15); color: var(--ok); }
.conn-connecting { background: rgba(139, 148, 158, 0.15); color: var(--muted); }
.conn-down { background: rgba(248, 81, 73, 0.15); color: var(--err); }
.notice { max-width: 40em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.notice-ok { color: var(--ok); }
.notice-err { color: var(--err); }
main { padding: 16px 20px 40px; display: flex; flex-direction: column; gap: 20px; }
.empty { color: var(--muted); padding: 20px; }
.target { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; scroll-margin-top: 60px; }
.target-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
.target-name { margin: 0; font: 600 16px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.meta { font-size: 12px; }
.badge { font-size: 11px; font-weight: 700; text-transform: uppercase; padding: 1px 7px; border-radius: 4px; letter-spacing: 0.5px; }
.badge.state-live { background: rgba(63, 185, 80, 0.18); color: var(--ok); }
.badge.state-stale { background: rgba(210, 153, 34, 0.18); color: var(--warn); }
.badge.state-down { background: rgba(248, 81, 73, 0.18); color: var(--err); }
.badge.state-connecting { background: rgba(139, 148, 158, 0.18); color: var(--muted); }
.controls { margin-left: auto; display: flex; gap: 6px; flex-wrap: wrap; }
.cmd { background: var(--panel2); color: var(--text); border: 1px solid var(--border); border-radius: 4px; padding: 2px 8px; font-size: 12px; cursor: pointer; }
.cmd:hover { border-color: var(--accent); }
.error-line { margin: 8px 0 0; padding: 6px 10px; border-left: 3px solid var(--err); background: rgba(248, 81, 73, 0.08); color: var(--err);
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 10px; margin: 12px 0; }
.card { background: var(--panel2); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; min-width: 0; }
.card-value { font: 600 20px/1.2 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card-label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.6px; color: var(--muted); margin-top: 2px; }
.card-sub { font-size: 11px; overflow-wrap: anywhere; }
.card.warn { border-color: var(--warn); }
.card.warn .card-value { color: var(--warn); }
.card.ok .card-value { color: var(--ok); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; margin-bottom: 6px; }
.chart { background: var(--panel2); border: 1px solid var(--border); border-radius: 6px; padding: 6px 8px; }
.chart-head { display: flex; justify-content: space-between; font-size: 12px; }
.chart-title { color: var(--muted); }
.chart-value { font: 600 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
.chart canvas { display: block; width: 100%; height: 90px; }
.panel { margin-top: 10px; }
.panel > summary { cursor: pointer; padding: 4px 0; font-weight: 600; list-style-position: inside; }
.panel-title { margin-right: 8px; }
.count { font-weight: 400; color: var(--muted); font-size: 12px; }
.table-wrap { overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
.table-wrap.tall { max-height: 60vh; }
.table-wrap.medium { max-height: 40vh; }
.grid { border-collapse: collapse; width: 100%; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
.grid th { position: sticky; top: 0; background: var(--panel2); color: var(--muted); font-weight: 600; text-align: left; padding: 5px 8px;
  border-bottom: 1px solid var(--border); cursor: pointer; user-select: none; white-space: nowrap; }
.grid th:hover { color: var(--text); }
.grid th.sorted { color: var(--accent); }
.grid th.sorted.asc::after { content: " \25B2"; font-size: 9px; }
.grid th.sorted.desc::after { content: " \25BC"; font-size: 9px; }
.grid td { padding: 3px 8px; border-bottom: 1px solid var(--grid); white-space: nowrap; max-width: 40em; overflow: hidden; text-overflow: ellipsis; }
.grid tbody tr:hover { background: rgba(88, 166, 255, 0.06); }
.grid tr.clickable { cursor: pointer; }
.grid .num { text-align: right; font-variant-numeric: tabular-nums; }
.grid td.wrap { white-space: normal; overflow-wrap: anywhere; max-width: 60em; }
.grid td.uri { max-width: 50em; }
.status { font-weight: 600; }
.st-idle { color: var(--ok); }
.st-busy { color: var(--warn); }
.st-pause { color: var(--pause); }
.st-cheap { color: var(--cheap); }
.st-sig { color: var(--accent); }
.st-unknown { color: var(--err); }
.not-accepting { text-decoration: underline dotted; }
.warn-text { color: var(--warn); }
.err-text { color: var(--err); }
.ok-text { color: var(--ok); }
.sev-info { color: var(--muted); }
.sev-warn { color: var(--warn); }
.sev-error { color: var(--err); }
.empty-row { margin: 0; padding: 8px 10px; color: var(--muted); font-size: 12px; }
.vars { margin-top: 8px; padding: 8px 10px; background: var(--panel2); border: 1px solid var(--border); border-radius: 6px;
  font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 40vh; overflow: auto; }
.vars-title { color: var(--muted); margin-bottom: 6px; }
.vars dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
.vars dt { color: var(--accent); }
.vars dd { margin: 0; overflow-wrap: anywhere; }
[hidden] { display: none !important; }
/* Data of a target that is down (or of every target while the relay is unreachable) is the last one read. */
.target.old-data .cards, .target.old-data .charts, .target.old-data details.panel:not(.events) { opacity: 0.5; }
/* Phones: the bar scrolls away with the page (a sticky bar would hide a quarter of it); targets in one row. */
@media (max-width: 700px) {
  .top { position: static; padding: 8px 10px; gap: 8px; }
  #nav { order: 3; flex-basis: 100%; }
  main { padding: 10px; } .target { padding: 10px; }
}
`;
