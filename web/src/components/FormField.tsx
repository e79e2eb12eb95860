import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';
import { fieldError } from './ProblemAlert.js';

type Control = ReactElement<{
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}>;

/**
 * One labelled input, select or textarea: its label, an optional hint, and the error for that
 * field next to it — given, or found in the problem the API answered by the field's pointer
 * (`field="/body/summary"` takes that field's errors and those of anything inside it). The
 * control is marked aria-invalid and described by the hint and the error.
 */
export function FormField({
  label,
  hint,
  error,
  problem,
  field,
  className,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  problem?: unknown;
  field?: string | readonly string[];
  className?: string;
  children: Control;
}) {
  const id = useId();
  const controlId = children.props.id ?? `${id}-control`;
  const message = error ?? (field !== undefined ? fieldError(problem, field) : null);
  const describedBy = [
    children.props['aria-describedby'],
    hint ? `${id}-hint` : null,
    message ? `${id}-error` : null,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field${message ? ' invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={controlId}>{label}</label>
      {cloneElement(children, {
        id: controlId,
        'aria-invalid': message ? true : undefined,
        'aria-describedby': describedBy || undefined,
      })}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {message && (
        <span id={`${id}-error`} className="field-error">
          {message}
        </span>
      )}
    </div>
  );
}

/**
 * A group of checkboxes under one legend (several partners, several priority areas), with its
 * hint and error as for a single field.
 */
export function CheckboxGroup<V extends string>({
  legend,
  options,
  value,
  onChange,
  hint,
  error,
  problem,
  field,
  className,
}: {
  legend: ReactNode;
  options: ReadonlyArray<{ value: V; label: ReactNode }>;
  value: readonly V[];
  onChange: (value: V[]) => void;
  hint?: ReactNode;
  error?: string | null;
  problem?: unknown;
  field?: string | readonly string[];
  className?: string;
}) {
  const id = useId();
  const message = error ?? (field !== undefined ? fieldError(problem, field) : null);
  const describedBy = [hint ? `${id}-hint` : null, message ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      className={`choices${message ? ' invalid' : ''}${className ? ` ${className}` : ''}`}
      aria-describedby={describedBy || undefined}
    >
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            checked={value.includes(o.value)}
            onChange={(e) =>
              onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))
            }
          />
          {o.label}
        </label>
      ))}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {message && (
        <span id={`${id}-error`} className="field-error">
          {message}
        </span>
      )}
    </fieldset>
  );
}
