/**
 * Banners of the share wiring: a link or session file that could not be opened (an alert; the
 * page keeps training its current settings), values a link asked for that the page changed, and
 * the session that was opened, with the offer to continue its run.
 */
import type { RunState } from '../runState';
import type { ShareApi } from '../share/wire-hooks';
import './share.css';

/** Props of {@link ShareNotices}. */
export interface ShareNoticesProps {
  share: ShareApi;
  run: Pick<RunState, 'status' | 'finished'>;
}

/** The share banners (nothing when there is nothing to say). */
export function ShareNotices({ share, run }: ShareNoticesProps) {
  const { error, notices, session } = share;
  const canContinue = session !== null && run.finished !== 'converged' && (run.status === 'paused' || (run.status === 'finished' && run.finished === 'max-iterations'));
  return (
    <>
      {error && (
        <p className="banner error" role="alert" data-testid="share-error">
          {error}
          <span className="banner-actions">
            <button type="button" className="btn small" onClick={share.dismiss}>
              Dismiss
            </button>
          </span>
        </p>
      )}
      {(session || notices.length > 0) && (
        <div className="banner info" role="status" data-testid="share-notice">
          {session && (
            <span data-testid="session-loaded">
              <strong>Session {session.fileName}</strong> opened
              {session.createdAt ? ` (saved ${new Date(session.createdAt).toLocaleString()})` : ''}
              {session.continued
                ? `: the run continues from its ${session.iterations} saved iterations (replayed first, then trained on).`
                : `: its ${session.iterations} iterations are shown as saved, without training again.`}
              {!session.continued && run.finished === 'converged' && ' The run had converged (ε-optimal).'}
            </span>
          )}
          <span className="banner-actions">
            {canContinue && (
              <button type="button" className="btn small primary" onClick={share.continueRun} data-testid="session-continue">
                Continue training
              </button>
            )}
            <button type="button" className="btn small" onClick={share.dismiss}>
              Dismiss
            </button>
          </span>
          {notices.length > 0 && (
            <ul data-testid="share-notices">
              {notices.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
