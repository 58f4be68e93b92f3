// Mounts GraphiQL on #graphiql under the sign-in bar of index.html. The Go
// handler puts the GraphQL endpoint and the default query in the element's
// data- attributes, so this file stays static and the page needs no inline
// script.
//
// The bar signs in with the login mutation, or takes a pasted API token, and
// keeps the token in localStorage; GraphiQL's fetcher sends it as a Bearer
// token on every request. Nothing here writes to the console, so neither the
// password nor the token can end up in a log.
(function () {
  'use strict';

  var STORAGE_KEY = 'fundhub.session';

  // setTimeout fires at once when given more than 2^31-1 ms, so a far
  // expiry is waited for in steps.
  var MAX_TIMER_MS = 0x7fffffff;

  var LOGIN =
    'mutation Login($username: String!, $password: String!) {' +
    ' login(username: $username, password: $password) {' +
    ' token expiresAt' +
    ' user { username displayName roles unit { fullName region { code name } } }' +
    ' } }';

  var LOGOUT = 'mutation { logout }';

  // Who a pasted API token belongs to: it checks the token before it is
  // kept, and names its user in the bar.
  var ME =
    'query Me { me {' +
    ' username displayName roles unit { fullName region { code name } }' +
    ' } }';

  // Shown when a login error carries no message of its own.
  var LOGIN_FAILURES = {
    UNAUTHENTICATED: 'Wrong username or password.',
    TOO_MANY_ATTEMPTS: 'Too many failed attempts: wait a while, then try again.',
    BAD_USER_INPUT: 'Check the username and the password.',
  };

  var root = document.getElementById('graphiql');
  var endpoint = root.dataset.endpoint;
  var ui = {
    signin: byId('fundhub-signin'),
    username: byId('fundhub-username'),
    password: byId('fundhub-password'),
    tokenForm: byId('fundhub-token'),
    apiToken: byId('fundhub-api-token'),
    signedIn: byId('fundhub-signed-in'),
    who: byId('fundhub-who'),
    signout: byId('fundhub-signout'),
    message: byId('fundhub-message'),
  };

  // session is the token in use, or null. localStorage holds a copy so that
  // a reload keeps it; this variable still works where storage is refused.
  var session = readSession();
  // tokenMode picks which form a signed-out user sees.
  var tokenMode = false;
  var expiryTimer = 0;

  function byId(id) {
    return document.getElementById(id);
  }

  // --- storage ---------------------------------------------------------

  function readSession() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      return null;
    }

    if (!raw) {
      return null;
    }

    var stored = parseJSON(raw);
    if (stored && typeof stored.token === 'string' && stored.token !== '') {
      return stored;
    }

    // A damaged entry would otherwise be read again on every load.
    writeSession(null);
    return null;
  }

  function parseJSON(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function writeSession(value) {
    try {
      if (value) {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
      } else {
        window.localStorage.removeItem(STORAGE_KEY);
      }
    } catch (e) {
      // Storage refused (private mode, quota): the token lasts until reload.
    }
  }

  function isExpired(s) {
    var at = Date.parse(s.expiresAt);
    // No expiry (an API token) or one we cannot read: the server decides.
    return !isNaN(at) && at <= Date.now();
  }

  // setSession makes s the token in use (null to forget it) and redraws.
  function setSession(s) {
    session = s;
    writeSession(s);
    scheduleExpiry();
    render();
  }

  // forget drops the token and shows the form it came from with message.
  function forget(message, info) {
    var old = session;
    tokenMode = Boolean(old && old.kind === 'api');
    setSession(null);

    if (old && old.user && old.user.username && !ui.username.value) {
      ui.username.value = old.user.username;
    }

    showMessage(message, info);
  }

  // scheduleExpiry forgets a signed-in token when it expires, so the bar
  // never claims a sign-in the server no longer accepts.
  function scheduleExpiry() {
    window.clearTimeout(expiryTimer);
    var at = session ? Date.parse(session.expiresAt) : NaN;
    if (isNaN(at)) {
      return;
    }

    var wait = Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS);
    expiryTimer = window.setTimeout(onExpiryTimer, wait);
  }

  function onExpiryTimer() {
    if (session && isExpired(session)) {
      forget('Your sign-in has expired: sign in again.');
    } else {
      scheduleExpiry();
    }
  }

  // --- the bar ---------------------------------------------------------

  function render() {
    var signedIn = session !== null;
    ui.signedIn.hidden = !signedIn;
    ui.signin.hidden = signedIn || tokenMode;
    ui.tokenForm.hidden = signedIn || !tokenMode;

    if (signedIn) {
      ui.who.textContent = describe(session);
      ui.signout.textContent = session.kind === 'api' ? 'Forget token' : 'Sign out';
    } else {
      ui.who.textContent = '';
    }
  }

  // describe is the bar's line for a token in use. textContent, never HTML:
  // names come from the server.
  function describe(s) {
    if (s.kind === 'api') {
      return s.user ? 'Using an API token of ' + whoIs(s.user) : 'Using an API token';
    }

    var text = 'Signed in as ' + whoIs(s.user || {});
    var until = localTime(s.expiresAt);
    return until ? text + ' until ' + until : text;
  }

  // whoIs names a user with their unit and its region.
  function whoIs(user) {
    var unit = user.unit || {};
    var region = unit.region || {};
    var where = [unit.fullName, region.name].filter(Boolean).join(', ');
    var name = user.displayName || user.username || 'unknown user';

    return where ? name + ' (' + where + ')' : name;
  }

  function localTime(iso) {
    var at = new Date(iso);
    if (!iso || isNaN(at.getTime())) {
      return '';
    }

    return at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  // showMessage shows text in the bar: an error unless info is set.
  function showMessage(text, info) {
    ui.message.textContent = text || '';
    ui.message.classList.toggle('fundhub-info', Boolean(info));
  }

  // busy disables the bar's buttons while a request is out, so a second
  // click cannot send a second login.
  function busy(on) {
    var buttons = document.querySelectorAll('#fundhub-auth button');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = on;
    }
  }

  function showForm(useToken) {
    tokenMode = useToken;
    showMessage('');
    render();
    (useToken ? ui.apiToken : ui.username).focus();
  }

  // --- requests of the bar -----------------------------------------------

  // postGraphQL sends one operation and returns the parsed body, whatever
  // the status: GraphQL errors come in the body of a 4xx as well.
  async function postGraphQL(query, variables, token) {
    var headers = {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    };
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }

    var response = await window.fetch(endpoint, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables || {} }),
    });

    var body = parseJSON(await response.text());
    if (!body || typeof body !== 'object') {
      throw new Error('the server answered ' + response.status + ' without a GraphQL result');
    }

    return body;
  }

  function firstError(result) {
    var err = result.errors && result.errors[0];
    if (!err) {
      return null;
    }

    return { message: err.message, code: err.extensions && err.extensions.code };
  }

  function loginFailure(err) {
    if (!err) {
      return 'Sign-in failed: the server sent no token.';
    }

    return err.message || LOGIN_FAILURES[err.code] || 'Sign-in failed.';
  }

  async function signIn(event) {
    event.preventDefault();
    var username = ui.username.value.trim();
    var password = ui.password.value;
    if (!username || !password) {
      showMessage('Enter a username and a password.');
      return;
    }

    busy(true);
    showMessage('Signing in…', true);
    try {
      var result = await postGraphQL(LOGIN, { username: username, password: password });
      var login = result.data && result.data.login;
      var err = firstError(result);
      if (err || !login || !login.token) {
        failSignIn(loginFailure(err));
        return;
      }

      ui.password.value = '';
      setSession({
        kind: 'password',
        token: login.token,
        expiresAt: login.expiresAt || null,
        user: login.user || null,
      });
      showMessage('');
    } catch (e) {
      failSignIn('Sign-in failed: ' + e.message);
    } finally {
      busy(false);
    }
  }

  // failSignIn clears the password, so that a wrong one is not sent twice
  // by accident, and says why.
  function failSignIn(message) {
    ui.password.value = '';
    showMessage(message);
    ui.password.focus();
  }

  // signOut tells the server to revoke the token, then forgets it even when
  // the server could not be told: the user asked for it to be gone here.
  // A pasted API token is only forgotten: it was made elsewhere, and may be
  // in use by other clients.
  async function signOut() {
    var s = session;
    if (!s || s.kind === 'api') {
      forget('API token forgotten.', true);
      return;
    }

    busy(true);
    var note = 'Signed out.';
    try {
      var err = firstError(await postGraphQL(LOGOUT, null, s.token));
      if (err && err.code !== 'UNAUTHENTICATED') {
        note = 'Signed out here; the server said: ' + err.message;
      }
    } catch (e) {
      note = 'Signed out here; the server could not be told: ' + e.message;
    } finally {
      busy(false);
      forget(note, true);
    }
  }

  // A header value must be one line of visible ASCII.
  var TOKEN_PATTERN = /^[\x21-\x7e]+$/;

  // useApiToken keeps a pasted token once the server knows it. Any answer
  // but UNAUTHENTICATED keeps it: the server still checks it on each query.
  async function useApiToken(event) {
    event.preventDefault();
    var token = ui.apiToken.value.trim().replace(/^Bearer\s+/i, '');
    ui.apiToken.value = '';
    if (!TOKEN_PATTERN.test(token)) {
      showMessage('Paste the API token: one line, no spaces.');
      return;
    }

    busy(true);
    showMessage('Checking the token…', true);
    try {
      var result = await postGraphQL(ME, null, token);
      var err = firstError(result);
      if (err && err.code === 'UNAUTHENTICATED') {
        showMessage('The server refused this token: ' + err.message);
        return;
      }

      var user = (result.data && result.data.me) || null;
      setSession({ kind: 'api', token: token, expiresAt: null, user: user });
      showMessage('');
    } catch (e) {
      showMessage('Could not check the token: ' + e.message);
    } finally {
      busy(false);
    }
  }

  // --- GraphiQL's requests -----------------------------------------------

  // authFetch is GraphiQL's fetch: it adds the token, unless the headers
  // editor already names an Authorization, and watches the answer for a
  // token the server refuses.
  async function authFetch(url, init) {
    if (session && isExpired(session)) {
      forget('Your sign-in has expired: sign in again.');
    }

    var options = Object.assign({}, init);
    var headers = new Headers(options.headers);
    var sent = null;
    if (session && !headers.has('Authorization')) {
      sent = session.token;
      headers.set('Authorization', 'Bearer ' + sent);
    }
    options.headers = headers;

    var response = await window.fetch(url, options);
    if (sent && response.status === 401) {
      var err = await unauthenticatedIn(response.clone());
      if (err) {
        return retrySignedOut(url, options, sent, err.message);
      }
    }

    // Cloned before GraphiQL reads the body; multipart answers are left
    // alone, their parts are read as they come.
    var type = response.headers.get('Content-Type') || '';
    if (/json/i.test(type)) {
      watchAnswer(response.clone(), sent);
    }

    return response;
  }

  // retrySignedOut handles a token the server refused before any GraphQL
  // work (a 401): it forgets the token and asks again without it, so that
  // the schema still loads and a query gets the answer any signed-out user
  // gets.
  function retrySignedOut(url, options, sent, message) {
    refused(sent, message);
    options.headers.delete('Authorization');

    return window.fetch(url, options);
  }

  async function watchAnswer(copy, sent) {
    var err = await unauthenticatedIn(copy);
    if (err) {
      refused(sent, err.message);
    }
  }

  // unauthenticatedIn returns the UNAUTHENTICATED error of a JSON answer,
  // or null.
  async function unauthenticatedIn(copy) {
    var result = parseJSON(await copy.text().catch(function () { return ''; }));
    var errors = result && Array.isArray(result.errors) ? result.errors : [];
    for (var i = 0; i < errors.length; i++) {
      var ext = errors[i] && errors[i].extensions;
      if (ext && ext.code === 'UNAUTHENTICATED') {
        return errors[i];
      }
    }

    return null;
  }

  // refused handles an UNAUTHENTICATED answer. Only the token that request
  // carried is forgotten: a sign-in that finished while the request was out
  // keeps its new token.
  function refused(sent, message) {
    if (sent && session && session.token === sent) {
      forget('You were signed out: ' + (message || 'the server refused the token') + '.');
    } else if (!session) {
      // The result pane shows the server's own words.
      showMessage('Sign in to run queries.');
    }
  }

  // --- start -------------------------------------------------------------

  // onStorage follows a sign-in or sign-out made in another tab.
  function onStorage(event) {
    if (event.key !== STORAGE_KEY && event.key !== null) {
      return;
    }

    var had = session !== null;
    session = readSession();
    scheduleExpiry();
    render();
    if (had && !session) {
      showMessage('Signed out in another tab.', true);
    }
  }

  function wireBar() {
    ui.signin.addEventListener('submit', signIn);
    ui.tokenForm.addEventListener('submit', useApiToken);
    ui.signout.addEventListener('click', signOut);
    byId('fundhub-show-token').addEventListener('click', function () { showForm(true); });
    byId('fundhub-show-signin').addEventListener('click', function () { showForm(false); });
    window.addEventListener('storage', onStorage);
  }

  function mountGraphiQL() {
    var fetcher = GraphiQL.createFetcher({ url: endpoint, fetch: authFetch });

    // Our own label instead of GraphiQL's logo, which links to GitHub.
    var logo = React.createElement(GraphiQL.Logo, null, 'fundhub');

    var app = React.createElement(
      GraphiQL,
      { fetcher: fetcher, defaultQuery: root.dataset.defaultQuery },
      logo
    );

    ReactDOM.createRoot(root).render(app);
  }

  wireBar();
  if (session && isExpired(session)) {
    forget('Your sign-in has expired: sign in again.');
  } else {
    scheduleExpiry();
    render();
  }
  mountGraphiQL();
})();
