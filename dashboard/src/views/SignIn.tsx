import { useState } from 'preact/hooks';
import { decodeToken, saveSession, type Session } from '../auth';

export function SignIn({ onSignIn, notice }: { onSignIn: (s: Session) => void; notice?: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const s = decodeToken(text);
    if ('error' in s) return setError(s.error);
    saveSession(s);
    onSignIn(s);
  };
  return (
    <div class="signin">
      <form class="card signin-card" onSubmit={submit}>
        <h1>Track &amp; Trace operations</h1>
        <p class="muted">Sign in with a bearer token for the API. It is kept in this tab only (sessionStorage) and sent in the Authorization header, never in a URL.</p>
        {notice && <div class="state error" role="alert">{notice} Sign in again.</div>}
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          name="token"
          rows={5}
          spellcheck={false}
          autocomplete="off"
          placeholder="eyJhbGciOi…"
          value={text}
          onInput={(e) => (setText((e.target as HTMLTextAreaElement).value), setError(''))}
        />
        {error && (
          <div class="field-error" role="alert">
            {error}
          </div>
        )}
        <button class="btn primary" type="submit" disabled={!text.trim()}>
          Sign in
        </button>
        <details class="help">
          <summary>Where do I get a token?</summary>
          <p>Locally, with <code>npm start</code> running:</p>
          <pre>npm run --silent token -- --tenant lim-handling --scope "tracking:read tracking:operator"</pre>
          <p>
            The tenant comes from the token’s <code>tenant_id</code> claim. <code>tracking:read</code> shows the board, flights, search and metrics;{' '}
            <code>tracking:operator</code> (or <code>tracking:admin</code>) adds the projections view. In production the token comes from your OIDC
            issuer (see the README’s Dashboard section).
          </p>
        </details>
      </form>
    </div>
  );
}
