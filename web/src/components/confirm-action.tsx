/**
 * An action button that asks for confirmation in a modal dialog before calling the API, then
 * reports the operation it started (or the API's error).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';

/** A confirmed action. */
export function ConfirmAction({
  label,
  title,
  children,
  run,
  onDone,
  danger = false,
}: {
  label: string;
  title: string;
  children?: ComponentChildren;
  run: () => Promise<{ operationId?: string } | unknown>;
  onDone: (message: string) => void;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const d = dialog.current;
    if (d === null) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <>
      <button class={danger ? 'danger' : undefined} onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog ref={dialog} onClose={() => setOpen(false)} aria-label={title}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setError(undefined);
            run().then(
              (r) => {
                setBusy(false);
                setOpen(false);
                const id = (r as { operationId?: string } | undefined)?.operationId;
                onDone(id !== undefined ? `${label}: operation ${id} started` : `${label}: done`);
              },
              (e: unknown) => {
                setBusy(false);
                setError(
                  e instanceof ApiError
                    ? `${e.message}${e.hint !== undefined ? ` (${e.hint})` : ''}`
                    : String(e),
                );
              },
            );
          }}
        >
          <h2>{title}</h2>
          {children}
          {error !== undefined && <p class="error">{error}</p>}
          <div class="dialog-buttons">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : `Confirm ${label.toLowerCase()}`}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
