// Moderation pages only: single-key shortcuts (documented on the page, switchable off and
// remembered in this browser, WCAG 2.1.4) and focus after the queue is filtered in place.
// Everything works without this file.
(() => {
  const STORAGE_KEY = 'mitsprache.moderation.shortcuts';
  // Loaded once; boosted navigations keep it, so every handler looks at the page it finds.
  if (window.mitspracheModeration) return;
  window.mitspracheModeration = true;

  const enabled = () => {
    try {
      return window.localStorage.getItem(STORAGE_KEY) !== 'off';
    } catch {
      return true;
    }
  };

  function setUpToggle() {
    const toggle = document.querySelector('[data-shortcuts-toggle]');
    if (!toggle || toggle.dataset.ready) return;
    toggle.dataset.ready = 'true';
    toggle.checked = enabled();
    toggle.closest('[hidden]')?.removeAttribute('hidden');
    toggle.addEventListener('change', () => {
      try {
        window.localStorage.setItem(STORAGE_KEY, toggle.checked ? 'on' : 'off');
      } catch {
        // Private mode without storage: the choice lasts for this page only.
      }
    });
  }

  const isField = (el) => el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(el.tagName));

  function follow(link) {
    if (!link) return;
    link.click();
  }

  /** j/k on the queue move between the rows' links. */
  function moveInQueue(step) {
    const links = [...document.querySelectorAll('[data-row-link]')];
    if (links.length === 0) return;
    const index = links.indexOf(document.activeElement);
    const next = links[Math.min(links.length - 1, Math.max(0, index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step))];
    next?.focus();
  }

  document.addEventListener('keydown', (event) => {
    const page = document.querySelector('[data-moderation]');
    if (!page || !enabled()) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || event.isComposing) return;
    if (isField(event.target)) return;
    const mode = page.getAttribute('data-moderation');
    const key = event.key;
    if (key === '?') {
      const help = document.getElementById('shortcuts');
      help?.scrollIntoView({ block: 'start' });
      help?.focus();
    } else if (key === 'j' || key === 'k') {
      if (mode === 'queue') moveInQueue(key === 'j' ? 1 : -1);
      else follow(document.querySelector(key === 'j' ? '[data-shortcut-next]' : '[data-shortcut-prev]'));
    } else if (key === 'a' && mode === 'item') {
      const approve = document.querySelector('[data-shortcut-approve]');
      if (!approve) return;
      approve.click();
    } else if (key === 'r' && mode === 'item') {
      const first = document.querySelector('#reject-reasons input[type="radio"]');
      if (!first) return;
      first.focus();
      first.scrollIntoView({ block: 'center' });
    } else {
      return;
    }
    event.preventDefault();
  });

  // The queue's filter swaps the list in place: tell screen readers where they are now.
  document.addEventListener('htmx:afterSwap', (event) => {
    if (event.detail?.target?.id === 'moderation-queue') document.getElementById('queue-status')?.focus();
    setUpToggle();
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setUpToggle);
  else setUpToggle();
})();
