// Page updates that respect the user: re-rendering without wiping what is typed, and a field's
// refusal shown beside it.

import type { FieldError } from './ticket';

/**
 * Replaces `element`'s content with `html` only when it changed, keeping what the user typed in
 * its inputs and the cursor: a refresh never wipes a half-typed amount or swallows a click.
 */
export function replaceKeepingInput(element: HTMLElement, html: string) {
  if (element.dataset.rendered === html) return;
  const typed = Array.from(element.querySelectorAll('input')).filter((i) => i.id).map((i) => [i.id, i.value] as const);
  const active = document.activeElement;
  const focus = active instanceof HTMLInputElement && element.contains(active) ? { id: active.id, start: active.selectionStart, end: active.selectionEnd } : null;
  // A focused select (a keyboard user choosing) keeps the focus too; its value is in the HTML.
  const select = active instanceof HTMLSelectElement && element.contains(active) ? active.id : null;
  // A refusal shown at a field stays until the next action, not until the next price tick.
  const refusals = Array.from(element.querySelectorAll<HTMLElement>('.field-error')).map((note) => [note.previousElementSibling?.id ?? '', note.textContent ?? ''] as const);
  element.innerHTML = html;
  element.dataset.rendered = html;
  for (const [id, value] of typed) {
    const input = document.getElementById(id);
    if (input instanceof HTMLInputElement) input.value = value;
  }
  const input = focus ? document.getElementById(focus.id) : null;
  if (input instanceof HTMLInputElement) {
    input.focus();
    input.setSelectionRange(focus!.start, focus!.end);
  }
  if (select) document.getElementById(select)?.focus();
  for (const [field, message] of refusals) mark(field, message);
}

/** Shows `error` beside its field, which is marked invalid until the next action. */
export function markField(error: FieldError) {
  mark(error.field, error.message);
}

function mark(field: string, message: string) {
  const input = field ? document.getElementById(field) : null;
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  const note = document.createElement('span');
  note.className = 'field-error';
  note.dataset.testid = `error-${field}`;
  note.textContent = message;
  input.insertAdjacentElement('afterend', note);
}

/** Removes every refusal shown at a field (a new action starts clean). */
export function clearFieldErrors() {
  document.querySelectorAll('.field-error').forEach((e) => e.remove());
  document.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}
