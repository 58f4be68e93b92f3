#!/usr/bin/env node
// Checks that fundhub's GraphiQL page works with no internet: opens it in
// headless Chromium, waits for the editor, runs the default query, waits for
// the result, and fails if the page asked for anything off this machine.
//
// Usage: node check-offline.mjs BASE_URL [SCREENSHOT]
//   BASE_URL    the page, e.g. http://127.0.0.1:18080/ (must be loopback)
//   SCREENSHOT  PNG path, default /tmp/graphiql.png
// Env: CHROMIUM_PATH (default /usr/bin/chromium), CHECK_TIMEOUT_MS (30000).
//
// Every request goes through a route that lets loopback through and aborts
// the rest, so a failing check sends nothing off the machine either. Requests
// the page's Content-Security-Policy blocks never reach the network layer;
// they are caught from the console instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Belt and braces: no host but loopback resolves (IP literals included), so
  // nothing the route misses (prefetch, a service worker) can leave.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
];

// Known graphiql 4 elements: the query editor, the run button and the
// response pane, each a CodeMirror 5 editor or inside one.
const EDITOR = '.graphiql-query-editor .CodeMirror';
const RUN_BUTTON = 'button.graphiql-execute-button';
const RESPONSE = '.graphiql-response .CodeMirror';

function usage(message) {
  console.error(`check-offline: ${message}`);
  console.error('usage: node check-offline.mjs BASE_URL [SCREENSHOT]');
  process.exit(2);
}

function isLocal(rawURL) {
  let u;
  try {
    u = new URL(rawURL);
  } catch {
    return false;
  }

  if (LOCAL_SCHEMES.has(u.protocol)) {
    return true;
  }

  return LOCAL_HOSTS.has(u.hostname);
}

function parseArgs(argv) {
  const [base, shot = '/tmp/graphiql.png'] = argv;
  if (!base) {
    usage('missing BASE_URL');
  }

  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol) || !isLocal(base)) {
    usage(`BASE_URL ${base} is not an http(s) URL on loopback`);
  }

  return { base, shot };
}

// watch records every request, response, error and CSP report of the page.
function watch(context, page, log) {
  context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) {
      return route.continue();
    }

    return route.abort('blockedbyclient');
  });

  context.on('request', (req) => log.requests.push({ method: req.method(), url: req.url() }));
  context.on('requestfailed', (req) => {
    log.failed.push(`${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('websocket', (ws) => log.requests.push({ method: 'WS', url: ws.url() }));
  page.on('pageerror', (err) => log.pageErrors.push(String(err)));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|connect)/i.test(text)) {
      log.cspViolations.push(text);
    } else if (msg.type() === 'error') {
      log.consoleErrors.push(text);
    }
  });
}

// runQuery waits for the editor, runs the default query and returns the
// response pane's text.
async function runQuery(page, timeout) {
  await page.waitForSelector(EDITOR, { state: 'visible', timeout });
  await page.waitForSelector(RUN_BUTTON, { state: 'visible', timeout });
  await page.click(RUN_BUTTON);

  const selector = `${RESPONSE} .CodeMirror-code`;
  await page.waitForFunction(
    (sel) => /"(data|errors)"/.test(document.querySelector(sel)?.textContent ?? ''),
    selector,
    { timeout },
  );

  return page.textContent(selector);
}

function report(log) {
  const external = log.requests.filter((r) => !isLocal(r.url));
  const problems = [
    ...external.map((r) => `external request: ${r.method} ${r.url}`),
    ...log.cspViolations.map((t) => `blocked by CSP: ${t}`),
    ...log.pageErrors.map((t) => `page error: ${t}`),
  ];

  console.log(`requests (${log.requests.length}):`);
  for (const r of log.requests) {
    console.log(`  ${isLocal(r.url) ? 'local   ' : 'EXTERNAL'} ${r.method} ${r.url}`);
  }

  for (const f of log.failed) {
    console.log(`  failed: ${f}`);
  }

  for (const e of log.consoleErrors) {
    console.log(`  console error: ${e}`);
  }

  return problems;
}

function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
}

// exercise loads the page and runs the default query; it throws if either
// does not work.
async function exercise(page, base, timeout) {
  const response = await page.goto(base, { waitUntil: 'load', timeout });
  if (!response.ok()) {
    const body = (await response.text()).trim();
    throw new Error(`${base} answered ${response.status()}: ${body.slice(0, 200)}`);
  }

  const result = await runQuery(page, timeout);
  console.log(`result: ${result.replace(/\s+/g, ' ').slice(0, 200)}`);
  if (/"errors"/.test(result) || !/"data"/.test(result)) {
    throw new Error('the default query did not return data without errors');
  }

  await page.waitForLoadState('networkidle', { timeout });
}

// check runs the page in a fresh profile and returns the problems found.
async function check(base, shot, timeout) {
  const profile = mkdtempSync(join(tmpdir(), 'check-offline-'));
  const log = { requests: [], failed: [], pageErrors: [], cspViolations: [], consoleErrors: [] };
  const problems = [];

  const context = await launch(profile);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    watch(context, page, log);

    await exercise(page, base, timeout).catch((err) => {
      problems.push(`page did not work: ${err.message.split('\n')[0]}`);
    });

    await page.screenshot({ path: shot }).catch((err) => problems.push(`screenshot: ${err}`));
    console.log(`screenshot: ${shot}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }

  return [...problems, ...report(log)];
}

async function main() {
  const { base, shot } = parseArgs(process.argv.slice(2));
  const timeout = Number(process.env.CHECK_TIMEOUT_MS || 30000);

  const problems = await check(base, shot, timeout);
  if (problems.length > 0) {
    console.error(`check-offline: FAIL\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }

  console.log('check-offline: OK, every request stayed on loopback');
}

await main();
