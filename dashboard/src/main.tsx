import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from './api';
import { canAdmin, clearSession, loadSession, type Session } from './auth';
import { href, useRoute } from './util';
import { SignIn } from './views/SignIn';
import { Board } from './views/Board';
import { FlightView } from './views/Flight';
import { EntityView, SearchView } from './views/Search';
import { MetricsView } from './views/Metrics';
import { AdminView } from './views/Admin';
import './styles.css';

function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [expired, setExpired] = useState('');
  const route = useRoute();

  useEffect(
    () =>
      onUnauthorized((e) => {
        clearSession();
        setExpired(e.detail);
        setSession(null);
      }),
    [],
  );
  // a token that expires while the page is open: back to sign-in, saying why
  useEffect(() => {
    if (!session?.exp) return;
    const ms = session.exp * 1000 - Date.now();
    const t = setTimeout(() => {
      clearSession();
      setExpired('Your token has expired.');
      setSession(null);
    }, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => clearTimeout(t);
  }, [session]);

  if (!session) return <SignIn notice={expired} onSignIn={(s) => (setExpired(''), setSession(s))} />;

  const [view = 'board', ...rest] = route.path;
  const nav: [string, string, string][] = [
    ['board', 'Airport board', href(['board'])],
    ['search', 'Search', href(['search'])],
    ['metrics', 'Metrics', href(['metrics'])],
    ...(canAdmin(session) ? ([['admin', 'Projections', href(['admin'])]] as [string, string, string][]) : []),
  ];
  const active = view === 'flight' ? 'board' : view === 'entity' ? 'search' : view;
  let body;
  if (view === 'flight' && rest[0]) body = <FlightView flightId={rest[0]} />;
  else if (view === 'entity' && rest[0] && rest[1]) body = <EntityView type={rest[0]} id={rest[1]} />;
  else if (view === 'search') body = <SearchView q={route.query.get('q') ?? ''} />;
  else if (view === 'metrics') body = <MetricsView query={route.query} />;
  else if (view === 'admin') body = <AdminView session={session} />;
  else body = <Board station={(route.query.get('station') ?? 'LIM').toUpperCase()} day={route.query.get('day')} />;

  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={href(['board'])}>
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <rect width="16" height="16" rx="3" fill="#fff" opacity=".15" />
            <path d="M3 10l4-6 2 4 2-2 2 4" stroke="#fff" stroke-width="1.6" fill="none" />
          </svg>
          Track &amp; Trace <span class="brand-sub">operations</span>
        </a>
        <nav aria-label="Views">
          {nav.map(([k, label, link]) => (
            <a key={k} href={link} class={active === k ? 'active' : ''} aria-current={active === k ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who" title={`${session.subject} · ${session.scopes.join(' ')}`}>
          <span class="tenant">{session.tenant}</span>
          <button
            class="btn ghost small"
            onClick={() => {
              clearSession();
              setSession(null);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main>{body}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
