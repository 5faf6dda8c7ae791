// celeriac monitor — the UI. Plain JavaScript, no library. Every value that workers or clients sent is put in
// the page with textContent or as an attribute value, never as HTML: a task argument holding <script> is text.
'use strict';

const STATES = ['PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED'];
const SVGNS = 'http://www.w3.org/2000/svg';
const app = document.getElementById('app');
let overview = null;
let current = null; // the view being shown: {name, refresh(update), ...}

// ---------------------------------------------------------------------------------------------------------
// small helpers

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = String(v);
    else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = String(v); else e.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) if (c) e.appendChild(c);
  return e;
}

function link(href, text, cls) {
  return el('a', {href, 'data-link': true, class: cls, text});
}

function badge(state) {
  const s = state == null ? 'UNKNOWN' : String(state);
  return el('span', {class: 'badge ' + s.replace(/[^A-Za-z]/g, ''), text: s});
}

function fmtTime(epoch) {
  if (epoch == null) return '';
  const d = new Date(epoch * 1000);
  return d.toLocaleString(undefined, {hour12: false}) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function fmtAgo(epoch) {
  if (epoch == null) return '';
  const s = Date.now() / 1000 - epoch;
  if (s < 1) return 'just now';
  if (s < 60) return Math.round(s) + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  return Math.round(s / 3600) + ' h ago';
}

function fmtRuntime(r) {
  if (r == null) return '';
  if (r < 1) return (r * 1000).toFixed(r < 0.01 ? 2 : 1) + ' ms';
  return r.toFixed(3) + ' s';
}

function fmtNum(n) {
  return n == null ? '—' : Number(n).toLocaleString();
}

function taskPath(id) { return '/task/' + encodeURIComponent(id); }
function workerPath(name) { return '/worker/' + encodeURIComponent(name); }

async function api(path, options) {
  const r = await fetch(path, Object.assign({credentials: 'same-origin', headers: {'Accept': 'application/json'}}, options || {}));
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const msg = body && body.error ? body.error : r.status + ' ' + r.statusText;
    throw new Error(msg);
  }
  return body;
}

