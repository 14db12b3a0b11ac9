/** The relay page script, served as /app.js (plain ES2017, no library, no build step for the user). */
// Embedded as a string so `tsc` output is self-contained; no backtick inside (String.raw), and dollar-brace only
// to embed the shared escaping.
import { escapeChar, UNSAFE_SOURCE } from '../../core/safe-text.js';

export const PAGE_JS = String.raw`(function () {
  'use strict';
  // Every value from a stats document is attacker-controlled: it only ever reaches the DOM through
  // textContent (setText/el below). No innerHTML, no attribute built from data, no URL from data.

  var PROTOCOL = 1;
  var MAX_POINTS = 600;
  var MAX_EVENTS = 300;
  var SERIES = [
    { name: 'rps', label: 'Requests / s', fmt: fmtRate },
    { name: 'avgRtMs', label: 'Avg response (ms)', fmt: fmtMsNum },
    { name: 'busyWorkers', label: 'Busy workers', fmt: fmtInt },
    { name: 'listenQueue', label: 'Listen queue', fmt: fmtInt }
  ];
  var STATUS_CLASS = { idle: 'st-idle', busy: 'st-busy', pause: 'st-pause', cheap: 'st-cheap', sig: 'st-sig' };
  var STATE_CLASS = { live: 'state-live', stale: 'state-stale', down: 'state-down', connecting: 'state-connecting' };
  var SEVERITY_CLASS = { info: 'sev-info', warn: 'sev-warn', error: 'sev-error' };
  // The same unsafe characters and escapes as every other output (src/core/safe-text.ts, embedded here).
  var UNSAFE = new RegExp(${JSON.stringify(UNSAFE_SOURCE)}, 'gu');

  var token = new URLSearchParams(location.search).get('token');
  var targets = new Map();
  var order = [];
  var dirty = new Set();
  var frameQueued = false;
  var socket = null;
  var control = false;
  var commands = [];
  var retryMs = 1000;
  var lastMessageAt = 0;
  // True while the relay connection is lost: every target's data is then as old as the last message.
  var offline = false;

  // ---------- text helpers ----------
  ${escapeChar.toString()}
  function visible(value) {
    if (value === null || value === undefined) return '';
    return String(value).replace(UNSAFE, escapeChar);
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = visible(text);
    return node;
  }
  function setText(node, text) {
    var t = visible(text);
    if (node.__t !== t) {
      node.__t = t;
      node.textContent = t;
    }
  }
  function setClass(node, cls) {
    if (node.__c !== cls) {
      node.__c = cls;
      node.className = cls;
    }
  }
  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function fmtInt(v) { return isNum(v) ? String(Math.round(v)) : '-'; }
  function fmtRate(v) { return isNum(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '-'; }
  function fmtMsNum(v) { return isNum(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '-'; }
  function fmtUs(v) { return isNum(v) ? (v >= 100000 ? (v / 1000).toFixed(0) + ' ms' : (v / 1000).toFixed(1) + ' ms') : '-'; }
  function fmtPct(v) { return isNum(v) ? v.toFixed(1) + '%' : '-'; }
  function fmtBytes(v) {
    if (!isNum(v)) return '-';
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[i];
  }
  function fmtDuration(seconds) {
    if (!isNum(seconds)) return '-';
    var s = Math.max(0, Math.floor(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + ('0' + m).slice(-2) + 'm';
    if (m > 0) return m + 'm ' + ('0' + (s % 60)).slice(-2) + 's';
    return (seconds < 10 ? seconds.toFixed(1) : String(s)) + 's';
  }
  function fmtClock(ms) {
    if (!isNum(ms) || ms <= 0) return '-';
    var d = new Date(ms);
    return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2) + ':' + ('0' + d.getSeconds()).slice(-2);
  }
  function fmtEpoch(sec) {
    if (!isNum(sec) || sec <= 0) return '-';
    var d = new Date(sec * 1000);
    var today = new Date();
    var clock = fmtClock(sec * 1000);
    if (d.toDateString() === today.toDateString()) return clock;
    return d.getFullYear() + '-' + ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2) + ' ' + clock;
  }

  // ---------- sortable table updated in place ----------
  function Table(columns, keyOf, sortKey, sortDir, emptyText) {
    var self = this;
    this.columns = columns;
    this.keyOf = keyOf;
    this.sortKey = sortKey;
    this.sortDir = sortDir || 1;
    this.rows = new Map();
    this.domOrder = [];
    this.onRowClick = null;
    this.wrap = el('div', 'table-wrap');
    this.table = el('table', 'grid');
    var thead = el('thead');
    var tr = el('tr');
    this.ths = columns.map(function (col) {
      var th = el('th', col.num ? 'num' : '', col.label);
      if (col.title) th.title = col.title;
      th.tabIndex = 0;
      th.setAttribute('role', 'button');
      function sortBy() {
        if (self.sortKey === col.key) self.sortDir = -self.sortDir;
        else { self.sortKey = col.key; self.sortDir = col.num ? -1 : 1; }
        self.update(self.last || []);
      }
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(); } });
      tr.appendChild(th);
      return th;
    });
    thead.appendChild(tr);
    this.tbody = el('tbody');
    this.table.appendChild(thead);
    this.table.appendChild(this.tbody);
    this.wrap.appendChild(this.table);
    this.empty = el('p', 'empty-row', emptyText || 'none');
    this.wrap.appendChild(this.empty);
  }
  Table.prototype.update = function (items) {
    var self = this;
    this.last = items;
    var col = null;
    for (var c = 0; c < this.columns.length; c++) if (this.columns[c].key === this.sortKey) col = this.columns[c];
    this.ths.forEach(function (th, i) {
      var k = self.columns[i].key;
      setClass(th, (self.columns[i].num ? 'num ' : '') + (k === self.sortKey ? (self.sortDir > 0 ? 'sorted asc' : 'sorted desc') : ''));
    });
    var sorted = items.slice();
    if (col) {
      var dir = this.sortDir;
      sorted.sort(function (a, b) {
        var x = col.sort ? col.sort(a) : col.text(a), y = col.sort ? col.sort(b) : col.text(b);
        var xn = x === null || x === undefined || (typeof x === 'number' && !isFinite(x));
        var yn = y === null || y === undefined || (typeof y === 'number' && !isFinite(y));
        if (xn || yn) return xn === yn ? 0 : xn ? 1 : -1;
        if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
        return String(x).localeCompare(String(y), undefined, { numeric: true }) * dir;
      });
    }
    var seen = new Set();
    var keys = new Array(sorted.length);
    for (var i = 0; i < sorted.length; i++) {
      var item = sorted[i];
      var key = this.keyOf(item);
      keys[i] = key;
      seen.add(key);
      var row = this.rows.get(key);
      if (!row) {
        row = { tr: el('tr'), tds: [], key: key };
        for (var j = 0; j < this.columns.length; j++) {
          var td = el('td', this.columns[j].num ? 'num' : '');
          row.tds.push(td);
          row.tr.appendChild(td);
        }
        if (this.onRowClick) {
          row.tr.classList.add('clickable');
          (function (r) { r.tr.addEventListener('click', function () { self.onRowClick(r.key); }); })(row);
        }
        this.rows.set(key, row);
      }
      for (var k = 0; k < this.columns.length; k++) {
        var column = this.columns[k];
        setText(row.tds[k], column.text(item));
        if (column.cls) setClass(row.tds[k], (column.num ? 'num ' : '') + column.cls(item));
      }
    }
    this.rows.forEach(function (row, key) {
      if (!seen.has(key)) { row.tr.remove(); self.rows.delete(key); }
    });
    var same = keys.length === this.domOrder.length;
    for (var n = 0; same && n < keys.length; n++) if (keys[n] !== this.domOrder[n]) same = false;
    if (!same) {
      // Re-append only when the order changed: appendChild moves existing rows, no row is rebuilt.
      var frag = document.createDocumentFragment();
      for (var m = 0; m < keys.length; m++) frag.appendChild(this.rows.get(keys[m]).tr);
      this.tbody.appendChild(frag);
      this.domOrder = keys;
    }
    this.empty.hidden = sorted.length > 0;
    this.table.hidden = sorted.length === 0;
  };

  // ---------- charts (canvas, drawn here: no chart library) ----------
  function Chart(spec) {
    this.spec = spec;
    this.box = el('div', 'chart');
    var head = el('div', 'chart-head');
    head.appendChild(el('span', 'chart-title', spec.label));
    this.value = el('span', 'chart-value', '-');
    head.appendChild(this.value);
    this.box.appendChild(head);
    this.canvas = el('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', spec.label + ' history');
    this.box.appendChild(this.canvas);
  }
  // Drawing is split so a frame can do every DOM write first (setValue), then read every canvas size at
  // once (measure: one layout), then paint: reading a size right after another chart's text write forced a
  // layout per chart.
  Chart.prototype.setValue = function (values) {
    var last = null;
    for (var q = values.length - 1; q >= 0; q--) if (values[q] !== null) { last = values[q]; break; }
    setText(this.value, last === null ? '-' : this.spec.fmt(values[values.length - 1]));
  };
  Chart.prototype.measure = function () {
    return { w: this.canvas.clientWidth || 300, h: this.canvas.clientHeight || 90 };
  };
  Chart.prototype.paint = function (values, size, colors) {
    var canvas = this.canvas;
    var cssW = size.w, cssH = size.h;
    var dpr = window.devicePixelRatio || 1;
    var w = Math.round(cssW * dpr), h = Math.round(cssH * dpr);
    // The CSS fixes the canvas's box, so a new bitmap size changes no layout.
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);
    var max = 0;
    for (var i = 0; i < values.length; i++) if (values[i] !== null && values[i] > max) max = values[i];
    max = niceMax(max);
    var padTop = 14, padBottom = 4, plotH = cssH - padTop - padBottom;
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (var g = 0; g <= 2; g++) {
      var gy = Math.round(padTop + (plotH * g) / 2) + 0.5;
      ctx.moveTo(0, gy);
      ctx.lineTo(cssW, gy);
    }
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillText(this.spec.fmt(max), 2, 1);
    if (values.length < 2) return;
    var n = Math.min(values.length, MAX_POINTS);
    var start = values.length - n;
    // A short history fills a minute-wide window rather than a sliver of the full 600-point one.
    var span = Math.max(60, n);
    var step = cssW / (span - 1);
    var x0 = cssW - (n - 1) * step;
    var accent = colors.accent;
    ctx.strokeStyle = accent;
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    var pen = false;
    for (var p = 0; p < n; p++) {
      var v = values[start + p];
      if (v === null) { pen = false; continue; }
      var x = x0 + p * step, y = padTop + plotH - (max > 0 ? (v / max) * plotH : 0);
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = accent;
    ctx.beginPath();
    var open = false, firstX = 0, lastX = 0;
    for (var f = 0; f < n; f++) {
      var fv = values[start + f];
      var fx = x0 + f * step;
      if (fv === null) {
        if (open) { ctx.lineTo(lastX, padTop + plotH); ctx.lineTo(firstX, padTop + plotH); ctx.closePath(); open = false; }
        continue;
      }
      var fy = padTop + plotH - (max > 0 ? (fv / max) * plotH : 0);
      if (!open) { ctx.moveTo(fx, padTop + plotH); ctx.lineTo(fx, fy); firstX = fx; open = true; } else ctx.lineTo(fx, fy);
      lastX = fx;
    }
    if (open) { ctx.lineTo(lastX, padTop + plotH); ctx.lineTo(firstX, padTop + plotH); ctx.closePath(); }
    ctx.fill();
    ctx.globalAlpha = 1;
  };
  function chartColors() {
    var style = getComputedStyle(document.documentElement);
    return {
      grid: style.getPropertyValue('--grid') || '#333',
      muted: style.getPropertyValue('--muted') || '#888',
      accent: style.getPropertyValue('--accent') || '#4ea1ff'
    };
  }
  /** Render these views: all DOM writes, then every chart's size read in one go, then the canvas paints. */
  function renderViews(views) {
    var jobs = [];
    for (var i = 0; i < views.length; i++) {
      views[i].render();
      for (var j = 0; j < views[i].chartJobs.length; j++) jobs.push(views[i].chartJobs[j]);
    }
    if (jobs.length === 0) return;
    var colors = chartColors();
    for (var m = 0; m < jobs.length; m++) jobs[m].size = jobs[m].chart.measure();
    for (var d = 0; d < jobs.length; d++) jobs[d].chart.paint(jobs[d].values, jobs[d].size, colors);
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  // ---------- one target's section ----------
  function workerColumns() {
    return [
      { key: 'slot', label: '#', num: true, title: 'Worker slot', text: function (r) { return r.w.slot; }, sort: function (r) { return r.w.slot; } },
      { key: 'id', label: 'WID', num: true, title: 'uWSGI worker id', text: function (r) { return r.w.id; }, sort: function (r) { return r.w.id; } },
      { key: 'pid', label: 'PID', num: true, text: function (r) { return r.w.pid || '-'; }, sort: function (r) { return r.w.pid; } },
      { key: 'status', label: 'Status', text: function (r) { return r.w.statusRaw || r.w.status; }, sort: function (r) { return r.w.status; },
        cls: function (r) { return 'status ' + (STATUS_CLASS[r.w.status] || 'st-unknown') + (r.w.accepting ? '' : ' not-accepting'); } },
      { key: 'share', label: '%', num: true, title: 'Share of all requests', text: function (r) { return r.d ? fmtPct(r.d.sharePct) : '-'; }, sort: function (r) { return r.d ? r.d.sharePct : null; } },
      { key: 'requests', label: 'Req', num: true, text: function (r) { return r.w.requests; }, sort: function (r) { return r.w.requests; } },
      { key: 'rps', label: 'RPS', num: true, text: function (r) { return r.d ? fmtRate(r.d.rps) : '-'; }, sort: function (r) { return r.d ? r.d.rps : null; } },
      { key: 'exceptions', label: 'Exc', num: true, text: function (r) { return r.w.exceptions; }, sort: function (r) { return r.w.exceptions; },
        cls: function (r) { return r.w.exceptions > 0 ? 'warn-text' : ''; } },
      { key: 'busy', label: 'Busy', num: true, title: 'Share of time serving requests', text: function (r) { return r.d && isNum(r.d.busyness) ? fmtPct(r.d.busyness * 100) : '-'; }, sort: function (r) { return r.d ? r.d.busyness : null; } },
      { key: 'avg', label: 'Avg', num: true, title: 'uWSGI running average response time', text: function (r) { return fmtUs(r.w.avgRtUs); }, sort: function (r) { return r.w.avgRtUs; } },
      { key: 'rss', label: 'RSS', num: true, text: function (r) { return r.w.rssBytes > 0 ? fmtBytes(r.w.rssBytes) : '-'; /* 0 = not measured (no --memory-report) */ }, sort: function (r) { return r.w.rssBytes; } },
      { key: 'vsz', label: 'VSZ', num: true, text: function (r) { return r.w.vszBytes > 0 ? fmtBytes(r.w.vszBytes) : '-'; }, sort: function (r) { return r.w.vszBytes; } },
      { key: 'tx', label: 'TX', num: true, text: function (r) { return fmtBytes(r.w.txBytes); }, sort: function (r) { return r.w.txBytes; } },
      { key: 'respawns', label: 'ReSpwn', num: true, text: function (r) { return r.w.respawnCount; }, sort: function (r) { return r.w.respawnCount; } },
      { key: 'harakiri', label: 'HC', num: true, title: 'Harakiri count', text: function (r) { return r.w.harakiriCount; }, sort: function (r) { return r.w.harakiriCount; },
        cls: function (r) { return r.w.harakiriCount > 0 ? 'warn-text' : ''; } },
      { key: 'runtime', label: 'RunT', num: true, title: 'Time spent serving requests', text: function (r) { return fmtDuration(r.w.runningTimeUs / 1e6); }, sort: function (r) { return r.w.runningTimeUs; } },
      { key: 'spawn', label: 'Last spawn', text: function (r) { return fmtEpoch(r.w.lastSpawn); }, sort: function (r) { return r.w.lastSpawn; } }
    ];
  }
  function requestColumns() {
    return [
      { key: 'age', label: 'Age', num: true, text: function (r) { return fmtDuration(r.ageSeconds); }, sort: function (r) { return r.ageSeconds; } },
      { key: 'worker', label: 'Worker', num: true, text: function (r) { return r.workerSlot; }, sort: function (r) { return r.workerSlot; } },
      { key: 'pid', label: 'PID', num: true, text: function (r) { return r.workerPid; }, sort: function (r) { return r.workerPid; } },
      { key: 'core', label: 'Core', num: true, text: function (r) { return r.coreId; }, sort: function (r) { return r.coreId; } },
      { key: 'method', label: 'Method', text: function (r) { return r.method; } },
      { key: 'host', label: 'Host', text: function (r) { return r.host; } },
      { key: 'uri', label: 'URI', text: function (r) { return r.uri; }, cls: function () { return 'uri'; } },
      { key: 'remote', label: 'Remote', text: function (r) { return r.remoteAddr; } }
    ];
  }
  function eventColumns() {
    return [
      { key: 'at', label: 'Time', text: function (e) { return fmtClock(e.atMs); }, sort: function (e) { return e.atMs; } },
      { key: 'severity', label: 'Level', text: function (e) { return e.severity; }, cls: function (e) { return SEVERITY_CLASS[e.severity] || ''; } },
      { key: 'type', label: 'Event', text: function (e) { return e.type; } },
      { key: 'message', label: 'Message', text: function (e) { return e.message; }, cls: function () { return 'wrap'; } }
    ];
  }
  function vassalColumns() {
    return [
      { key: 'id', label: 'Vassal', text: function (v) { return v.id; } },
      { key: 'pid', label: 'PID', num: true, text: function (v) { return v.pid; }, sort: function (v) { return v.pid; } },
      { key: 'ready', label: 'Ready', text: function (v) { return v.ready ? 'yes' : 'no'; }, cls: function (v) { return v.ready ? 'ok-text' : 'warn-text'; } },
      { key: 'accepting', label: 'Accepting', text: function (v) { return v.accepting ? 'yes' : 'no'; } },
      { key: 'loyal', label: 'Loyal', text: function (v) { return v.loyal ? 'yes' : 'no'; } },
      { key: 'respawns', label: 'Respawns', num: true, text: function (v) { return v.respawns; }, sort: function (v) { return v.respawns; } },
      { key: 'cursed', label: 'Cursed', text: function (v) { return v.cursed ? fmtEpoch(v.cursed) : '-'; }, cls: function (v) { return v.cursed ? 'err-text' : ''; } },
      { key: 'born', label: 'Born', text: function (v) { return fmtEpoch(v.born); }, sort: function (v) { return v.born; } }
    ];
  }
  function nodeColumns() {
    return [
      { key: 'key', label: 'Key', text: function (n) { return n.key; } },
      { key: 'name', label: 'Node', text: function (n) { return n.node.name; } },
      { key: 'requests', label: 'Req', num: true, text: function (n) { return n.node.requests; }, sort: function (n) { return n.node.requests; } },
      { key: 'rps', label: 'RPS', num: true, text: function (n) { return fmtRate(n.rps); }, sort: function (n) { return n.rps; } },
      { key: 'load', label: 'Load', num: true, text: function (n) { return n.node.load; }, sort: function (n) { return n.node.load; } },
      { key: 'weight', label: 'Weight', num: true, text: function (n) { return n.node.weight; }, sort: function (n) { return n.node.weight; } },
      { key: 'fail', label: 'Fail', num: true, text: function (n) { return n.node.failcnt; }, sort: function (n) { return n.node.failcnt; },
        cls: function (n) { return n.node.failcnt > 0 ? 'warn-text' : ''; } },
      { key: 'dead', label: 'Dead', text: function (n) { return n.node.deathMark ? 'yes' : ''; }, cls: function (n) { return n.node.deathMark ? 'err-text' : ''; } }
    ];
  }
  function cacheColumns() {
    return [
      { key: 'name', label: 'Cache', text: function (c) { return c.c.name; } },
      { key: 'items', label: 'Items', num: true, text: function (c) { return c.c.items + ' / ' + c.c.maxItems; }, sort: function (c) { return c.c.items; } },
      { key: 'hits', label: 'Hits/s', num: true, text: function (c) { return c.d ? fmtRate(c.d.hitsPerSec) : '-'; }, sort: function (c) { return c.d ? c.d.hitsPerSec : null; } },
      { key: 'misses', label: 'Miss/s', num: true, text: function (c) { return c.d ? fmtRate(c.d.missesPerSec) : '-'; }, sort: function (c) { return c.d ? c.d.missesPerSec : null; } },
      { key: 'ratio', label: 'Hit ratio', num: true, text: function (c) { return c.d && isNum(c.d.hitRatio) ? fmtPct(c.d.hitRatio * 100) : '-'; }, sort: function (c) { return c.d ? c.d.hitRatio : null; } },
      { key: 'full', label: 'Full', num: true, text: function (c) { return c.c.full; }, sort: function (c) { return c.c.full; } }
    ];
  }

  function panel(title, cls) {
    var details = el('details', 'panel ' + cls);
    details.open = true;
    var summary = el('summary');
    summary.appendChild(el('span', 'panel-title', title));
    var count = el('span', 'count');
    summary.appendChild(count);
    details.appendChild(summary);
    return { box: details, count: count };
  }

  function TargetView(name, index) {
    var self = this;
    this.name = name;
    this.section = el('section', 'target');
    this.section.id = 'target-' + index;
    var head = el('div', 'target-head');
    this.title = el('h2', 'target-name', name);
    this.badge = el('span', 'badge state-connecting', 'connecting');
    this.meta = el('span', 'meta dim');
    head.appendChild(this.title);
    head.appendChild(this.badge);
    head.appendChild(this.meta);
    this.controls = el('div', 'controls');
    head.appendChild(this.controls);
    this.section.appendChild(head);
    this.error = el('p', 'error-line');
    this.error.hidden = true;
    this.section.appendChild(this.error);
    this.cards = el('div', 'cards');
    this.cardMap = {};
    this.section.appendChild(this.cards);
    this.charts = SERIES.map(function (s) { return new Chart(s); });
    // Charts to paint after the DOM writes of this render (see renderViews).
    this.chartJobs = [];
    var chartRow = el('div', 'charts');
    this.chartRow = chartRow;
    this.charts.forEach(function (c) { chartRow.appendChild(c.box); });
    this.section.appendChild(chartRow);

    this.workersPanel = panel('Workers', 'workers');
    this.workers = new Table(workerColumns(), function (r) { return r.w.slot; }, 'slot', 1, 'no workers');
    this.workersPanel.box.appendChild(this.workers.wrap);
    this.workers.wrap.classList.add('tall');
    this.section.appendChild(this.workersPanel.box);

    this.requestsPanel = panel('In-flight requests', 'requests');
    this.requests = new Table(requestColumns(), function (r) { return r.workerSlot + '/' + r.coreId; }, 'age', -1, 'no request in flight');
    this.requestVars = el('div', 'vars');
    this.requestVars.hidden = true;
    this.selectedRequest = null;
    this.requests.onRowClick = function (key) {
      self.selectedRequest = self.selectedRequest === key ? null : key;
      renderViews([self]);
    };
    this.requestsPanel.box.appendChild(this.requests.wrap);
    this.requestsPanel.box.appendChild(this.requestVars);
    this.section.appendChild(this.requestsPanel.box);

    this.cachesPanel = panel('Caches', 'caches');
    this.caches = new Table(cacheColumns(), function (c) { return c.c.name; }, 'name', 1, 'no caches');
    this.cachesPanel.box.appendChild(this.caches.wrap);
    this.section.appendChild(this.cachesPanel.box);

    this.vassalsPanel = panel('Vassals', 'vassals');
    this.vassals = new Table(vassalColumns(), function (v) { return v.id; }, 'id', 1, 'no vassals');
    this.vassalsPanel.box.appendChild(this.vassals.wrap);
    this.section.appendChild(this.vassalsPanel.box);

    this.nodesPanel = panel('Subscription nodes', 'nodes');
    this.nodes = new Table(nodeColumns(), function (n) { return n.key + '\u0000' + n.node.name; }, 'key', 1, 'no subscriptions');
    this.nodesPanel.box.appendChild(this.nodes.wrap);
    this.section.appendChild(this.nodesPanel.box);

    this.eventsPanel = panel('Events', 'events');
    this.events = new Table(eventColumns(), function (e) { return e.__key; }, 'at', -1, 'no events yet');
    this.eventsPanel.box.appendChild(this.events.wrap);
    this.events.wrap.classList.add('medium');
    this.section.appendChild(this.eventsPanel.box);

    this.chip = el('a', 'chip state-connecting', name);
    this.chip.href = '#' + this.section.id;
  }
  TargetView.prototype.card = function (key, label) {
    var card = this.cardMap[key];
    if (!card) {
      var box = el('div', 'card');
      var value = el('div', 'card-value');
      var lab = el('div', 'card-label', label);
      var sub = el('div', 'card-sub dim');
      box.appendChild(value);
      box.appendChild(lab);
      box.appendChild(sub);
      this.cards.appendChild(box);
      card = this.cardMap[key] = { box: box, value: value, sub: sub, used: true };
    }
    card.used = true;
    return card;
  };
  TargetView.prototype.setCard = function (key, label, value, sub, cls) {
    var card = this.card(key, label);
    setText(card.value, value);
    setText(card.sub, sub || '');
    setClass(card.box, 'card' + (cls ? ' ' + cls : ''));
  };
  TargetView.prototype.setControls = function () {
    var self = this;
    if (this.controlsBuilt === control + commands.join(',')) return;
    this.controlsBuilt = control + commands.join(',');
    while (this.controls.firstChild) this.controls.removeChild(this.controls.firstChild);
    if (!control) return;
    commands.forEach(function (name) {
      var b = el('button', 'cmd', name);
      b.type = 'button';
      b.addEventListener('click', function () {
        if (!window.confirm('Run ' + name + ' on ' + visible(self.name) + '?')) return;
        sendCommand(self.name, name);
      });
      self.controls.appendChild(b);
    });
  };
  TargetView.prototype.render = function () {
    this.chartJobs = [];
    var t = targets.get(this.name);
    if (!t) return;
    var u = t.latest;
    var state = u && u.state ? u.state.state : 'connecting';
    var stateCls = STATE_CLASS[state] || 'state-connecting';
    // Without the relay nothing here is live any more: say so rather than keep showing "live".
    if (offline) stateCls = 'state-stale';
    setClass(this.badge, 'badge ' + stateCls);
    setText(this.badge, offline ? 'no relay' : state);
    setClass(this.chip, 'chip ' + stateCls);
    // Old data stays readable but dimmed when the target or the relay is gone.
    setClass(this.section, 'target' + (offline || state === 'down' ? ' old-data' : ''));
    this.setControls();
    var err = u && u.state && u.state.state === 'down' ? u.state.error : u && u.error ? u.error : '';
    this.error.hidden = !err;
    setText(this.error, err);
    var snap = u ? u.snapshot : null;
    var der = u ? u.derived : null;
    var kind = snap ? snap.kind : null;
    var doc = snap ? snap.doc : null;
    setText(this.meta, snap ? [kind, 'uWSGI ' + doc.version, 'pid ' + doc.pid, 'read ' + fmtClock(snap.readAtMs) + ' in ' + snap.durationMs.toFixed(1) + ' ms'].join(' \u00b7 ') : '');

    for (var key in this.cardMap) this.cardMap[key].used = false;
    var inst = der ? der.instance : null;
    if (kind === 'instance') {
      this.setCard('rps', 'requests / s', inst ? fmtRate(inst.rps) : '-', inst ? inst.totalRequests + ' total' : '');
      this.setCard('avg', 'avg response', inst ? fmtUs(inst.avgRtUs) : '-', 'running average');
      var counts = { busy: 0, idle: 0, pause: 0, cheap: 0, sig: 0, unknown: 0 };
      doc.workers.forEach(function (w) { counts[w.status in counts ? w.status : 'unknown']++; });
      var running = doc.workers.length - counts.cheap;
      this.setCard('workers', 'busy / running', counts.busy + ' / ' + running,
        counts.idle + ' idle' + (counts.pause ? ' \u00b7 ' + counts.pause + ' paused' : '') + (counts.cheap ? ' \u00b7 ' + counts.cheap + ' cheap' : ''),
        counts.pause > 0 ? 'warn' : '');
      // null = unknown (uWSGI runs with --stats-no-cores): '-', never "null" or 0.
      var inFlightKnown = inst && isNum(inst.inFlight);
      this.setCard('inflight', 'in flight', inFlightKnown ? String(inst.inFlight) : '-', inst && !inFlightKnown ? 'not reported' : '');
      this.setCard('lq', 'listen queue', doc.listenQueue === null ? 'n/a' : String(doc.listenQueue),
        doc.listenQueueErrors ? doc.listenQueueErrors + ' errors' : '', doc.listenQueue > 0 ? 'warn' : '');
      this.setCard('eps', 'exceptions / s', inst ? fmtRate(inst.eps) : '-', inst ? inst.totalExceptions + ' total' : '', inst && inst.eps > 0 ? 'warn' : '');
      this.setCard('tx', 'sent / s', inst && isNum(inst.txps) ? fmtBytes(inst.txps) : '-', inst ? fmtBytes(inst.totalTx) + ' total' : '');
      this.setCard('uptime', 'uptime', inst ? fmtDuration(inst.uptimeSeconds) : '-', inst && inst.busyness !== null ? fmtPct(inst.busyness * 100) + ' busy' : '');
      var legion = doc.legions && doc.legions.length ? doc.legions[0] : null;
      if (legion) this.setCard('legion', 'legion ' + legion.legion, legion.iAmTheLord ? 'lord' : 'member', legion.members.length + (legion.members.length === 1 ? ' member' : ' members') + ' \u00b7 quorum ' + legion.quorum, legion.iAmTheLord ? 'ok' : '');
    } else if (kind === 'emperor') {
      this.setCard('vassals', 'vassals', String(doc.vassals.length), doc.vassals.filter(function (v) { return v.ready; }).length + ' ready');
      this.setCard('throttle', 'throttle level', String(doc.throttleLevel), '');
      this.setCard('blacklist', 'blacklisted', String(doc.blacklist.length), '', doc.blacklist.length ? 'warn' : '');
    } else if (kind === 'router') {
      var nodeCount = 0;
      doc.subscriptions.forEach(function (s) { nodeCount += s.nodes.length; });
      this.setCard('sessions', 'active sessions', String(doc.activeSessions), doc.routerName);
      this.setCard('subs', 'subscriptions', String(doc.subscriptions.length), nodeCount + ' nodes');
    }
    for (var k2 in this.cardMap) this.cardMap[k2].box.hidden = !this.cardMap[k2].used;

    var isInstance = kind === 'instance';
    this.workersPanel.box.hidden = !isInstance;
    this.requestsPanel.box.hidden = !isInstance;
    this.cachesPanel.box.hidden = !(isInstance && doc.caches.length > 0);
    this.vassalsPanel.box.hidden = kind !== 'emperor';
    this.nodesPanel.box.hidden = kind !== 'router';

    if (isInstance) {
      var dBySlot = new Map();
      if (der) der.workers.forEach(function (d) { dBySlot.set(d.slot, d); });
      var rows = doc.workers.map(function (w) { return { w: w, d: dBySlot.get(w.slot) || null }; });
      this.workers.update(rows);
      setText(this.workersPanel.count, doc.workers.length + ' workers');
      var reqs = [];
      doc.workers.forEach(function (w) { for (var i = 0; i < w.inFlight.length; i++) reqs.push(w.inFlight[i]); });
      this.requests.update(reqs);
      // Without cores (--stats-no-cores) an empty list means "not reported", not "nothing in flight".
      var coresKnown = doc.workers.length === 0 || doc.workers.some(function (w) { return w.cores !== null; });
      setText(this.requestsPanel.count, coresKnown ? String(reqs.length) : '-');
      setText(this.requests.empty, coresKnown ? 'no request in flight' : 'unknown: this uWSGI runs with --stats-no-cores, so its stats do not list the requests being served');
      this.renderVars(reqs);
      var cBy = new Map();
      if (der) der.caches.forEach(function (c) { cBy.set(c.name, c); });
      this.caches.update(doc.caches.map(function (c) { return { c: c, d: cBy.get(c.name) || null }; }));
    } else if (kind === 'emperor') {
      this.vassals.update(doc.vassals);
      setText(this.vassalsPanel.count, String(doc.vassals.length));
    } else if (kind === 'router') {
      var rBy = new Map();
      if (der) der.nodes.forEach(function (n) { rBy.set(n.key + '\u0000' + n.name, n.rps); });
      var nodes = [];
      doc.subscriptions.forEach(function (s) {
        s.nodes.forEach(function (n) { var r = rBy.get(s.key + '\u0000' + n.name); nodes.push({ key: s.key, node: n, rps: r === undefined ? null : r }); });
      });
      this.nodes.update(nodes);
      setText(this.nodesPanel.count, String(nodes.length));
    }
    this.events.update(t.events);
    setText(this.eventsPanel.count, String(t.events.length));
    for (var c = 0; c < this.charts.length; c++) {
      // An Emperor has none of these series and a router only a request rate: no empty boxes for them.
      var shown = kind === null || kind === 'instance' || (kind === 'router' && SERIES[c].name === 'rps');
      this.charts[c].box.hidden = !shown;
      if (!shown) continue;
      var values = t.hist[SERIES[c].name] || [];
      this.charts[c].setValue(values);
      this.chartJobs.push({ chart: this.charts[c], values: values, size: null });
    }
    this.chartRow.hidden = kind === 'emperor';
  };
  TargetView.prototype.renderVars = function (reqs) {
    var key = this.selectedRequest;
    var req = null;
    for (var i = 0; key !== null && i < reqs.length; i++) if (reqs[i].workerSlot + '/' + reqs[i].coreId === key) req = reqs[i];
    this.requestVars.hidden = req === null;
    if (req === null) return;
    var sig = key + '#' + req.vars.length + '#' + req.startedAt;
    if (this.varsSig === sig) return;
    this.varsSig = sig;
    while (this.requestVars.firstChild) this.requestVars.removeChild(this.requestVars.firstChild);
    this.requestVars.appendChild(el('div', 'vars-title', 'Variables of worker ' + req.workerSlot + ', core ' + req.coreId + ' (click the row again to hide)'));
    var dl = el('dl');
    req.vars.forEach(function (kv) { dl.appendChild(el('dt', '', kv[0])); dl.appendChild(el('dd', '', kv[1])); });
    this.requestVars.appendChild(dl);
  };

  // ---------- state from messages ----------
  var eventSeq = 0;
  function addEvents(t, events) {
    for (var i = 0; i < events.length; i++) {
      var e = events[i];
      e.__key = ++eventSeq;
      t.events.push(e);
    }
    if (t.events.length > MAX_EVENTS) t.events.splice(0, t.events.length - MAX_EVENTS);
  }
  function markAll() {
    targets.forEach(function (t, name) { dirty.add(name); });
    schedule();
  }
  function onHello(msg) {
    offline = false;
    control = !!msg.control;
    commands = Array.isArray(msg.commands) ? msg.commands : [];
    var names = msg.targets.map(function (t) { return t.target; });
    targets.forEach(function (t, name) { if (names.indexOf(name) < 0) { t.view.section.remove(); t.view.chip.remove(); targets.delete(name); } });
    order = names;
    var main = document.getElementById('targets');
    var nav = document.getElementById('nav');
    msg.targets.forEach(function (ht, i) {
      var t = targets.get(ht.target);
      if (!t) {
        t = { view: new TargetView(ht.target, i) };
        targets.set(ht.target, t);
      }
      main.appendChild(t.view.section);
      nav.appendChild(t.view.chip);
      t.latest = ht.latest;
      t.hist = {};
      SERIES.forEach(function (s) { t.hist[s.name] = ht.history && ht.history[s.name] ? ht.history[s.name].v.slice(-MAX_POINTS) : []; });
      t.events = [];
      addEvents(t, ht.events || []);
      dirty.add(ht.target);
    });
    document.getElementById('empty').hidden = names.length > 0;
    schedule();
  }
  function onUpdate(msg) {
    var t = targets.get(msg.target);
    if (!t) return;
    t.latest = msg;
    var points = msg.points || {};
    SERIES.forEach(function (s) {
      if (!(s.name in points)) return;
      var arr = t.hist[s.name];
      arr.push(points[s.name]);
      if (arr.length > MAX_POINTS) arr.splice(0, arr.length - MAX_POINTS);
    });
    if (msg.events && msg.events.length) addEvents(t, msg.events);
    dirty.add(msg.target);
    schedule();
  }
  function onEvent(msg) {
    var t = targets.get(msg.target);
    if (!t || !Array.isArray(msg.events)) return;
    addEvents(t, msg.events);
    dirty.add(msg.target);
    schedule();
  }
  function schedule() {
    if (frameQueued) return;
    frameQueued = true;
    // One render per animation frame whatever the number of updates; a hidden tab renders when shown.
    requestAnimationFrame(function () {
      frameQueued = false;
      var views = [];
      dirty.forEach(function (name) { var t = targets.get(name); if (t) views.push(t.view); });
      dirty.clear();
      renderViews(views);
    });
  }

  // ---------- connection ----------
  var pending = {};
  var cmdSeq = 0;
  function sendCommand(target, name) {
    if (!socket || socket.readyState !== 1) return setNotice('not connected', false);
    var id = 'c' + (++cmdSeq);
    pending[id] = true;
    socket.send(JSON.stringify({ v: PROTOCOL, type: 'command', id: id, target: target, command: name }));
    setNotice(name + ' sent to ' + target + '\u2026', true);
  }
  function setConn(state, text) {
    var node = document.getElementById('conn');
    setClass(node, 'conn conn-' + state);
    setText(node, text);
  }
  function setStatus(text) { setText(document.getElementById('status'), text); }
  var noticeTimer = 0;
  function setNotice(text, ok) {
    var node = document.getElementById('notice');
    if (!node) {
      node = el('span', 'notice');
      node.id = 'notice';
      node.setAttribute('role', 'status');
      document.querySelector('.top-right').appendChild(node);
    }
    setClass(node, 'notice ' + (ok ? 'notice-ok' : 'notice-err'));
    setText(node, text);
    node.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { node.hidden = true; }, 15000);
  }
  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : '');
    setConn('connecting', 'connecting');
    var ws = new WebSocket(url);
    socket = ws;
    ws.onopen = function () { retryMs = 1000; setConn('live', 'live'); };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || msg.v !== PROTOCOL) { setConn('down', 'protocol mismatch'); return; }
      lastMessageAt = Date.now();
      if (msg.type === 'hello') onHello(msg);
      else if (msg.type === 'update') onUpdate(msg);
      else if (msg.type === 'event') onEvent(msg);
      else if (msg.type === 'command-result') { delete pending[msg.id]; setNotice(msg.command + ' on ' + msg.target + ': ' + (msg.ok ? 'ok' : 'failed') + ' \u2014 ' + msg.message, msg.ok); }
      else if (msg.type === 'error') setNotice(msg.message, false);
    };
    ws.onclose = function () {
      if (socket !== ws) return;
      offline = true;
      markAll();
      setConn('down', 'disconnected \u00b7 retrying in ' + Math.round(retryMs / 1000) + ' s');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }
  setInterval(function () {
    if (lastMessageAt && socket && socket.readyState === 1) setStatus('last update ' + fmtClock(lastMessageAt));
  }, 1000);
  window.addEventListener('resize', function () { targets.forEach(function (t, name) { dirty.add(name); }); schedule(); });
  connect();
})();
`;
