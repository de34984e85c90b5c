// Slipway dashboard: runs list, run page (DAG, live logs, approvals,
// artifacts) and deployments, rendered from the JSON API. Every string
// that comes from a run is put in the page as text (textContent or text
// nodes), never parsed as HTML.
'use strict';

const main = document.getElementById('main');
const STATES = ['queued', 'running', 'waiting', 'success', 'failure', 'cancelled', 'interrupted'];
let cleanups = [];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children) e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, opts) {
  const r = await fetch(path, opts);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

function badge(state) {
  return el('span', { class: `badge s-${state || 'unknown'}`, 'data-state': state || '' }, state || '?');
}

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function short(sha) { return (sha || '').slice(0, 10); }

function setPage(...nodes) {
  for (const f of cleanups) f();
  cleanups = [];
  main.replaceChildren(...nodes.flat());
}

function every(ms, fn) {
  const id = setInterval(fn, ms);
  cleanups.push(() => clearInterval(id));
}

// --- runs list ---

async function runsPage() {
  const params = new URLSearchParams(location.search);
  const state = params.get('state') || '';
  const select = el('select', { id: 'state-filter', onchange: (e) => {
    const q = e.target.value ? `?state=${encodeURIComponent(e.target.value)}` : '';
    history.pushState(null, '', `/${q}`);
    route();
  } }, el('option', { value: '' }, 'all states'),
  STATES.map((s) => el('option', { value: s, selected: s === state }, s)));
  const tbody = el('tbody');
  const total = el('span', { class: 'muted' });
  setPage(el('h1', {}, 'Runs'), el('div', { class: 'filters' }, 'Show ', select, ' ', total),
    el('table', { id: 'runs' }, el('thead', {}, el('tr', {}, ['Run', 'Repository', 'Branch',
      'Commit', 'State', 'Duration', 'Queued'].map((h) => el('th', {}, h)))), tbody));
  async function load() {
    const q = state ? `&state=${encodeURIComponent(state)}` : '';
    const data = await api(`/api/runs?limit=100${q}`);
    total.textContent = `${data.total} run(s)`;
    tbody.replaceChildren(...data.runs.map((r) => el('tr', { 'data-run': r.id },
      el('td', {}, el('a', { href: `/runs/${encodeURIComponent(r.id)}` }, r.id)),
      el('td', {}, r.repo), el('td', {}, r.branch), el('td', {}, el('code', {}, short(r.sha))),
      el('td', {}, badge(r.state)), el('td', {}, duration(r.duration_ms)),
      el('td', { class: 'muted' }, r.queued_at || ''))));
  }
  await load();
  every(2000, () => load().catch(() => {}));
}

// --- run page ---

function jobState(j) { return j.status === 'done' ? (j.result || 'success') : j.status; }

const COLORS = { success: '#1a7f37', failure: '#cf222e', running: '#0969da', waiting: '#bf8700',
  queued: '#6e7781', pending: '#6e7781', skipped: '#afb8c1', cancelled: '#57606a' };

// Layered layout: a job's column is the longest chain of needs before it.
function dag(jobs) {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const layer = new Map();
  const depth = (k, seen) => {
    if (layer.has(k)) return layer.get(k);
    if (seen.has(k)) return 0;
    seen.add(k);
    const j = byKey.get(k);
    const d = Math.max(-1, ...((j && j.needs) || []).filter((n) => byKey.has(n)).map((n) => depth(n, seen))) + 1;
    layer.set(k, d);
    return d;
  };
  jobs.forEach((j) => depth(j.key, new Set()));
  const W = 240, H = 52, GX = 70, GY = 22, P = 16;
  const rows = new Map();
  const pos = new Map();
  for (const j of jobs) {
    const col = layer.get(j.key);
    const row = rows.get(col) || 0;
    rows.set(col, row + 1);
    pos.set(j.key, { x: P + col * (W + GX), y: P + row * (H + GY) });
  }
  const cols = Math.max(0, ...layer.values()) + 1;
  const maxRows = Math.max(1, ...rows.values());
  const root = svg('svg', { id: 'dag-svg', width: P * 2 + cols * W + (cols - 1) * GX,
    height: P * 2 + maxRows * H + (maxRows - 1) * GY, role: 'img', 'aria-label': 'job graph' });
  root.appendChild(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10,
    refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
  svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#57606a' }))));
  for (const j of jobs) {
    for (const n of j.needs || []) {
      if (!pos.has(n)) continue;
      const a = pos.get(n), b = pos.get(j.key);
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      root.appendChild(svg('path', { d: `M ${x1} ${y1} C ${x1 + GX / 2} ${y1}, ${x2 - GX / 2} ${y2}, ${x2} ${y2}`,
        fill: 'none', stroke: '#57606a', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)' }));
    }
  }
  for (const j of jobs) {
    const p = pos.get(j.key), st = jobState(j), color = COLORS[st] || '#6e7781';
    const g = svg('g', { class: 'node', 'data-job': j.key, 'data-state': st,
      transform: `translate(${p.x},${p.y})` });
    g.appendChild(svg('rect', { width: W, height: H, rx: 6, fill: '#fff', stroke: color,
      'stroke-width': j.protected ? 3 : 2, 'stroke-dasharray': j.protected ? '6 3' : 'none' }));
    g.appendChild(svg('rect', { width: 8, height: H, rx: 3, fill: color }));
    g.appendChild(svg('text', { x: 16, y: 20, 'font-weight': 600 }, j.name || j.id || j.key));
    const sub = j.environment ? `${j.environment}${j.protected ? ' (protected)' : ''} · ${st}` : st;
    g.appendChild(svg('text', { x: 16, y: 38, fill: color }, sub));
    g.appendChild(svg('title', {}, `${j.key}: ${st}${j.protected ? ` (protected environment ${j.environment})` : ''}`));
    root.appendChild(g);
  }
  return root;
}

function gate(run, w, onDone) {
  const reviewers = (run.reviewers && run.reviewers[w.environment]) || [];
  const token = el('input', { type: 'password', id: `token-${w.environment}`,
    placeholder: 'reviewer token', autocomplete: 'off' });
  const msg = el('div', { class: 'msg', id: `decision-${w.environment}` });
  async function decide(kind) {
    msg.className = 'msg';
    msg.textContent = '…';
    try {
      const r = await api(`/api/runs/${encodeURIComponent(run.id)}/${kind}`, { method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.value}` },
        body: JSON.stringify({ environment: w.environment }) });
      msg.textContent = `${r.decision} by ${r.by}`;
      onDone();
    } catch (e) {
      msg.className = 'msg error';
      msg.textContent = e.message;
    }
  }
  return el('div', { class: 'card gate', 'data-environment': w.environment },
    el('strong', {}, `${w.job} waits for approval to deploy to the protected environment `), el('code', {}, w.environment),
    w.url ? el('span', {}, ' (', el('a', { href: w.url }, w.url), ')') : null,
    el('div', { class: 'muted' }, reviewers.length ? `reviewers: ${reviewers.join(', ')}`
      : 'no reviewer is configured for this environment'),
    el('div', {}, token, el('button', { class: 'approve', id: `approve-${w.environment}`,
      onclick: () => decide('approve') }, 'Approve'),
    el('button', { class: 'reject', id: `reject-${w.environment}`, onclick: () => decide('reject') }, 'Reject')),
    msg);
}

async function runPage(id) {
  const head = el('div'), gates = el('div', { id: 'gates' }), graph = el('div', { class: 'dag', id: 'dag' });
  const joblist = el('div', { class: 'joblist' }), log = el('pre', { class: 'log', id: 'log' });
  const logTitle = el('h2', {}, 'Logs'), arts = el('div', { id: 'artifacts' }), approvals = el('div');
  setPage(head, gates, el('h2', {}, 'Jobs'), graph, logTitle,
    el('div', { class: 'jobs' }, joblist, log), el('h2', {}, 'Artifacts'), arts,
    el('h2', {}, 'Approvals'), approvals);
  let selected = null, stream = null, lastGates = '';
  cleanups.push(() => stream && stream.close());

  function follow(job) {
    if (stream) stream.close();
    selected = job;
    log.replaceChildren();
    logTitle.textContent = `Logs: ${job}`;
    stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/logs/${encodeURIComponent(job)}?follow=1`);
    stream.onmessage = (e) => {
      const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.appendChild(document.createTextNode(`${e.data}\n`));
      if (stick) log.scrollTop = log.scrollHeight;
    };
    stream.addEventListener('end', () => stream.close());
    for (const b of joblist.children) b.classList.toggle('sel', b.dataset.job === job);
  }

  async function load() {
    const run = await api(`/api/runs/${encodeURIComponent(id)}`);
    document.title = `${run.id} · Slipway`;
    head.replaceChildren(el('h1', {}, `Run ${run.id} `, el('span', { id: 'run-state' }, badge(run.state))),
      el('dl', { class: 'meta' }, el('dt', {}, 'repository'), el('dd', {}, run.repo || ''),
        el('dt', {}, 'branch'), el('dd', {}, run.branch || run.ref || ''),
        el('dt', {}, 'commit'), el('dd', {}, el('code', {}, run.sha || '')),
        el('dt', {}, 'duration'), el('dd', {}, duration(run.duration_ms)),
        run.message ? el('dt', {}, 'note') : null, run.message ? el('dd', {}, run.message) : null));
    const key = JSON.stringify(run.waiting);
    if (key !== lastGates) {
      lastGates = key;
      gates.replaceChildren(...run.waiting.map((w) => gate(run, w, () => setTimeout(load, 300))));
    }
    graph.replaceChildren(dag(run.jobs.map((j) => ({ ...j, protected: !!j.protected }))));
    joblist.replaceChildren(...run.jobs.map((j) => el('button', { 'data-job': j.key,
      class: j.key === selected ? 'sel' : null, onclick: () => follow(j.key) }, badge(jobState(j)), ' ', j.name || j.key)));
    if (!selected && run.jobs.length) {
      const running = run.jobs.find((j) => j.status === 'running');
      follow((running || run.jobs[0]).key);
    }
    arts.replaceChildren(run.artifacts.length ? el('ul', {}, run.artifacts.map((a) => el('li', {},
      a.files === 1 ? el('a', { href: `/api/runs/${encodeURIComponent(id)}/artifacts/${encodeURIComponent(a.name)}` }, a.name)
        : a.name, el('span', { class: 'muted' }, ` ${a.files} file(s), ${a.size} bytes`))))
      : el('p', { class: 'muted' }, 'none'));
    approvals.replaceChildren(run.approvals.length ? el('ul', { id: 'approvals' }, run.approvals.map((a) =>
      el('li', {}, `${a.environment}: ${a.decision} by ${a.by} at ${a.at || '?'}`)))
      : el('p', { class: 'muted' }, 'none'));
    return run;
  }
  await load();
  const events = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  let pending = null;
  events.onmessage = () => { if (!pending) pending = setTimeout(() => { pending = null; load().catch(() => {}); }, 150); };
  events.addEventListener('end', () => { events.close(); load().catch(() => {}); });
  cleanups.push(() => events.close());
  every(2000, () => load().catch(() => {}));
}

// --- deployments ---

function deployment(d) {
  if (!d) return el('span', { class: 'muted' }, 'none');
  return el('span', {}, el('code', {}, short(d.sha)), ' from ',
    el('a', { href: `/runs/${encodeURIComponent(d.run)}` }, d.run), ` (${d.ref || ''}, ${d.at || ''})`,
    d.url ? el('span', {}, ' ', el('a', { href: d.url }, d.url)) : null);
}

function release(r) {
  if (!r) return el('span', { class: 'muted' }, 'no record');
  return el('span', {}, el('code', {}, r.image || ''), ` (${r.kind || 'deploy'} by ${r.by || '?'}, ${r.at || ''})`);
}

async function deploymentsPage() {
  const data = await api('/api/deployments');
  setPage(el('h1', {}, 'Deployments'), data.environments.length ? data.environments.map((e) =>
    el('div', { class: 'card', 'data-environment': e.name, 'data-repo': e.repo || '' },
      el('h2', {}, e.name, el('span', { class: 'muted' }, ` · ${e.repo || ''}`)),
      el('dl', { class: 'meta' }, el('dt', {}, 'current'), el('dd', { class: 'current' }, deployment(e.current)),
        el('dt', {}, 'previous'), el('dd', { class: 'previous' }, deployment(e.previous)),
        el('dt', {}, 'image'), el('dd', { class: 'release' }, release(e.release)),
        el('dt', {}, 'image before'), el('dd', { class: 'previous-release' }, release(e.previous_release))),
      el('table', {}, el('thead', {}, el('tr', {}, ['When', 'Commit', 'Run', 'Job', 'Result'].map((h) => el('th', {}, h)))),
        el('tbody', {}, e.history.map((d) => el('tr', {}, el('td', {}, d.at || ''),
          el('td', {}, el('code', {}, short(d.sha))),
          el('td', {}, el('a', { href: `/runs/${encodeURIComponent(d.run)}` }, d.run)),
          el('td', {}, d.job), el('td', {}, badge(d.result))))))))
    : el('p', { class: 'muted' }, 'nothing deployed yet'));
}

async function route() {
  const path = location.pathname;
  try {
    const m = path.match(/^\/runs\/([^/]+)$/);
    if (m) await runPage(decodeURIComponent(m[1]));
    else if (path === '/deployments') await deploymentsPage();
    else await runsPage();
  } catch (e) {
    setPage(el('p', { class: 'msg error' }, e.message));
  }
}

window.addEventListener('popstate', route);
route();
