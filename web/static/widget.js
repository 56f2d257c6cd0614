// VR App Advisor widget. Paste on any page of an allowed site:
//   <script src="https://ADVISOR-HOST/widget.js" defer></script>
// On a course's page, name the course: the chat then opens with the
// course's apps, and questions with no topic of their own are read for it:
//   <script src="https://ADVISOR-HOST/widget.js" data-course="15-112" defer></script>
// A course the catalog lacks is reported in this page's console.
// It adds a button that opens the chat in a frame served by ADVISOR-HOST
// (the host must list the site in WIDGET_ALLOWED_ORIGINS). Styles are set
// through the DOM, so the host page needs no stylesheet and no inline script.
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || window.__vrrecWidget) return;
  window.__vrrecWidget = true;
  const origin = new URL(script.src, location.href).origin;
  const course = (script.dataset.course || '').trim();
  if (course && !/^[0-9]{2}-[0-9]{3}$/.test(course)) {
    console.warn('VR App Advisor: data-course="' + course + '" is not a course number such as 15-112.');
  }

  const frame = document.createElement('iframe');
  frame.src = origin + '/embed' + (course ? '?course=' + encodeURIComponent(course) : '');
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
    if (!frame.hidden) {
      frame.focus();
      shown();
    }
  });
  // The chat opens the page's course once the student first opens it: it
  // is told so now, and again when it has loaded (it may load later).
  const shown = () => frame.contentWindow && frame.contentWindow.postMessage({ type: 'vrrec:shown' }, origin);
  frame.addEventListener('load', () => { if (!frame.hidden) shown(); });
  // The frame reports a course the catalog lacks: said to the instructor.
  window.addEventListener('message', (e) => {
    if (e.origin === origin && e.source === frame.contentWindow && e.data && e.data.type === 'vrrec:course-error') {
      console.warn('VR App Advisor: ' + e.data.error);
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !frame.hidden) button.click();
  });

  document.body.append(frame, button);
})();
