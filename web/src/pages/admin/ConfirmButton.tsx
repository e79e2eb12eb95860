import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A button for an irreversible action: it opens a modal dialog that says what will happen and
 * asks again; only the dialog's confirm button acts. Escape or Cancel closes it.
 */
export function ConfirmButton({
  label,
  accessibleLabel,
  title,
  children,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  /** The button's name for assistive technology, when `label` alone is ambiguous in a table. */
  accessibleLabel?: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-label={accessibleLabel}
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      <dialog ref={dialog} className="confirm" aria-label={title} onClose={() => setOpen(false)}>
        <h3>{title}</h3>
        <div>{children}</div>
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
