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
}

/** Shows `error` beside its field, which is marked invalid until the next action. */
export function markField(error: FieldError) {
  const input = document.getElementById(error.field);
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  const note = document.createElement('span');
  note.className = 'field-error';
  note.dataset.testid = `error-${error.field}`;
  note.textContent = error.message;
  input.insertAdjacentElement('afterend', note);
}

export function clearFieldErrors() {
  document.querySelectorAll('.field-error').forEach((e) => e.remove());
  document.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}
