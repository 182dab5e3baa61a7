// A real OpenID Provider for the tests of our OpenID Connect sign-in: panva's certified
// oidc-provider, configured from a JSON file, with a minimal sign-in page, automatic consent,
// RP-initiated logout and one test-only endpoint that mints ID tokens with the provider's own key.
//
//     node tools/oidc-provider/server.mjs <config.json>
//
// See README.md for the configuration file and the pages' selectors.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

import * as jose from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const port = Number(config.port);
const issuer = config.issuer ?? `http://127.0.0.1:${port}`;
const clockOffsetSeconds = Number(config.clock_offset_seconds ?? 0);

// A provider with a wrong clock: everything oidc-provider dates (iat, exp, auth_time, its own
// expiry checks) goes through Date.now, so shift it before oidc-provider is loaded.
if (clockOffsetSeconds) {
  const realNow = Date.now;
  Date.now = () => realNow() + clockOffsetSeconds * 1000;
}
const { default: Provider } = await import('oidc-provider');

const log = (...parts) => process.stderr.write(`${parts.join(' ')}\n`);
const html = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const epoch = () => Math.floor(Date.now() / 1000);

// --- Signing key: made at every start, never written anywhere ---------------------------------

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = await jose.exportJWK(privateKey);
signingJwk.kid = await jose.calculateJwkThumbprint(signingJwk);
signingJwk.alg = 'RS256';
signingJwk.use = 'sig';

// --- Accounts and the claims released for them ------------------------------------------------

const SCOPE_CLAIMS = {
  email: ['email', 'email_verified'],
  profile: [
    'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username',
    'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
};
const standard = new Set(['sub', ...Object.values(SCOPE_CLAIMS).flat()]);

const accountsByLogin = new Map();
const accountsBySub = new Map();
for (const [login, claims] of Object.entries(config.accounts ?? {})) {
  const account = { ...claims, sub: String(claims.sub ?? login) };
  accountsByLogin.set(login, account);
  accountsBySub.set(account.sub, account);
}

// Every claim an account has beyond the standard ones (eduPersonAffiliation, groups, ...) is
// released with the `openid` scope, that is always, unless `extra_claims_scope` names a scope
// of their own.
const extraClaims = [...new Set(
  [...accountsBySub.values()].flatMap((account) => Object.keys(account)),
)].filter((name) => !standard.has(name));
const extraScope = config.extra_claims_scope || null;
const claims = {
  openid: ['sub', ...(extraScope ? [] : extraClaims)],
  ...SCOPE_CLAIMS,
  ...(extraScope ? { [extraScope]: extraClaims } : {}),
};

async function findAccount(ctx, sub) {
  const account = accountsBySub.get(sub);
  if (!account) {
    return undefined;
  }
  return { accountId: sub, claims: async () => ({ ...account }) };
}

// --- Clients ----------------------------------------------------------------------------------

const clients = (config.clients ?? []).map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted as well
  post_logout_redirect_uris: [],
  ...client,
}));

// --- Pages ------------------------------------------------------------------------------------

