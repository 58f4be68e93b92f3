#!/usr/bin/env node
// Checks that fundhub's GraphiQL page works with no internet: opens it in
// headless Chromium, signs in through the page's form, runs the default
// query, waits for the result, signs out, and fails if the page asked for
// anything off this machine.
//
// Usage: node check-offline.mjs BASE_URL [SCREENSHOT]
//   BASE_URL    the page, e.g. http://127.0.0.1:18080/ (must be loopback)
//   SCREENSHOT  PNG path, default /tmp/graphiql.png
// Env: FUNDHUB_CHECK_USERNAME and FUNDHUB_CHECK_PASSWORD (required: an
// account of the hub; in the environment so that no process list shows the
// password), CHROMIUM_PATH (default /usr/bin/chromium), CHECK_TIMEOUT_MS
// (30000). Neither the password nor the token is ever printed.
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

// The sign-in bar of index.html.
const USERNAME = '#fundhub-username';
const PASSWORD = '#fundhub-password';
const SIGN_IN = '#fundhub-signin-button';
const SIGN_OUT = '#fundhub-signout';
const WHO = '#fundhub-who';
const MESSAGE = '#fundhub-message';
const SESSION_KEY = 'fundhub.session';

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

function parseArgs(argv, env) {
  const [base, shot = '/tmp/graphiql.png'] = argv;
  if (!base) {
    usage('missing BASE_URL');
  }

  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol) || !isLocal(base)) {
    usage(`BASE_URL ${base} is not an http(s) URL on loopback`);
  }

  const username = env.FUNDHUB_CHECK_USERNAME;
  const password = env.FUNDHUB_CHECK_PASSWORD;
  if (!username || !password) {
    usage('set FUNDHUB_CHECK_USERNAME and FUNDHUB_CHECK_PASSWORD to an account of the hub');
  }

  return { base, shot, credentials: { username, password } };
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
  page.on('console', (msg) => log.console.push(msg.text()));
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

// signIn fills the bar's form and waits for the signed-in line. A refused
// sign-in fails with the bar's message, which never holds the password.
async function signIn(page, credentials, timeout) {
  await page.waitForSelector(USERNAME, { state: 'visible', timeout });
  await page.fill(USERNAME, credentials.username);
  await page.fill(PASSWORD, credentials.password);
  await page.click(SIGN_IN);

  await page.waitForFunction(
    ([who, message]) => {
      const signedIn = /^Signed in as /.test(document.querySelector(who)?.textContent ?? '');
      const said = document.querySelector(message)?.textContent ?? '';
      return signedIn || (said !== '' && !said.startsWith('Signing'));
    },
    [WHO, MESSAGE],
    { timeout },
  );

  const who = (await page.textContent(WHO)) ?? '';
  if (!/^Signed in as .+ until /.test(who)) {
    throw new Error(`sign-in failed: ${(await page.textContent(MESSAGE)) || who || 'no message'}`);
  }

  console.log(`bar: ${who}`);
}

// storedToken is the token the page keeps, read only to make sure it is
// never printed.
async function storedToken(page) {
  const raw = await page.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY);
  return raw ? JSON.parse(raw).token ?? '' : '';
}

// runQuery waits for the editor, runs the default query, checks that the
// query carried the stored token and returns the response pane's text.
async function runQuery(page, token, timeout) {
  await page.waitForSelector(EDITOR, { state: 'visible', timeout });
  await page.waitForSelector(RUN_BUTTON, { state: 'visible', timeout });

  const sent = page.waitForRequest(
    (req) => req.method() === 'POST' && /allocationTotals/.test(req.postData() ?? ''),
    { timeout },
  );
  await page.click(RUN_BUTTON);

  const authorization = await (await sent).headerValue('authorization');
  if (!token || authorization !== `Bearer ${token}`) {
    throw new Error('the query was sent without the signed-in token');
  }

  const selector = `${RESPONSE} .CodeMirror-code`;
  await page.waitForFunction(
    (sel) => /"(data|errors)"/.test(document.querySelector(sel)?.textContent ?? ''),
    selector,
    { timeout },
  );

  return page.textContent(selector);
}