async function action(path, params, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return null;
  const body = new URLSearchParams(params || {});
  try {
    const r = await api(path, {method: 'POST', body, headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json'}});
    toast((r && (r.error || r.message)) || 'done', r && r.error);
    return r;
  } catch (e) {
    toast(e.message, true);
    return null;
  }
}

let toastTimer = null;
function toast(text, bad) {
  const t = document.getElementById('toast');
  t.textContent = String(text);
  t.className = 'toast' + (bad ? ' bad' : '');
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

function table(headers, rows, emptyText) {
  const head = el('tr', {}, headers.map(h => el('th', {class: h.num ? 'num' : null, text: h.label || h})));
  const body = el('tbody');
  if (rows.length === 0) {
    body.appendChild(el('tr', {}, el('td', {colspan: headers.length, class: 'muted', text: emptyText || 'Nothing yet.'})));
  }
  rows.forEach(r => body.appendChild(r));
  return el('table', {}, el('thead', {}, head), body);
}

function debounce(fn, ms) {
  let timer = null;
  let last = 0;
  return function () {
    const wait = Math.max(0, last + ms - Date.now());
    clearTimeout(timer);
    timer = setTimeout(() => { last = Date.now(); fn(); }, wait);
  };
}

// ---------------------------------------------------------------------------------------------------------
// charts: small inline SVG

function lineChart(series, opts) {
  const W = 600, H = 170, L = 40, B = 22, T = 8, R = 8;
  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img'});
  const all = series.flatMap(s => s.points);
  if (all.length === 0) {
    root.appendChild(svg('text', {x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#8a8f86', 'font-size': 13, text: 'no data yet'}));
    return root;
  }
  const xs = all.map(p => p[0]);
  const x0 = opts && opts.x0 != null ? opts.x0 : Math.min(...xs);
  const x1 = opts && opts.x1 != null ? opts.x1 : Math.max(...xs);
  const yMax = Math.max(1, ...all.map(p => p[1]));
  const sx = x => L + (x1 === x0 ? 0 : (x - x0) / (x1 - x0)) * (W - L - R);
  const sy = y => H - B - (y / yMax) * (H - B - T);
  for (let i = 0; i <= 4; i++) {
    const y = yMax * i / 4;
    root.appendChild(svg('line', {x1: L, x2: W - R, y1: sy(y), y2: sy(y), stroke: '#e6e9e1', 'stroke-width': 1}));
    root.appendChild(svg('text', {x: L - 5, y: sy(y) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7565', text: Math.round(y)}));
  }
  [x0, x1].forEach((x, i) => root.appendChild(svg('text', {x: sx(x), y: H - 6, 'text-anchor': i ? 'end' : 'start', 'font-size': 10, fill: '#6b7565',
    text: new Date(x * 1000).toLocaleTimeString(undefined, {hour12: false, hour: '2-digit', minute: '2-digit'})})));
  series.forEach(s => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => (i ? 'L' : 'M') + sx(p[0]).toFixed(1) + ' ' + sy(p[1]).toFixed(1)).join(' ');
    root.appendChild(svg('path', {d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke'}));
  });
  return root;
}

function legend(items) {
  return el('div', {class: 'legend'}, items.map(([color, label]) => {
    const i = el('i');
    i.style.background = color;
    return [i, label];
  }));
}

const PALETTE = ['#2c6fb0', '#c98a0b', '#6d4c9f', '#2f8f46', '#c0392b', '#1b9aaa', '#8e5a2b'];

// ---------------------------------------------------------------------------------------------------------
// dashboard

function viewDashboard() {
  const cards = el('div', {class: 'cards', id: 'totals'});
  const workers = el('div', {id: 'workers'});
  const charts = el('div', {class: 'grid2'},
    el('div', {class: 'card chart'}, el('h2', {text: 'Tasks per minute'}), el('div', {id: 'chart-tasks'})),
    el('div', {class: 'card chart'}, el('h2', {text: 'Queue depth'}), el('div', {id: 'chart-queues'})));
  const runtimes = el('div', {id: 'runtimes'});
  app.replaceChildren(el('h1', {text: 'Dashboard'}), cards, el('h2', {text: 'Workers'}), workers, charts,
    el('h2', {text: 'Runtime per task (latest 512 runs)'}), runtimes);
  const loadSeries = debounce(async () => {
    try { renderSeries(await api('/api/monitor/series')); } catch (e) { /* shown by the status */ }
  }, 3000);
  function render() {
    if (!overview) return;
    const t = overview.totals;
    const stat = (k, v, cls) => el('div', {class: 'card stat ' + (cls || '')}, el('div', {class: 'v', text: v}), el('div', {class: 'k', text: k}));
    cards.replaceChildren(
      stat('Workers online', t.online + ' / ' + t.workers, t.online ? 'ok' : 'bad'),
      stat('Active', fmtNum(t.active)),
      stat('Received', fmtNum(t.received)),
      stat('Succeeded', fmtNum(t.succeeded), 'ok'),
      stat('Failed', fmtNum(t.failed), t.failed ? 'bad' : ''),
      stat('Retried', fmtNum(t.retried), t.retried ? 'warn' : ''),
      stat('Events / s', fmtNum(overview.event_rate)),
      stat('In history', fmtNum(overview.history.size)));
    const rows = overview.workers.map(w => el('tr', {'data-worker': w.hostname},
      el('td', {}, link(workerPath(w.hostname), w.hostname)),
      el('td', {}, badge(w.alive ? 'online' : 'offline')),
      el('td', {class: 'num', text: fmtNum(w.active)}),
      el('td', {class: 'num', text: fmtNum(w.received)}),
      el('td', {class: 'num', text: fmtNum(w.succeeded)}),
      el('td', {class: 'num', text: fmtNum(w.failed)}),
      el('td', {class: 'num', text: fmtNum(w.retried)}),
      el('td', {class: 'mono', text: w.loadavg ? w.loadavg.map(x => Number(x).toFixed(2)).join(' ') : ''}),
      el('td', {text: fmtAgo(w.last_heartbeat), title: fmtTime(w.last_heartbeat)})));
    workers.replaceChildren(table(['Worker', 'Status', {label: 'Active', num: 1}, {label: 'Received', num: 1},
      {label: 'Succeeded', num: 1}, {label: 'Failed', num: 1}, {label: 'Retried', num: 1}, 'Load', 'Last heartbeat'], rows,
      'No worker has sent an event yet (start workers with -E, or enable events with `celery control enable_events`).'));
    loadSeries();
  }
  function renderSeries(s) {
    const now = Date.now() / 1000;
    const succ = s.per_minute.map(p => [p.t, p.succeeded]);
    const fail = s.per_minute.map(p => [p.t, p.failed]);
    document.getElementById('chart-tasks').replaceChildren(
      lineChart([{points: succ, color: '#2f8f46'}, {points: fail, color: '#c0392b'}], {x0: now - 3600, x1: now}),
      legend([['#2f8f46', 'succeeded'], ['#c0392b', 'failed']]));
    const qs = Object.entries(s.queues);
    document.getElementById('chart-queues').replaceChildren(
      lineChart(qs.map(([q, pts], i) => ({points: pts, color: PALETTE[i % PALETTE.length]})), {}),
      legend(qs.map(([q], i) => [PALETTE[i % PALETTE.length], q])));
    const maxP99 = Math.max(0.000001, ...s.runtimes.map(r => r.p99 || 0));
    const rows = s.runtimes.map(r => {
      const bar = svg('svg', {viewBox: '0 0 200 12', width: 200, height: 12},
        svg('rect', {x: 0, y: 2, width: 200 * (r.p99 || 0) / maxP99, height: 8, fill: '#d9e4c5'}),
        svg('rect', {x: 0, y: 2, width: 200 * (r.p90 || 0) / maxP99, height: 8, fill: '#a9c46a'}),
        svg('rect', {x: 0, y: 2, width: 200 * (r.p50 || 0) / maxP99, height: 8, fill: '#4d6b1f'}));
      return el('tr', {}, el('td', {}, link('/tasks?taskname=' + encodeURIComponent(r.name), r.name)),
        el('td', {class: 'num', text: fmtNum(r.count)}), el('td', {class: 'num', text: fmtRuntime(r.p50)}),
        el('td', {class: 'num', text: fmtRuntime(r.p90)}), el('td', {class: 'num', text: fmtRuntime(r.p99)}),
        el('td', {class: 'num', text: fmtRuntime(r.max)}), el('td', {}, bar));
    });
    runtimes.replaceChildren(table(['Task', {label: 'Runs', num: 1}, {label: 'p50', num: 1}, {label: 'p90', num: 1},
      {label: 'p99', num: 1}, {label: 'max', num: 1}, 'p50 / p90 / p99'], rows, 'No task has succeeded yet.'));
  }
  render();
  return {name: 'dashboard', refresh: render};
}

// ---------------------------------------------------------------------------------------------------------
// tasks

function viewTasks() {
  const params = new URLSearchParams(location.search);
  const limit = 25;
  let offset = Number(params.get('offset') || 0);
  const state = el('select', {name: 'state', id: 'f-state'}, el('option', {value: '', text: 'All states'}),
    STATES.map(s => el('option', {value: s, text: s})));
  const name = el('select', {name: 'taskname', id: 'f-name'}, el('option', {value: '', text: 'All tasks'}));
  const worker = el('select', {name: 'workername', id: 'f-worker'}, el('option', {value: '', text: 'All workers'}));
  const from = el('input', {type: 'datetime-local', name: 'received_start', id: 'f-from'});
  const to = el('input', {type: 'datetime-local', name: 'received_end', id: 'f-to'});
  const search = el('input', {type: 'search', name: 'search', id: 'f-search', placeholder: 'id, name, args, kwargs, result… or args:42'});
  const sort = el('select', {name: 'sort_by', id: 'f-sort'}, [['', 'Newest first'], ['-received', 'Received ↓'],
    ['received', 'Received ↑'], ['-started', 'Started ↓'], ['name', 'Name'], ['state', 'State']]
    .map(([v, t]) => el('option', {value: v, text: t})));
  const fields = [state, name, worker, from, to, search, sort];
  for (const f of fields) {
    if (params.get(f.name)) {
      if (f.tagName === 'SELECT' && ![...f.options].some(o => o.value === params.get(f.name))) {
        f.appendChild(el('option', {value: params.get(f.name), text: params.get(f.name)}));
      }
      f.value = params.get(f.name);
    }
  }
  const count = el('span', {class: 'muted', id: 'task-count'});
  const prev = el('button', {type: 'button', text: '← Newer', onclick: () => { offset = Math.max(0, offset - limit); load(true); }});
  const next = el('button', {type: 'button', text: 'Older →', onclick: () => { offset += limit; load(true); }});
  const holder = el('div', {id: 'tasks-table'});
  const form = el('form', {class: 'filters', id: 'task-filters', onsubmit: e => { e.preventDefault(); offset = 0; load(true); }},
    el('label', {}, 'State', state), el('label', {}, 'Task', name), el('label', {}, 'Worker', worker),
    el('label', {}, 'Received from', from), el('label', {}, 'to', to), el('label', {}, 'Search', search),
    el('label', {}, 'Order', sort), el('button', {type: 'submit', class: 'primary', text: 'Filter'}),
    el('button', {type: 'button', text: 'Clear', onclick: () => { fields.forEach(f => { f.value = ''; }); offset = 0; load(true); }}));
  fields.forEach(f => { if (f.tagName === 'SELECT') f.addEventListener('change', () => { offset = 0; load(true); }); });
  app.replaceChildren(el('h1', {text: 'Tasks'}), form, holder, el('div', {class: 'pager'}, prev, next, count));

  api('/api/task/types').then(t => {
    for (const n of t['task-types']) if (![...name.options].some(o => o.value === n)) name.appendChild(el('option', {value: n, text: n}));
    if (params.get('taskname')) name.value = params.get('taskname');
  }).catch(() => {});
  function fillWorkers() {
    if (!overview) return;
    for (const w of overview.workers) {
      if (![...worker.options].some(o => o.value === w.hostname)) worker.appendChild(el('option', {value: w.hostname, text: w.hostname}));
    }
  }
  fillWorkers();

  function query() {
    const q = new URLSearchParams();
    for (const f of fields) if (f.value) q.set(f.name, f.value);
    if (offset) q.set('offset', offset);
    return q;
  }
  let seen = new Map();
  async function load(push) {
    const q = query();
    if (push) history.replaceState(null, '', '/tasks' + (q.toString() ? '?' + q : ''));
    q.set('limit', limit);
    let data;
    try { data = await api('/api/monitor/tasks?' + q); } catch (e) { holder.replaceChildren(el('p', {class: 'muted', text: e.message})); return; }
    const fresh = new Map();
    const rows = data.tasks.map(t => {
      const key = t.state + '|' + t.timestamp;
      fresh.set(t.uuid, key);
      const tr = el('tr', {'data-uuid': t.uuid, 'data-state': t.state, class: seen.size && seen.get(t.uuid) !== key ? 'flash' : null},
        el('td', {}, t.name ? link('/tasks?taskname=' + encodeURIComponent(t.name), t.name) : el('span', {class: 'muted', text: '—'})),
        el('td', {class: 'mono nowrap'}, link(taskPath(t.uuid), t.uuid)),
        el('td', {}, badge(t.state)),
        el('td', {class: 'clip', text: t.args == null ? '' : t.args, title: t.args == null ? '' : t.args}),
        el('td', {class: 'clip', text: t.kwargs == null ? '' : t.kwargs, title: t.kwargs == null ? '' : t.kwargs}),
        el('td', {class: 'clip', text: t.result != null ? t.result : (t.exception || ''), title: t.result != null ? t.result : (t.exception || '')}),
        el('td', {class: 'nowrap', text: fmtTime(t.received)}),
        el('td', {class: 'num nowrap', text: fmtRuntime(t.runtime)}),
        el('td', {class: 'nowrap'}, t.worker ? link(workerPath(t.worker), t.worker) : ''));
      return tr;
    });
    seen = fresh;
    holder.replaceChildren(table(['Name', 'UUID', 'State', 'args', 'kwargs', 'Result', 'Received', {label: 'Runtime', num: 1}, 'Worker'],
      rows, 'No task matches.'));
    const shown = data.tasks.length;
    count.textContent = shown ? `${offset + 1}–${offset + shown} of ${data.capped ? 'more than ' : ''}${fmtNum(data.total)}` : (offset ? 'no more tasks' : '');
    prev.disabled = offset === 0;
    next.disabled = offset + shown >= data.total;
  }
  load(false);
  const reload = debounce(() => load(false), 1000);
  return {name: 'tasks', refresh: u => { fillWorkers(); if (u && (u.tasks.length || u.more)) reload(); }};
}

// ---------------------------------------------------------------------------------------------------------
// one task

const FIELD_ORDER = ['name', 'uuid', 'state', 'args', 'kwargs', 'result', 'exception', 'retries', 'worker', 'sent',
  'received', 'started', 'succeeded', 'failed', 'retried', 'revoked', 'rejected', 'eta', 'expires', 'runtime',
  'exchange', 'routing_key', 'client', 'clock', 'root_id', 'parent_id', 'children'];
const TIME_FIELDS = new Set(['sent', 'received', 'started', 'succeeded', 'failed', 'retried', 'revoked', 'rejected', 'timestamp']);

function viewTask(id) {
  app.replaceChildren(el('p', {class: 'muted', text: 'Loading task…'}));
  async function load() {
    let data;
    try { data = await api('/api/monitor/task/' + encodeURIComponent(id)); } catch (e) {
      app.replaceChildren(el('h1', {text: 'Task'}), el('p', {class: 'muted', text: e.message + ' — ' + id}));
      return;
    }
    const t = data.task;
    const related = new Map(data.related.map(r => [r.uuid, r]));
    const relLink = uid => {
      const r = related.get(uid);
      return el('span', {}, link(taskPath(uid), uid), r && r.state ? [' ', badge(r.state)] : null, r && r.name ? ' ' + r.name : null);
    };
    const dl = el('dl', {class: 'fields', id: 'task-fields'});
    const keys = FIELD_ORDER.concat(Object.keys(t).filter(k => !FIELD_ORDER.includes(k) && !['root', 'parent', 'traceback', 'timestamp'].includes(k)));
    for (const k of keys) {
      const v = t[k];
      if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
      let dd;
      if (k === 'state') dd = el('dd', {}, badge(v));
      else if (k === 'worker') dd = el('dd', {}, link(workerPath(v), v));
      else if (k === 'root_id' || k === 'parent_id') dd = el('dd', {}, relLink(v));
      else if (k === 'children') dd = el('dd', {}, v.map(c => el('div', {}, relLink(c))));
      else if (TIME_FIELDS.has(k)) dd = el('dd', {text: fmtTime(v)});
      else if (k === 'runtime') dd = el('dd', {text: fmtRuntime(v)});
      else dd = el('dd', {'data-field': k, text: typeof v === 'object' ? JSON.stringify(v) : v});
      dl.append(el('dt', {text: k}), dd);
    }
    const ready = ['SUCCESS', 'FAILURE', 'REVOKED'].includes(t.state);
    const ro = overview && overview.read_only;
    const actions = el('div', {class: 'actions'},
      el('button', {type: 'button', class: 'danger', id: 'revoke', disabled: ready || ro, text: 'Revoke',
        onclick: () => action('/api/task/revoke/' + encodeURIComponent(id), {}, `Revoke task ${id}?`)}),
      el('button', {type: 'button', class: 'danger', id: 'terminate', disabled: ready || ro, text: 'Terminate',
        onclick: () => action('/api/task/revoke/' + encodeURIComponent(id), {terminate: 'true', signal: 'SIGTERM'},
          `Terminate task ${id} (SIGTERM to its process)?`)}));
    const t0 = data.timeline.length ? data.timeline[0].timestamp : 0;
    const timeline = el('ol', {class: 'timeline'}, data.timeline.map(e => el('li', {},
      el('strong', {text: e.event}), ' ', el('span', {class: 'muted', text: fmtTime(e.timestamp)}),
      e.timestamp > t0 ? el('span', {class: 'muted', text: '  +' + fmtRuntime(e.timestamp - t0)}) : null)));
    app.replaceChildren(
      el('div', {class: 'head'}, el('h1', {id: 'task-title', text: (t.name || 'task') + ' '}), badge(t.state),
        data.in_memory ? null : el('span', {class: 'muted', text: '(from history)'})),
      el('p', {class: 'mono muted', text: id}), actions,
      el('div', {class: 'grid2'}, el('div', {class: 'card'}, el('h2', {text: 'Fields'}), dl),
        el('div', {class: 'card'}, el('h2', {text: 'Timeline'}), timeline,
          t.runtime != null ? el('p', {class: 'muted', text: 'Ran for ' + fmtRuntime(t.runtime)}) : null)),
      ...(t.traceback ? [el('h2', {text: 'Traceback'}), el('pre', {class: 'tb', id: 'traceback', text: t.traceback})] : []));
  }
  load();
  const reload = debounce(load, 700);
  return {name: 'task', refresh: u => { if (u && (u.more || u.tasks.some(x => x.uuid === id))) reload(); }};
}

// ---------------------------------------------------------------------------------------------------------
// one worker

function viewWorker(name) {
  app.replaceChildren(el('p', {class: 'muted', text: 'Loading worker…'}));
  async function load(refresh) {
    let data;
    try { data = await api('/api/monitor/worker/' + encodeURIComponent(name) + (refresh ? '?refresh=1' : '')); } catch (e) {
      app.replaceChildren(el('h1', {text: name}), el('p', {class: 'muted', text: e.message}));
      return;
    }
    const w = data.worker || {};
    const ins = data.inspect || {};
    const ro = data.read_only;
    const fields = el('dl', {class: 'fields'});
    const add = (k, v) => { if (v !== null && v !== undefined && v !== '') fields.append(el('dt', {text: k}), el('dd', {text: v})); };
    add('status', w.alive ? 'online' : 'offline');
    add('pid', w.pid);
    add('software', [w.sw_ident, w.sw_ver, w.sw_sys].filter(Boolean).join(' '));
    add('heartbeat every', w.freq != null ? w.freq + ' s' : null);
    add('load', w.loadavg ? w.loadavg.join(' ') : null);
    add('active', w.active);
    add('processed', w.processed);
    add('received / succeeded / failed / retried', w.hostname ? [w.received, w.succeeded, w.failed, w.retried].join(' / ') : null);
    add('heartbeats', (w.heartbeats || []).map(fmtTime).join(', '));
    const stats = ins.stats || {};
    const pool = stats.pool || {};
    const statsDl = el('dl', {class: 'fields'});
    const addS = (k, v) => { if (v !== null && v !== undefined) statsDl.append(el('dt', {text: k}), el('dd', {text: typeof v === 'object' ? JSON.stringify(v) : v})); };
    addS('pool', pool['max-concurrency'] != null ? pool['max-concurrency'] + ' × ' + (pool.implementation || '') : null);
    addS('prefetch count', stats.prefetch_count);
    addS('uptime', stats.uptime != null ? stats.uptime + ' s' : null);
    addS('totals', stats.total);
    addS('broker', stats.broker ? (stats.broker.transport + '://' + (stats.broker.hostname || '') + (stats.broker.port ? ':' + stats.broker.port : '')) : null);
    const registered = (ins.registered || []).map(t => {
      const tname = String(t).split(' ')[0];
      return el('tr', {}, el('td', {class: 'mono', text: t}), el('td', {},
        el('button', {type: 'button', disabled: ro, text: 'Rate limit…', onclick: () => {
          const rate = window.prompt(`Rate limit for ${tname} on ${name} (e.g. 10/m, 0 for none):`, '10/m');
          if (rate !== null) action('/api/task/rate-limit/' + encodeURIComponent(tname), {workername: name, ratelimit: rate}, null);
        }})));
    });
    const queues = (ins.active_queues || []).map(q => el('tr', {}, el('td', {text: q.name}),
      el('td', {text: q.exchange ? q.exchange.name + ' (' + q.exchange.type + ')' : ''}), el('td', {text: q.routing_key || ''})));
    const tasks = data.tasks.map(t => el('tr', {}, el('td', {text: t.name || ''}), el('td', {class: 'mono'}, link(taskPath(t.uuid), t.uuid)),
      el('td', {}, badge(t.state)), el('td', {text: fmtTime(t.received)}), el('td', {class: 'num', text: fmtRuntime(t.runtime)})));
    app.replaceChildren(
      el('div', {class: 'head'}, el('h1', {id: 'worker-title', text: name}), badge(w.alive ? 'online' : 'offline')),
      el('div', {class: 'actions'},
        el('button', {type: 'button', id: 'inspect', text: 'Refresh (inspect)', onclick: () => load(true)}),
        el('button', {type: 'button', class: 'danger', id: 'shutdown', disabled: ro || !w.alive, text: 'Shut down',
          onclick: () => action('/api/worker/shutdown/' + encodeURIComponent(name), {}, `Shut worker ${name} down?`)})),
      el('div', {class: 'grid2'}, el('div', {class: 'card'}, el('h2', {text: 'From events'}), fields),
        el('div', {class: 'card'}, el('h2', {text: 'Stats (inspect)'}), statsDl.children.length ? statsDl :
          el('p', {class: 'muted', text: 'Press “Refresh (inspect)” to ask the worker.'}))),
      el('h2', {text: 'Latest tasks'}), table(['Name', 'UUID', 'State', 'Received', {label: 'Runtime', num: 1}], tasks, 'No task yet.'),
      el('h2', {text: 'Queues'}), table(['Queue', 'Exchange', 'Routing key'], queues, 'Unknown until inspected.'),
      el('h2', {text: 'Registered tasks'}), table(['Task', ''], registered, 'Unknown until inspected.'));
  }
  load(false);
  const reload = debounce(() => load(false), 2000);
  return {name: 'worker', refresh: reload};
}

// ---------------------------------------------------------------------------------------------------------
// broker

function viewQueues() {
  const holder = el('div', {id: 'queues'});
  const chart = el('div', {class: 'card chart'});
  app.replaceChildren(el('h1', {text: 'Broker'}), el('p', {class: 'muted mono', id: 'broker-url'}), holder,
    el('h2', {text: 'Depth over time'}), chart);
  const loadSeries = debounce(async () => {
    try {
      const s = await api('/api/monitor/series');
      const qs = Object.entries(s.queues);
      chart.replaceChildren(lineChart(qs.map(([q, pts], i) => ({points: pts, color: PALETTE[i % PALETTE.length]})), {}),
        legend(qs.map(([q], i) => [PALETTE[i % PALETTE.length], q])));
    } catch (e) { /* ignore */ }
  }, 3000);
  function render() {
    if (!overview) return;
    document.getElementById('broker-url').textContent = overview.broker;
    holder.replaceChildren(table(['Queue', {label: 'Messages', num: 1}, {label: 'Consumers', num: 1}],
      overview.queues.map(q => el('tr', {'data-queue': q.name}, el('td', {text: q.name}),
        el('td', {class: 'num', text: q.messages == null ? 'unknown' : fmtNum(q.messages)}),
        el('td', {class: 'num', text: q.consumers == null ? '—' : fmtNum(q.consumers)}))), 'No queue known yet.'));
    loadSeries();
  }
  render();
  return {name: 'queues', refresh: render};
}

// ---------------------------------------------------------------------------------------------------------
// routing and live updates

function route() {
  const p = location.pathname;
  let nav = 'dashboard';
  if (p === '/tasks') { current = viewTasks(); nav = 'tasks'; }
  else if (p.startsWith('/task/')) { current = viewTask(decodeURIComponent(p.substring(6))); nav = 'tasks'; }
  else if (p.startsWith('/worker/')) { current = viewWorker(decodeURIComponent(p.substring(8))); }
  else if (p === '/queues' || p === '/broker') { current = viewQueues(); nav = 'queues'; }
  else { current = viewDashboard(); }
  document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', a.dataset.nav === nav));
}

document.addEventListener('click', e => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  route();
});
window.addEventListener('popstate', route);

function connect() {
  const dot = document.getElementById('live-dot');
  const text = document.getElementById('live-text');
  const es = new EventSource('/api/monitor/stream');
  es.addEventListener('update', e => {
    const u = JSON.parse(e.data);
    overview = u;
    dot.className = 'dot ' + (u.connected ? 'live' : 'down');
    text.textContent = u.connected ? 'live' : 'broker disconnected';
    document.getElementById('broker').textContent = u.broker;
    document.getElementById('events').textContent = fmtNum(u.events) + ' events · ' + fmtNum(u.event_rate) + ' / s';
    if (current && current.refresh) current.refresh(u);
  });
  es.onerror = () => { dot.className = 'dot down'; text.textContent = 'reconnecting…'; };
}

api('/api/monitor/overview').then(o => { overview = o; if (current && current.refresh) current.refresh(null); }).catch(() => {});
route();
connect();
