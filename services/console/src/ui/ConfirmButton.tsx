import { useId, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../lib/graphql.js';

/**
 * A button that asks first: opens a dialog naming what will happen, runs `action` on confirm, and
 * shows the error in the dialog if it fails. For actions that are hard to undo.
 */
export function ConfirmButton({
  label,
  accessibleLabel,
  title,
  children,
  confirmLabel,
  action,
  danger = false,
  confirmDisabled = false,
  disabled = false,
  disabledReason,
  onOpen,
}: {
  label: string;
  /** A fuller name for assistive technology and tests when `label` is short ("Revoke"). */
  accessibleLabel?: string;
  title: string;
  children?: ReactNode;
  confirmLabel?: string;
  action: () => Promise<unknown>;
  danger?: boolean;
  /** Holds the confirm button back until the dialog's own inputs are complete (a reason, an override). */
  confirmDisabled?: boolean;
  /** Disables the opening button; `disabledReason` says why (shown as its tooltip and description). */
  disabled?: boolean;
  disabledReason?: string;
  /** Called as the dialog opens, e.g. to reset its inputs. */
  onOpen?: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = `confirm-${useId()}`;

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await action();
      dialog.current?.close();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        aria-label={accessibleLabel}
        disabled={disabled}
        title={disabled ? disabledReason : undefined}
        onClick={() => {
          setError(null);
          onOpen?.();
          dialog.current?.showModal();
        }}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        {children}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className={danger ? 'danger' : 'primary'} disabled={busy || confirmDisabled} onClick={() => void confirm()}>
            {busy ? 'Working…' : (confirmLabel ?? accessibleLabel ?? label)}
          </button>
          <button type="button" disabled={busy} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