// leaks names every place a secret showed up outside the page's storage:
// a request URL or a console message.
function leaks(log, secrets) {
  const found = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (!value) {
      continue;
    }

    if (log.requests.some((r) => r.url.includes(value))) {
      found.push(`the ${name} appears in a request URL`);
    }

    if (log.console.some((t) => t.includes(value))) {
      found.push(`the ${name} appears on the console`);
    }
  }

  return found;
}

function report(log, secrets) {
  const external = log.requests.filter((r) => !isLocal(r.url));
  const problems = [
    ...external.map((r) => `external request: ${r.method} ${redact(r.url, secrets)}`),
    ...log.cspViolations.map((t) => `blocked by CSP: ${redact(t, secrets)}`),
    ...log.pageErrors.map((t) => `page error: ${redact(t, secrets)}`),
    ...leaks(log, secrets),
  ];

  console.log(`requests (${log.requests.length}):`);
  for (const r of log.requests) {
    const where = isLocal(r.url) ? 'local   ' : 'EXTERNAL';
    console.log(`  ${where} ${r.method} ${redact(r.url, secrets)}`);
  }

  for (const f of log.failed) {
    console.log(`  failed: ${redact(f, secrets)}`);
  }

  for (const e of log.consoleErrors) {
    console.log(`  console error: ${redact(e, secrets)}`);
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

// exercise loads the page, signs in and runs the default query; it throws
// if any of it does not work. It records the token in secrets.
async function exercise(page, base, credentials, secrets, timeout) {
  const response = await page.goto(base, { waitUntil: 'load', timeout });
  if (!response.ok()) {
    const body = (await response.text()).trim();
    throw new Error(`${base} answered ${response.status()}: ${body.slice(0, 200)}`);
  }

  await signIn(page, credentials, timeout);
  secrets.token = await storedToken(page);

  const result = await runQuery(page, secrets.token, timeout);
  console.log(`result: ${result.replace(/\s+/g, ' ').slice(0, 200)}`);
  if (/UNAUTHENTICATED/.test(result)) {
    throw new Error('the default query answered UNAUTHENTICATED after signing in');
  }

  if (/"errors"/.test(result) || !/"data"/.test(result)) {
    throw new Error('the default query did not return data without errors');
  }

  await page.waitForLoadState('networkidle', { timeout });
}

// signOut clicks Sign out and checks that the page forgot the token and
// shows the form again.
async function signOut(page, timeout) {
  await page.click(SIGN_OUT);
  await page.waitForSelector(USERNAME, { state: 'visible', timeout });

  if (await storedToken(page)) {
    throw new Error('the token is still stored after signing out');
  }

  await page.waitForLoadState('networkidle', { timeout });
}

// redact replaces every secret in text.
function redact(text, secrets) {
  let out = text;
  for (const value of Object.values(secrets)) {
    if (value) {
      out = out.split(value).join('[redacted]');
    }
  }

  return out;
}

// check runs the page in a fresh profile and returns the problems found.
async function check(base, shot, credentials, timeout) {
  const profile = mkdtempSync(join(tmpdir(), 'check-offline-'));
  const log = {
    requests: [], failed: [], pageErrors: [], cspViolations: [], consoleErrors: [], console: [],
  };
  const secrets = { password: credentials.password, token: '' };
  const problems = [];
  // fail records an error's first line, with any secret in it blanked out:
  // an error may quote what a step typed.
  const fail = (what) => (err) => {
    problems.push(`${what}: ${redact(err.message.split('\n')[0], secrets)}`);
    return false;
  };

  const context = await launch(profile);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    watch(context, page, log);

    const worked = await exercise(page, base, credentials, secrets, timeout).then(
      () => true,
      fail('page did not work'),
    );

    await page.screenshot({ path: shot }).catch((err) => problems.push(`screenshot: ${err}`));
    console.log(`screenshot: ${shot}`);

    if (worked) {
      await signOut(page, timeout).catch(fail('sign-out did not work'));
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }

  return [...problems, ...report(log, secrets)];
}

async function main() {
  const { base, shot, credentials } = parseArgs(process.argv.slice(2), process.env);
  const timeout = Number(process.env.CHECK_TIMEOUT_MS || 30000);

  const problems = await check(base, shot, credentials, timeout);
  if (problems.length > 0) {
    console.error(`check-offline: FAIL\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }

  console.log('check-offline: OK, every request stayed on loopback');
}

await main();
