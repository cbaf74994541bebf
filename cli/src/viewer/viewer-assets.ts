/**
 * The viewer's stylesheet and script, served from the viewer itself (no CDN, no build step).
 * The script only enhances: menus apply on change, "/" focuses the search, j/k move through the
 * list, and the timeline's steps open or close together; every page works without it.
 */

export const VIEWER_CSS = `
:root { --fg:#1d1c1d; --muted:#616061; --line:#ddd; --bg:#fff; --accent:#1264a3; --ok:#2e7d32; --bad:#c62828; --warn:#b26a00;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; line-height: 1.45; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; z-index: 2; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #3f0e40; color: #fff; }
.top a { color: #fff; text-decoration: none; padding: .2rem .4rem; } .top a[aria-current] { border-bottom: 2px solid #fff; }
.brand { font-weight: 700; } .source { margin-left: auto; font-size: .8rem; opacity: .8; overflow-wrap: anywhere; }
main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; } h4 { margin: .8rem 0 .3rem; font-size: .9rem; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; padding: .8rem; background: #f6f6f6; border-radius: 6px; }
.field { display: flex; flex-direction: column; font-size: .85rem; } .field.grow { flex: 1 1 14rem; } .field.actions { flex-direction: row; gap: .6rem; align-items: center; }
input, select, button { font: inherit; padding: .25rem .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #fafafa; } .num { text-align: right; white-space: nowrap; } td time { white-space: nowrap; }
.conversations tbody tr:hover, .conversations tbody tr:focus-within { background: #f2f7fc; }
.question a { font-weight: 600; }
.status { font-size: .78rem; padding: .05rem .4rem; border-radius: 8px; background: #eee; white-space: nowrap; }
.status-completed, .status-success, .status-passed { background: #e6f4ea; color: var(--ok); }
.status-failed, .status-failure, .status-incomplete, .status-intervened, .status-blocked_by_guardrail { background: #fdecea; color: var(--bad); }
.q-high { color: var(--ok); } .q-medium { color: var(--warn); } .q-low { color: var(--bad); }
.pager { display: flex; gap: 1rem; margin-top: 1rem; } .count { color: var(--muted); }
.error { color: var(--bad); font-weight: 600; }
.stats { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.stats.head { grid-template-columns: repeat(auto-fill, minmax(9rem, max-content) minmax(9rem, 1fr)); }
.stats dt { color: var(--muted); } .stats dd { margin: 0; }
.question-text { font-size: 1.05rem; margin: 0; padding: .6rem .9rem; border-left: 4px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
.slack { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; font-size: .95rem; max-width: 60rem; overflow-wrap: anywhere; }
.slack code { background: #f6f6f6; border: 1px solid #e0e0e0; padding: 0 .2rem; border-radius: 3px; color: #c01343; }
.slack pre.code, pre { background: #f8f8f8; border: 1px solid #e0e0e0; padding: .5rem; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .82rem; margin: .2rem 0; }
.slack blockquote { border-left: 4px solid #ddd; margin: 0; padding-left: .6rem; }
.li.level-0 { padding-left: .4rem; } .li.level-1 { padding-left: 1.6rem; } .li.level-2 { padding-left: 2.8rem; }
pre.sql { background: #0f1e2e; color: #e6f0ff; border-color: #0f1e2e; }
.waterfall { list-style: none; padding: 0; margin: 0; border-top: 1px solid var(--line); }
.waterfall .row { border-bottom: 1px solid var(--line); }
.waterfall summary { display: grid; grid-template-columns: minmax(16rem, 30%) 9rem 1fr; gap: .5rem; align-items: center; padding: .25rem .3rem; cursor: pointer; font-size: .86rem; }
.waterfall summary::marker { content: ""; } .waterfall summary::-webkit-details-marker { display: none; }
.waterfall details[open] > summary { background: #f2f7fc; }
.waterfall .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.waterfall .label::before { content: "▸ "; color: var(--muted); } .waterfall details[open] .label::before { content: "▾ "; }
.depth-1 .label { padding-left: 1.2rem; } .depth-2 .label { padding-left: 2.4rem; } .depth-3 .label { padding-left: 3.6rem; } .depth-4 .label, .depth-5 .label, .depth-6 .label { padding-left: 4.8rem; }
.kind { font-size: .72rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.k-agent > details > summary .label { font-weight: 700; }
.timing { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
svg.bar { width: 100%; height: 14px; background: #f4f4f4; }
rect.k-agent { fill: #4a154b; } rect.k-model { fill: #1264a3; } rect.k-tool { fill: #2eb67d; } rect.k-knowledge_base { fill: #ecb22e; } rect.k-guardrail { fill: #e01e5a; }
.detail { padding: .4rem 1rem .8rem 2rem; font-size: .86rem; }
.params { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; } .params dt { color: var(--muted); } .params dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.scroll { overflow-x: auto; max-height: 28rem; } table.rows caption { text-align: left; color: var(--muted); }
.checks { list-style: none; padding: 0; } .checks .pass .mark { color: var(--ok); } .checks .fail .mark { color: var(--bad); }
.passages .source { font-weight: 600; margin: .3rem 0 0; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem 2rem; }
figure.chart { margin: 0; } figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
figure.chart svg { width: 100%; height: auto; }
.tick { font-size: 11px; fill: var(--muted); } .axis { stroke: #999; }
.s-count, .s-agent { fill: #1264a3; } .s-failure { fill: #e01e5a; } .s-positive { fill: #2eb67d; } .s-negative { fill: #e01e5a; } .s-none { fill: #eee; }
polyline.s-p50 { stroke: #1264a3; stroke-width: 2; } polyline.s-p95 { stroke: #e01e5a; stroke-width: 2; }
circle.s-p50 { fill: #1264a3; } circle.s-p95 { fill: #e01e5a; }
.key::before { content: "■ "; } .key.s-p50 { color: #1264a3; } .key.s-p95 { color: #e01e5a; }
table.sql-patterns pre { margin: 0; }
`;

export const VIEWER_JS = `
(function () {
  'use strict';
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) select.form.requestSubmit(); });
  });
  document.querySelectorAll('button[data-expand]').forEach(function (button) {
    button.addEventListener('click', function () {
      var open = button.getAttribute('data-expand') === 'all';
      document.querySelectorAll('.waterfall details').forEach(function (d) { d.open = open; });
    });
  });
  var links = Array.prototype.slice.call(document.querySelectorAll('.conversations .question a'));
  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
    if (event.key === '/') {
      var search = document.getElementById('f-q');
      if (search) { event.preventDefault(); search.focus(); }
    } else if ((event.key === 'j' || event.key === 'k') && links.length > 0) {
      var at = links.indexOf(document.activeElement);
      var next = event.key === 'j' ? Math.min(links.length - 1, at + 1) : Math.max(0, at - 1);
      links[next].focus();
      event.preventDefault();
    }
  });
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
