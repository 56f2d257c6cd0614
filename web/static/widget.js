// VR App Advisor widget. Paste on any page of an allowed site:
//   <script src="https://ADVISOR-HOST/widget.js" defer></script>
// It adds a button that opens the chat in a frame served by ADVISOR-HOST
// (the host must list the site in WIDGET_ALLOWED_ORIGINS). Styles are set
// through the DOM, so the host page needs no stylesheet and no inline script.
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || window.__vrrecWidget) return;
  window.__vrrecWidget = true;
  const origin = new URL(script.src, location.href).origin;

  const frame = document.createElement('iframe');
  frame.src = origin + '/embed';
  frame.title = 'VR App Advisor chat';
  frame.hidden = true;
  Object.assign(frame.style, {
    position: 'fixed', right: '1rem', bottom: '4.5rem', width: 'min(400px, calc(100vw - 2rem))',
    height: 'min(600px, calc(100vh - 6rem))', border: '1px solid #d8dce8', borderRadius: '12px',
    boxShadow: '0 8px 24px rgba(0,0,0,.18)', background: '#fff', zIndex: '2147483646',
  });

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Ask about VR apps';
  button.setAttribute('aria-expanded', 'false');
  Object.assign(button.style, {
    position: 'fixed', right: '1rem', bottom: '1rem', padding: '.7rem 1rem', borderRadius: '999px',
    border: 'none', background: '#3553d6', color: '#fff', font: '600 15px system-ui, sans-serif',
    cursor: 'pointer', zIndex: '2147483647', boxShadow: '0 4px 12px rgba(0,0,0,.2)',
  });
  button.addEventListener('click', () => {
    frame.hidden = !frame.hidden;
    button.setAttribute('aria-expanded', String(!frame.hidden));
    button.textContent = frame.hidden ? 'Ask about VR apps' : 'Close advisor';
    if (!frame.hidden) frame.focus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !frame.hidden) button.click();
  });

  document.body.append(frame, button);
})();
