import { useState, type ReactNode } from 'react';
import { ConfirmActionDialog } from '../../components/ConfirmActionDialog.js';

/**
 * A button for an irreversible action: it opens the console's confirmation dialog, which says
 * what will happen and asks again; only the dialog's confirm button acts.
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
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
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
      <ConfirmActionDialog
        open={open}
        title={title}
        confirmLabel={confirmLabel}
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        <div>{children}</div>
      </ConfirmActionDialog>
    </>
  );
}
