// The projection admin view: every read model's state, lag, backlog, dead letters and rebuild
// progress (polled: every second while a rebuild runs, else every 5 s), a rebuild button
// (tracking:operator, with a confirmation), and the dead letters with a replay button.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type DeadLetter, type Page, type Projection } from '../api';
import { isOperator, type Session } from '../auth';
import { ago, Badge, Empty, ErrorBox, fmtNum, Loading, Table, useLoad } from '../util';

export function AdminView({ session }: { session: Session }) {
  const projections = useLoad(() => api<{ items: Projection[] }>('/v1/admin/projections'), []);
  const letters = useLoad(() => api<Page<DeadLetter>>('/v1/admin/dead-letters?limit=50'), []);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const operator = isOperator(session);
  const rebuilding = projections.data?.items.some((p) => p.state === 'rebuilding');

  useEffect(() => {
    if (projections.error?.status === 403) return;
    const t = setInterval(() => {
      projections.reload();
      letters.reload();
    }, rebuilding ? 1_000 : 5_000);
    return () => clearInterval(t);
  }, [rebuilding, projections.error?.status]);

  const rebuild = async (name: string) => {
    setConfirm(null);
    try {
      await api(`/v1/admin/projections/${encodeURIComponent(name)}/rebuild`, { method: 'POST' });
      setNotice({ kind: 'ok', text: `Rebuild of ${name} started: it builds a new generation beside the live one and swaps it in when it has caught up.` });
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof ApiError ? `Rebuild of ${name}: ${e.detail} (${e.status} ${e.code})` : String(e) });
    }
    projections.reload();
  };
  const replay = async (id: number) => {
    try {
      await api(`/v1/admin/dead-letters/${id}/replay`, { method: 'POST' });
      setNotice({ kind: 'ok', text: `Dead letter ${id} sent again to its queue.` });
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof ApiError ? `Replay of ${id}: ${e.detail}` : String(e) });
    }
    letters.reload();
  };

  if (projections.error?.status === 403)
    return (
      <section class="view">
        <div class="view-head">
          <h1>Projections</h1>
        </div>
        <div class="state error" role="alert">
          <strong>Operators only.</strong>
          <span>
            This view needs a token with <code>tracking:operator</code> (the whole store, rebuilds) or <code>tracking:admin</code> (your tenant’s lag
            and dead letters). Yours has: <code>{session.scopes.join(' ') || 'no scopes'}</code>.
          </span>
        </div>
      </section>
    );

  const items = projections.data?.items;
  return (
    <section class="view">
      <div class="view-head">
        <h1>Projections</h1>
        <span class="muted small">{operator ? 'operator: the whole store' : `admin: tenant ${session.tenant}`} · refreshed every {rebuilding ? '1' : '5'} s</span>
      </div>
      {notice && (
        <div class={`state ${notice.kind === 'ok' ? 'ok' : 'error'}`} role="status">
          {notice.text}
          <button class="btn ghost small" onClick={() => setNotice(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      <div class="card">
        <h2>Read models</h2>
        {!items && projections.loading && <Loading what="projections" />}
        {!items && projections.error && <ErrorBox error={projections.error} retry={projections.reload} what="projections" />}
        {items && !items.length && <Empty>No read models are registered.</Empty>}
        {items && items.length > 0 && (
          <Table
            testid="projections"
            head={
              <>
                <th>Read model</th>
                <th>State</th>
                <th data-narrow="hide" class="num">Gen.</th>
                <th class="num">Lag (events)</th>
                <th data-narrow="hide" class="num">Lag (s)</th>
                <th class="num">Backlog</th>
                <th class="num">Dead letters</th>
                <th data-narrow="hide">Last applied</th>
                <th>Rebuild</th>
                {operator && <th />}
              </>
            }
          >
            {items.map((p) => (
              <tr key={p.name}>
                <td>
                  <strong>{p.name}</strong>
                </td>
                <td>
                  <Badge s={p.state} />
                </td>
                <td class="num" data-narrow="hide">{p.generation}</td>
                <td class={`num ${p.lag.events ? 'warn' : ''}`}>
                  {fmtNum(p.lag.events)}
                  {p.lag.streams ? <span class="muted"> / {p.lag.streams} streams</span> : null}
                </td>
                <td class={`num ${p.lag.seconds > 5 ? 'warn' : ''}`} data-narrow="hide">{fmtNum(p.lag.seconds, 1)}</td>
                <td class={`num ${p.backlog.outboxCommits ? 'warn' : ''}`} title={`oldest outbox row ${p.backlog.oldestSeconds} s; oldest open transaction ${p.oldestOpenTransactionSeconds} s`}>
                  {fmtNum(p.backlog.outboxCommits)}
                </td>
                <td class={`num ${p.deadLetters ? 'bad-text' : ''}`}>{fmtNum(p.deadLetters)}</td>
                <td title={p.lastAppliedAt ?? ''} data-narrow="hide">{ago(p.lastAppliedAt)}</td>
                <td class="rebuild-cell">
                  {p.rebuild ? (
                    <div class="progress" title={`generation ${p.rebuild.generation}: ${p.rebuild.events} of ${p.rebuild.totalEvents} events`}>
                      <div class="progress-bar" style={{ width: `${Math.round(p.rebuild.progress * 100)}%` }} />
                      <span>
                        {Math.round(p.rebuild.progress * 100)}% · {fmtNum(p.rebuild.events)}/{fmtNum(p.rebuild.totalEvents)}
                      </span>
                    </div>
                  ) : p.lastRebuild ? (
                    <span class="muted small">
                      gen {p.lastRebuild.generation}: {fmtNum(p.lastRebuild.events)} events in {fmtNum(p.lastRebuild.seconds, 1)} s, {ago(p.lastRebuild.finishedAt)}
                    </span>
                  ) : (
                    <span class="muted small">never rebuilt</span>
                  )}
                </td>
                {operator && (
                  <td class="actions">
                    {confirm === p.name ? (
                      <span class="confirm">
                        Rebuild {p.name}?{' '}
                        <button class="btn danger small" onClick={() => void rebuild(p.name)}>
                          Yes, rebuild
                        </button>{' '}
                        <button class="btn ghost small" onClick={() => setConfirm(null)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button class="btn small" disabled={p.state === 'rebuilding'} onClick={() => setConfirm(p.name)}>
                        Rebuild…
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
        )}
        {!operator && items && <p class="muted small">Starting a rebuild needs tracking:operator.</p>}
      </div>
      <div class="card">
        <h2>Dead letters</h2>
        {!letters.data && letters.loading && <Loading what="dead letters" />}
        {!letters.data && letters.error && <ErrorBox error={letters.error} retry={letters.reload} what="dead letters" />}
        {letters.data && !letters.data.items.length && <Empty>No dead letters: every message reached the read models.</Empty>}
        {letters.data && letters.data.items.length > 0 && (
          <Table
            head={
              <>
                <th class="num">Id</th>
                <th>Queue</th>
                <th>Message</th>
                <th class="num">Attempts</th>
                <th>Received</th>
                <th>Replayed</th>
                {operator && <th />}
              </>
            }
          >
            {letters.data.items.map((d) => {
              const b = d.body as { streamId?: string; fromVersion?: number; toVersion?: number };
              return (
                <tr key={d.id}>
                  <td class="num">{d.id}</td>
                  <td>{d.queue}</td>
                  <td>
                    <code>{b?.streamId ? `${b.streamId} v${b.fromVersion}–${b.toVersion}` : JSON.stringify(d.body).slice(0, 80)}</code>
                  </td>
                  <td class="num">{d.attempts}</td>
                  <td title={d.receivedAt}>{ago(d.receivedAt)}</td>
                  <td>{d.replayedAt ? `${ago(d.replayedAt)} (${d.replays}×)` : '—'}</td>
                  {operator && (
                    <td>
                      <button class="btn small" onClick={() => void replay(d.id)}>
                        Replay
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </Table>
        )}
      </div>
    </section>
  );
}
