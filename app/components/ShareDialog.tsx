/**
 * The Share button and its dialog: the link of the current settings (with a copy button), or
 * why there is none; the session file (download, or open one); and when to use which. Every
 * text from a link or file is rendered as text, never as markup.
 */
import { useId, useRef, useState } from 'react';
import type { EncodeResult } from '../share/state';
import type { ShareApi } from '../share/wire-hooks';
import './share.css';

/** Props of {@link ShareDialog}. */
export interface ShareDialogProps {
  share: ShareApi;
  /** Whether a run exists whose results a session file can hold. */
  hasRun: boolean;
}

/** The Share button and dialog. */
export function ShareDialog({ share, hasRun }: ShareDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const [link, setLink] = useState<EncodeResult | null>(null);
  const [inline, setInline] = useState<EncodeResult | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const url = link?.ok ? `${window.location.origin}${window.location.pathname}#${link.hash}` : null;

  const open = (): void => {
    setLink(share.link());
    setInline(share.inlineLink());
    setCopied(null);
    dialog.current?.showModal();
  };
  const copy = async (): Promise<void> => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Copied to the clipboard.');
    } catch {
      // Clipboard access needs permission or a secure context; selecting lets the user copy.
      input.current?.select();
      setCopied('The browser did not allow copying: the link is selected, press Ctrl+C (⌘C).');
    }
  };

  return (
    <>
      <button type="button" className="btn" onClick={open} data-testid="share-open" title="Share a link to these settings, or save the whole session">
        Share
      </button>
      <dialog ref={dialog} className="share-dialog" aria-labelledby={titleId} data-testid="share-dialog">
        <h2 id={titleId}>Share this run</h2>

        <h3>Link</h3>
        <p>
          The link holds the settings, every seed (data, split, patterns and Nyström sketch) and small data: a built-in dataset, the URL of a
          CSV, or a few kilobytes of CSV. Opening it rebuilds the same data and patterns D and replays the run: the same objective curve on the
          same device. Nothing of it is sent to a server (it is in the part after #).
        </p>
        {url ? (
          <div className="link-row">
            <input ref={input} type="text" readOnly value={url} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn small" onClick={() => void copy()} data-testid="share-copy">
              Copy
            </button>
          </div>
        ) : inline?.ok ? (
          <div className="row">
            <p>
              This CSV came from a session file. It is small enough to travel inside the link ({inline.hash.length} characters): anyone with the
              link then has the data.
            </p>
            <button
              type="button"
              className="btn small"
              data-testid="share-inline"
              onClick={() => {
                share.putDataInLink();
                setLink(inline);
                setInline(null);
              }}
            >
              Put the data in the link
            </button>
          </div>
        ) : (
          <p className="problem" role="alert" data-testid="share-link-error">
            No link for this run: {link && !link.ok ? link.error : 'preparing'}. Use a session file instead.
          </p>
        )}
        {copied && (
          <p className="ok" role="status">
            {copied}
          </p>
        )}

        <h3>Session file</h3>
        <p>
          A session file holds everything: the settings, any data (also your own files, which a link cannot carry) and the results (the metrics of
          every iteration, the solution and the trained network). Open it here or drop it on the page to see the results without training again;
          you can then continue the run.
        </p>
        <div className="row">
          <button type="button" className="btn small" disabled={!hasRun || share.busy !== null} onClick={() => void share.exportFile('session')} data-testid="session-download">
            Download session
          </button>
          <label className="file-pick">
            Open a session file
            <input
              type="file"
              accept=".json,.gz,application/json,application/gzip"
              data-testid="session-input"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                e.currentTarget.value = '';
                if (f) {
                  dialog.current?.close();
                  void share.openSession(f);
                }
              }}
            />
          </label>
        </div>
        {share.busy && <p role="status">Preparing {share.busy}…</p>}
        {share.exportError && (
          <p className="problem" role="alert">
            {share.exportError}
          </p>
        )}
        <div className="dialog-foot">
          <button type="button" className="btn small" onClick={() => dialog.current?.close()} data-testid="share-close">
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
