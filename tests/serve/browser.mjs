// browser.mjs: drives headless Chromium through the DevTools protocol (Node's
// built-in WebSocket, no packages) over the dashboard the way a reviewer
// would: the runs list shows the run waiting, its page shows the DAG with the
// protected environment and the job's output as text, a wrong token is
// refused, Approve with the right token deploys production, and the
// deployments page shows the commit. Prints "PASS what" / "FAIL what: why"
// lines for the shell suite; saves a screenshot of the run page.
//   node --experimental-websocket browser.mjs CHROMIUM BASE_URL RUN_ID SHA TOKEN PNG PROFILE
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [chromium, base, runId, sha, token, png, profile] = process.argv.slice(2);
let failed = 0;
const say = (ok, what, why) => {
  console.log(ok ? `PASS ${what}` : `FAIL ${what}: ${why}`);
  if (!ok) failed++;
  return ok;
};

const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--window-size=1280,1100',
  'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
const wsUrl = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error(`no DevTools URL from chromium:\n${text}`)), 20000);
  browser.stderr.on('data', (d) => {
    text += d;
    const m = text.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) { clearTimeout(timer); resolve(m[1]); }
  });
  browser.on('exit', (code) => reject(new Error(`chromium exited (${code}):\n${text}`)));
});

const ws = new WebSocket(wsUrl);
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let nextId = 1;
const pending = new Map();
const dialogs = [];
ws.onmessage = (ev) => {
  const msg = JSON.parse(ev.data);
  if (msg.id && pending.has(msg.id)) {
    const { resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) reject(new Error(msg.error.message)); else resolve(msg.result);
  } else if (msg.method === 'Page.javascriptDialogOpening') {
    dialogs.push(msg.params.message);
    send('Page.handleJavaScriptDialog', { accept: true }, msg.sessionId);
  }
};
function send(method, params = {}, sessionId) {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
const page = (method, params) => send(method, params, sessionId);
await page('Page.enable');
await page('Runtime.enable');

async function js(expr) {
  const r = await page('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
  return r.result.value;
}
async function until(what, expr, ms = 20000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await js(expr); if (last) return say(true, what); } catch (e) { last = e.message; }
    await new Promise((r) => setTimeout(r, 150));
  }
  return say(false, what, `still ${JSON.stringify(last)} after ${ms} ms`);
}
const q = JSON.stringify;

try {
  await page('Page.navigate', { url: base });
  await until('the runs list shows the run waiting',
    `document.querySelector('tr[data-run=${q(runId)}] .badge')?.dataset.state === 'waiting'`);
  await js(`document.querySelector('tr[data-run=${q(runId)}] a').click()`);
  await until('clicking it opens the run page', `location.pathname === ${q(`/runs/${runId}`)}`);
  await until('the run page says it waits', `document.querySelector('#run-state .badge')?.dataset.state === 'waiting'`);
  await until('the DAG is drawn with the production job waiting',
    `document.querySelector('#dag-svg g.node[data-job="cd-starter.deploy-production"]')?.dataset.state === 'waiting'`);
  await until('the protected environment is marked in the DAG',
    `document.querySelector('#dag-svg g.node[data-job="cd-starter.deploy-production"] rect')?.getAttribute('stroke-dasharray') === '6 3'
     && document.querySelector('#dag-svg g.node[data-job="cd-starter.deploy-production"]').textContent.includes('production (protected)')`);
  await until('the build log streams in as text',
    `document.getElementById('log').textContent.includes("<script>alert('xss')</script>")`);
  say(await js(`document.querySelectorAll('script').length === 1 && !document.querySelector('#log *')`),
    'a log line of <script> stays text', 'markup appeared in the page');
  await until('Approve and Reject are offered', `!!document.getElementById('approve-production') && !!document.getElementById('reject-production')`);

  await js(`document.getElementById('token-production').value = 'not-a-reviewer-token'`);
  await js(`document.getElementById('approve-production').click()`);
  await until('a wrong token is refused on the page',
    `document.getElementById('decision-production')?.textContent.includes("not a reviewer's")`);
  say(await js(`document.querySelector('#run-state .badge').dataset.state === 'waiting'`),
    'and the run still waits', 'the state changed');

  await js(`document.getElementById('token-production').value = ${q(token)}`);
  await js(`document.getElementById('approve-production').click()`);
  await until('Approve with the token is accepted',
    `(document.getElementById('decision-production')?.textContent || '').includes('approved by alice') || document.querySelector('#run-state .badge')?.dataset.state === 'success'`);
  await until('the run page turns to success', `document.querySelector('#run-state .badge')?.dataset.state === 'success'`, 30000);
  await until('production is deployed in the DAG',
    `document.querySelector('#dag-svg g.node[data-job="cd-starter.deploy-production"]')?.dataset.state === 'success'`);
  await until('the approval is listed', `document.getElementById('approvals')?.textContent.includes('production: approved by alice')`);
  const shot = await page('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
  writeFileSync(png, Buffer.from(shot.data, 'base64'));
  say(true, `a screenshot of the run page is saved (${png})`);

  await page('Page.navigate', { url: `${base}deployments` });
  await until('the deployments page shows the commit in production',
    `document.querySelector('[data-environment="production"] .current')?.textContent.includes(${q(sha.slice(0, 10))})`);
  say(dialogs.length === 0, 'no script from a job ever ran', `dialogs: ${dialogs.join(', ')}`);
} catch (e) {
  say(false, 'the browser session', e.message);
} finally {
  ws.close();
  browser.kill('SIGKILL');
}
process.exit(failed ? 1 : 0);
