// "What I know about you": the student's profile (what they told the chat
// about their studies), shown, edited and cleared on the chat page, and the
// welcome line naming apps new since their last visit. app.js calls the
// hooks below; everything reaches the page through textContent.
(() => {
  'use strict';

  const panel = document.getElementById('profile');
  const summary = document.getElementById('profile-summary');
  const form = document.getElementById('profile-form');
  const fields = {
    major: document.getElementById('profile-major'),
    year: document.getElementById('profile-year'),
    courses: document.getElementById('profile-courses'),
    interests: document.getElementById('profile-interests'),
  };
  const status = document.getElementById('profile-status');
  const empty = summary.cloneNode(true).childNodes;
  let chat = null; // { headers, errorOf, addBot } from app.js

  function list(s) {
    return s.split(',').map((x) => x.trim()).filter(Boolean);
  }

  // show puts a profile on the panel: a sentence of what is known, and the
  // fields to edit it.
  function show(p) {
    p = p || {};
    const parts = [];
    if (p.major) parts.push('You study ' + p.major + '.');
    if (p.year) parts.push('Year: ' + p.year + '.');
    if (p.courses && p.courses.length) parts.push('Courses: ' + p.courses.join(', ') + '.');
    if (p.interests && p.interests.length) parts.push('Interests: ' + p.interests.join(', ') + '.');
    if (parts.length) summary.textContent = parts.join(' ');
    else summary.replaceChildren(...Array.from(empty, (n) => n.cloneNode(true)));
    panel.dataset.known = parts.length ? 'true' : 'false';
    fields.major.value = p.major || '';
    fields.year.value = p.year || '';
    fields.courses.value = (p.courses || []).join(', ');
    fields.interests.value = (p.interests || []).join(', ');
  }

  async function call(method, body) {
    const res = await fetch('/api/profile', {
      method, headers: chat.headers(), credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw await chat.errorOf(res);
    return (await res.json()).profile;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      show(await call('PUT', {
        major: fields.major.value, year: fields.year.value,
        courses: list(fields.courses.value), interests: list(fields.interests.value),
      }));
      status.textContent = 'Saved.';
    } catch (err) {
      status.textContent = 'Not saved: ' + err.message;
    }
  });
  document.getElementById('profile-clear').addEventListener('click', async () => {
    try {
      show(await call('DELETE'));
      status.textContent = 'Cleared: I no longer know what you study.';
    } catch (err) {
      status.textContent = 'Not cleared: ' + err.message;
    }
  });

  window.vrrecProfile = {
    init(c) { chat = c; },
    // A reply that changed the profile ("I'm a nursing student") shows it.
    reply(reply) {
      if (reply.profile) {
        show(reply.profile);
        status.textContent = '';
      }
    },
    // After "Forget my conversations" nothing is known.
    forgot() {
      show(null);
      status.textContent = '';
    },
    // welcome records the visit, shows the profile and, once, what is new
    // since the last visit as the conversation's latest line.
    async welcome() {
      try {
        const res = await fetch('/api/visit', { method: 'POST', headers: chat.headers(), body: '{}', credentials: 'same-origin' });
        if (!res.ok) return;
        const w = await res.json();
        show(w.profile);
        if (w.message) {
          chat.addBot({ response: w.message, apps: [], intent: 'greeting' });
          document.getElementById('log').lastElementChild.classList.add('welcome');
        }
      } catch (_) {
        // The profile is a convenience; the chat works without it.
      }
    },
  };
})();
