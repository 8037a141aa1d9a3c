// Sorting pages only: takes the passage selected in a statement's text into the section field.
// Everything works without this file (the organiser copies and pastes the passage).
(() => {
  // Loaded once; boosted navigations keep it, so every handler looks at the page it finds.
  if (window.mitspracheSorting) return;
  window.mitspracheSorting = true;

  // The last selection made inside the text: clicking the button must not depend on the
  // selection surviving the click.
  let lastSelection = '';

  function selectedPassage() {
    const source = document.querySelector('[data-section-source]');
    const selection = window.getSelection();
    if (!source || !selection || selection.rangeCount === 0 || selection.isCollapsed) return '';
    const range = selection.getRangeAt(0);
    if (!source.contains(range.commonAncestorContainer)) return '';
    return selection.toString().trim();
  }

  document.addEventListener('selectionchange', () => {
    const passage = selectedPassage();
    if (passage) lastSelection = passage;
  });

  function setUp() {
    for (const button of document.querySelectorAll('[data-section-fill]')) {
      button.closest('[hidden]')?.removeAttribute('hidden');
    }
    lastSelection = '';
  }

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-section-fill]') : null;
    if (!button) return;
    const form = button.closest('form');
    const field = form?.querySelector('textarea');
    const status = form?.querySelector('[data-fill-status]');
    const passage = selectedPassage() || lastSelection;
    if (!field) return;
    if (!passage) {
      if (status) status.textContent = status.dataset.empty ?? '';
      return;
    }
    field.value = field.value.trim() ? `${field.value.trimEnd()}\n\n${passage}` : passage;
    if (status) status.textContent = status.dataset.done ?? '';
    field.focus();
  });

  document.addEventListener('DOMContentLoaded', setUp);
  document.addEventListener('htmx:afterSettle', setUp);
  if (document.readyState !== 'loading') setUp();
})();