function page(title, body, { script = '' } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${html(title)}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>body{font-family:sans-serif;max-width:24rem;margin:2rem auto}label,input,button{display:block;margin:.4rem 0}</style>
</head>
<body>
  <h1>${html(title)}</h1>
  ${body}
  ${script ? `<script>${script}</script>` : ''}
</body>
</html>`;
}

function loginPage(uid, params, { error = '', login = '' } = {}) {
  const value = login || params.login_hint || '';
  return page('Test OpenID Provider: sign in', `
  <p>Client: <span id="client-id">${html(params.client_id)}</span></p>
  ${error ? `<p id="login-error" role="alert">${html(error)}</p>` : ''}
  <form id="login-form" method="post" action="/interaction/${html(uid)}/login" autocomplete="off">
    <label for="login">Login</label>
    <input id="login" name="login" type="text" value="${html(value)}" required autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password">
    <button id="sign-in" type="submit" name="action" value="sign-in">Sign in</button>
    <button id="cancel" type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
  </form>`);
}

async function logoutSource(ctx, form) {
  // The form oidc-provider hands over carries its anti-forgery token; "logout=yes" ends the
  // session at the provider too. Submitted at once, so a browser needs no click here.
  ctx.type = 'html';
  ctx.body = page('Test OpenID Provider: sign out', `
  ${form}
  <button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
  <button id="stay-signed-in" type="submit" form="op.logoutForm">No, stay signed in</button>`, {
    script: "document.getElementById('sign-out').click();",
  });
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Test OpenID Provider: signed out', '<p id="signed-out">You are signed out.</p>');
}

async function renderError(ctx, out, error) {
  log('ERROR', ctx.method, ctx.path, JSON.stringify(out), error?.stack ?? '');
  ctx.type = 'html';
  ctx.body = page('Test OpenID Provider: error', `
  <p id="error">${html(out.error)}</p>
  <p id="error-description">${html(out.error_description ?? '')}</p>`);
}

// --- The provider -----------------------------------------------------------------------------

// Cookies are dated by the shifted clock too; lengthen the interaction's and session's lives by
// a backward offset so that the browser does not receive them already expired.
const slack = Math.max(0, -clockOffsetSeconds);

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingJwk] },
  findAccount,
  claims,
  // oidc-provider's default (true) keeps scope claims out of the ID token of the code flow and
  // serves them from userinfo only; false puts them in the ID token as well.
  conformIdTokenClaims: config.claims_in_id_token === false,
  responseTypes: ['code'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    long: { httpOnly: true, sameSite: 'lax', secure: false },
    short: { httpOnly: true, sameSite: 'lax', secure: false },
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Grant: 14 * 24 * 3600,
    Interaction: 3600 + slack,
    Session: 14 * 24 * 3600 + slack,
  },
  renderError,
});
provider.proxy = false; // plain http on 127.0.0.1: no X-Forwarded-* header is trusted

for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error',
  'userinfo.error', 'introspection.error', 'revocation.error']) {
  provider.on(event, (ctx, err) => {
    log('ERROR', event, err?.name ?? '', err?.message ?? '', err?.error_description ?? '');
  });
}

// --- Sign-in and consent (instead of oidc-provider's devInteractions) -------------------------

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

async function interaction(req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    log('ERROR interaction', err.name, err.message);
    send(res, 400, page('Test OpenID Provider: error', `<p id="error">${html(err.message)}</p>`));
    return;
  }
  if (details.uid !== uid) {
    send(res, 400, page('Test OpenID Provider: error', '<p id="error">interaction mismatch</p>'));
    return;
  }
  const { prompt, params, session, grantId } = details;

  if (prompt.name === 'login' && req.method === 'GET' && !action) {
    send(res, 200, loginPage(uid, params));
    return;
  }
  if (prompt.name === 'login' && req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    if (form.get('action') === 'cancel') {
      await provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'End-User cancelled the sign-in',
      }, { mergeWithLastSubmission: false });
      return;
    }
    const login = form.get('login') ?? '';
    const account = accountsByLogin.get(login);
    if (!account) {
      send(res, 200, loginPage(uid, params, { error: 'Unknown login', login }));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: account.sub },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent' && req.method === 'GET' && !action) {
    // Consent is given at once for whatever the client asked.
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) {
      grant.addOIDCScope(missingOIDCScope.join(' '));
    }
    if (missingOIDCClaims) {
      grant.addOIDCClaims(missingOIDCClaims);
    }
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    await provider.interactionFinished(req, res, {
      consent: { grantId: await grant.save() },
    }, { mergeWithLastSubmission: true });
    return;
  }
  send(res, 400, page('Test OpenID Provider: error',
    `<p id="error">unexpected ${html(req.method)} for prompt ${html(prompt.name)}</p>`));
}

// --- Test only: an ID token signed with the provider's own key --------------------------------

async function mintIdToken(res, query) {
  const client = await provider.Client.find(query.get('client_id') ?? '');
  const sub = query.get('sub');
  if (!client || !sub) {
    send(res, 400, JSON.stringify({ error: 'client_id (registered) and sub are required' }),
      'application/json');
    return;
  }
  const now = epoch();
  const payload = {
    ...(accountsBySub.get(sub) ?? { sub }),
    iss: issuer,
    aud: query.get('aud') || client.clientId,
    iat: now,
    exp: now + 3600,
    auth_time: now,
    ...(query.has('nonce') ? { nonce: query.get('nonce') } : {}),
    ...JSON.parse(query.get('claims') || '{}'),
  };
  const idToken = await new jose.SignJWT(payload)
    .setProtectedHeader({ alg: signingJwk.alg, kid: signingJwk.kid })
    .sign(privateKey);
  send(res, 200, JSON.stringify({ id_token: idToken }), 'application/json');
}

// --- Test only: the token endpoint's answer altered, as a broken or hostile provider would ------
// `normal`; `tampered_signature` (one character of the ID token's signature changed);
// `wrong_audience` (the same claims, signed again with the provider's own key, for another
// audience). Set with POST /test/token-answer {"mode": …}.

let tokenAnswer = 'normal';

provider.use(async (ctx, next) => {
  await next();
  const idToken = ctx.body && typeof ctx.body === 'object' ? ctx.body.id_token : undefined;
  if (!idToken || tokenAnswer === 'normal' || !ctx.path.endsWith('/token')) {
    return;
  }
  if (tokenAnswer === 'tampered_signature') {
    const [header, payload, signature] = idToken.split('.');
    const flipped = (signature[10] === 'A' ? 'B' : 'A');
    ctx.body.id_token = [header, payload,
      signature.slice(0, 10) + flipped + signature.slice(11)].join('.');
  } else if (tokenAnswer === 'wrong_audience') {
    const claims = jose.decodeJwt(idToken);
    ctx.body.id_token = await new jose.SignJWT({ ...claims, aud: 'another-client' })
      .setProtectedHeader({ alg: signingJwk.alg, kid: signingJwk.kid })
      .sign(privateKey);
  }
});

async function setTokenAnswer(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const mode = JSON.parse(body || '{}').mode;
  if (!['normal', 'tampered_signature', 'wrong_audience'].includes(mode)) {
    send(res, 400, JSON.stringify({ error: 'unknown mode' }), 'application/json');
    return;
  }
  tokenAnswer = mode;
  send(res, 200, JSON.stringify({ mode }), 'application/json');
}

// --- HTTP -------------------------------------------------------------------------------------

const providerCallback = provider.callback();

const server = http.createServer(async (req, res) => {
  const started = Date.now();
  res.on('finish', () => {
    const target = req.url.length > 160 ? `${req.url.slice(0, 160)}…` : req.url;
    log(req.method, target, res.statusCode, `${Date.now() - started}ms`);
  });
  const url = new URL(req.url, issuer);
  try {
    const match = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(login))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
    } else if (url.pathname === '/test/id-token' && req.method === 'GET') {
      await mintIdToken(res, url.searchParams);
    } else if (url.pathname === '/test/token-answer' && req.method === 'POST') {
      await setTokenAnswer(req, res);
    } else {
      providerCallback(req, res);
    }
  } catch (err) {
    log('ERROR', req.method, url.pathname, err.stack);
    if (!res.headersSent) {
      send(res, 500, page('Test OpenID Provider: error', `<p id="error">${html(err.message)}</p>`));
    }
  }
});

// Stopped by the tests with SIGTERM; nothing is kept, so there is nothing to wind down.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
