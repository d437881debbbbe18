import type { ReactNode } from 'react';
import { humanize } from './format.js';

export interface Option {
  value: string;
  label: string;
}

/** Enum values as options labelled in words (`FALSE_POSITIVE` → "False positive"). */
export const enumOptions = (values: readonly string[]): Option[] => values.map((value) => ({ value, label: humanize(value) }));

/**
 * A labelled `<select>` as the console's filter bars and forms use it. With `anyLabel`, an empty
 * first option stands for "no filter".
 */
export function SelectField({
  id,
  label,
  value,
  onChange,
  options,
  anyLabel,
  disabled,
  className,
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  anyLabel?: string;
  disabled?: boolean;
  className?: string;
}) {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {anyLabel !== undefined && <option value="">{anyLabel}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text input (`field` layout). */
export function TextField({
  id,
  label,
  value,
  onChange,
  placeholder,
  required,
  className,
  type = 'text',
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  required?: boolean;
  className?: string;
  type?: 'text' | 'search';
}) {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value} placeholder={placeholder} required={required} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
