import { useId, useState, type KeyboardEvent, type RefObject } from 'react';
import { applyCompletion, completionAt, type Completion } from './completion.js';
import type { ConditionReference } from './types.js';

/**
 * The condition's text area with completion: as the analyst types a name, a list of the fields,
 * helpers and reference lists that complete it opens below; the arrow keys choose, Enter or Tab
 * inserts, Escape closes; a click inserts too. The text area stays a text area (it announces the
 * list through aria-activedescendant and a status line), so typing is never taken over.
 */
export function ConditionInput({
  value,
  onChange,
  reference,
  inputRef,
  id,
  rows = 3,
  ...aria
}: {
  value: string;
  onChange: (value: string) => void;
  reference: ConditionReference | undefined;
  inputRef: RefObject<HTMLTextAreaElement | null>;
  id?: string;
  rows?: number;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const listId = useId();
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);

  const refresh = (text: string, caret: number) => {
    const next = reference ? completionAt(reference, text, caret) : null;
    setCompletion(next);
    setActive(0);
  };
  const choose = (k: number) => {
    const el = inputRef.current;
    const item = completion?.items[k];
    if (!el || !completion || !item) return;
    const next = applyCompletion(value, completion, item.insert);
    onChange(next.text);
    setCompletion(null);
    // After React has put the new text in: the caret goes after the insertion, and what follows
    // (`item.` → its fields) is offered at once.
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
      refresh(next.text, next.caret);
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!completion) return;
    const n = completion.items.length;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % n);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a - 1 + n) % n);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      choose(active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setCompletion(null);
    }
  };
  const open = completion !== null && completion.items.length > 0;
  return (
    <div className="condition-input">
      <textarea
        {...aria}
        id={id}
        ref={inputRef}
        value={value}
        rows={rows}
        spellCheck={false}
        autoComplete="off"
        required
        aria-autocomplete="list"
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        onChange={(e) => {
          onChange(e.target.value);
          refresh(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setCompletion(null)}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Suggestions for the condition"
        className="suggestions"
        hidden={!open}
      >
        {open &&
          completion.items.map((s, k) => (
            <li
              key={`${s.kind}:${s.label}`}
              id={`${listId}-${k}`}
              role="option"
              aria-selected={k === active}
              // Before the text area loses focus (which closes the list).
              onMouseDown={(e) => {
                e.preventDefault();
                choose(k);
              }}
            >
              <code>{s.label}</code> <span className="note">{s.detail}</span>
            </li>
          ))}
      </ul>
      <p role="status" className="visually-hidden">
        {open
          ? `${completion.items.length} suggestions; up and down arrows to choose, Enter to insert`
          : ''}
      </p>
    </div>
  );
}
