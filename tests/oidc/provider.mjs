// A real OpenID Connect provider for the tests (oidc-provider), shaped like ProConnect: its
// endpoints under /api/v2, RS256-signed ID tokens and userinfo (application/jwt), the scopes
// and claims of ProConnect's « identité pivot », and an end of session that signs out at once.
//
// Usage: node provider.mjs <config.json>, the file holding
//   { client_id, client_secret, redirect_uri, post_logout_redirect_uri,
//     accounts: { "<login>": { email, email_verified?, given_name, usual_name, siret, uid } } }
// The provider listens on a port the system hands out and prints one JSON line, {"issuer": "…"}.
// Its login page is oidc-provider's development form: any password is accepted for a known login.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const PREFIX = '/api/v2';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'tests', alg: 'RS256', use: 'sig' };

async function findAccount(ctx, sub) {
  const account = config.accounts[sub];
  if (!account) return undefined;
  return { accountId: sub, claims: async () => ({ sub, ...account }) };
}

// The back-office is ProConnect's own client: nothing to consent to, as on ProConnect.
async function loadExistingGrant(ctx) {
  const { client, session } = ctx.oidc;
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(ctx.oidc.params.scope);
  await grant.save();
  return grant;
}

// ProConnect ends its session without asking: submit oidc-provider's confirmation form at once.
async function logoutSource(ctx, form) {
  ctx.body = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Déconnexion</title></head>
    <body>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
    <script>document.querySelector('button[name="logout"]').click();</script></body></html>`;
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}${PREFIX}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.client_id,
        client_secret: config.client_secret,
        redirect_uris: [config.redirect_uri],
        post_logout_redirect_uris: [config.post_logout_redirect_uri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
        userinfo_signed_response_alg: 'RS256',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret', 'uid'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      siret: ['siret'],
      uid: ['uid'],
    },
    findAccount,
    loadExistingGrant,
    pkce: { required: () => false },
    features: {
      devInteractions: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource },
    },
    routes: {
      authorization: `${PREFIX}/authorize`,
      token: `${PREFIX}/token`,
      userinfo: `${PREFIX}/userinfo`,
      jwks: `${PREFIX}/jwks`,
      end_session: `${PREFIX}/session/end`,
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
