// Labelled form controls with their error text right below, tied together with aria-describedby and
// aria-invalid so the error is read with the field.
import { html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { focusAfterRender } from '../focus-later.js';

interface Base {
  /** Element id; the error element is `${id}-error`, the hint `${id}-hint`. */
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  disabled?: boolean;
}

export interface TextFieldProps extends Base {
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'number' | 'password' | 'search';
  inputmode?: 'numeric' | 'decimal' | 'text';
  placeholder?: string;
  autocomplete?: string;
  /** For number fields: shown by the browser, still validated by us. */
  min?: number;
  max?: number;
  step?: number | 'any';
}

function describedBy(p: Base): string {
  return [p.hint ? `${p.id}-hint` : '', `${p.id}-error`].filter(Boolean).join(' ');
}

function extras(p: Base) {
  return html`${p.hint ? html`<span class="hint" id="${p.id}-hint">${p.hint}</span>` : nothing}<span
      class="error"
      id="${p.id}-error"
      >${p.error ?? ''}</span
    >`;
}

/** A single-line input with label, hint and error. */
export function textField(p: TextFieldProps) {
  return html`<div class="field">
    <label for=${p.id}>${p.label}</label>
    <input
      id=${p.id}
      name=${p.id}
      type=${p.type ?? 'text'}
      inputmode=${p.inputmode ?? nothing}
      placeholder=${p.placeholder ?? nothing}
      autocomplete=${p.autocomplete ?? 'off'}
      min=${p.min ?? nothing}
      max=${p.max ?? nothing}
      step=${p.step ?? nothing}
      spellcheck="false"
      ?disabled=${p.disabled ?? false}
      .value=${live(p.value)}
      aria-invalid=${p.error ? 'true' : 'false'}
      aria-describedby=${describedBy(p)}
      @input=${(e: Event) => p.onInput((e.target as HTMLInputElement).value)}
    />
    ${extras(p)}
  </div>`;
}

export interface TextAreaProps extends Base {
  value: string;
  onInput: (value: string) => void;
  placeholder?: string;
  rows?: number;
}

/** A multi-line input (PEM text) with label, hint and error. */
export function textArea(p: TextAreaProps) {
  return html`<div class="field">
    <label for=${p.id}>${p.label}</label>
    <textarea
      id=${p.id}
      name=${p.id}
      rows=${p.rows ?? 6}
      spellcheck="false"
      placeholder=${p.placeholder ?? nothing}
      ?disabled=${p.disabled ?? false}
      .value=${live(p.value)}
      aria-invalid=${p.error ? 'true' : 'false'}
      aria-describedby=${describedBy(p)}
      @input=${(e: Event) => p.onInput((e.target as HTMLTextAreaElement).value)}
    ></textarea>
    ${extras(p)}
  </div>`;
}

export interface CheckFieldProps extends Base {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

/** A checkbox with its label to the right, hint and error below. */
export function checkField(p: CheckFieldProps) {
  return html`<div class="field">
    <label class="check" for=${p.id}>
      <input
        id=${p.id}
        name=${p.id}
        type="checkbox"
        ?disabled=${p.disabled ?? false}
        .checked=${live(p.checked)}
        aria-invalid=${p.error ? 'true' : 'false'}
        aria-describedby=${describedBy(p)}
        @change=${(e: Event) => p.onChange((e.target as HTMLInputElement).checked)}
      />
      ${p.label}
    </label>
    ${extras(p)}
  </div>`;
}

/** Moves focus to the first invalid control inside `root` (after a failed submit). */
export function focusFirstInvalid(root: ParentNode = document): void {
  focusAfterRender(() => root.querySelector<HTMLElement>('[aria-invalid="true"]'));
}
