// Staff page (admins): the staff accounts (add, change a role, disable,
// reset a password) and the audit trail, filterable by person and action,
// with a CSV download. admin.js shows the view and calls vrrecStaffView.
// Everything from the server reaches the page through textContent.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const ROLES = ['viewer', 'editor', 'admin'];

  async function call(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || 'The server answered ' + res.status);
    return data;
  }

  function td(content, cls) {
    const cell = document.createElement('td');
    if (cls) cell.className = cls;
    if (content instanceof Node) cell.appendChild(content);
    else cell.textContent = content;
    return cell;
  }

  function button(label, onclick, cls) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = cls || 'link';
    b.addEventListener('click', onclick);
    return b;
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : 'never');
  const say = (text) => { $('staff-message').textContent = text; };

  async function change(m, body, done) {
    try {
      await call('PATCH', '/api/admin/staff/' + encodeURIComponent(m.id), body);
      say(done);
    } catch (err) {
      say(err.message);
    }
    await Promise.all([loadStaff(), loadAudit()]);
  }

  async function loadStaff() {
    const { staff } = await call('GET', '/api/admin/staff');
    const body = $('staff-list').tBodies[0];
    body.replaceChildren();
    for (const m of staff) {
      const role = document.createElement('select');
      role.setAttribute('aria-label', `Role of ${m.email}`);
      for (const r of ROLES) role.appendChild(new Option(r, r, false, r === m.role));
      role.addEventListener('change', () => change(m, { role: role.value }, `${m.email} is now ${role.value}.`));
      const how = m.id === 'admin' ? 'ADMIN_PASSWORD_HASH' : m.sso ? 'single sign-on' : 'password';
      const actions = document.createElement('span');
      actions.append(button(m.disabled ? 'Enable' : 'Disable', () => change(m, { disabled: !m.disabled },
        `${m.email} is ${m.disabled ? 'enabled' : 'disabled: their sessions ended'}.`)));
      if (m.id !== 'admin') {
        actions.append(' ', button('Reset password', () => {
          $('reset-email').textContent = m.email;
          $('reset-form').dataset.id = m.id;
          $('reset-form').hidden = false;
          $('reset-password').focus();
        }));
      }
      const row = document.createElement('tr');
      row.dataset.email = m.email;
      row.append(td(m.email, 'mono'), td(m.name), td(role), td(how), td(when(m.last_sign_in)), td(m.disabled ? 'disabled' : 'active'), td(actions));
      body.appendChild(row);
    }
  }

  function auditQuery() {
    const q = new URLSearchParams();
    if ($('audit-actor').value.trim()) q.set('actor', $('audit-actor').value.trim().toLowerCase());
    if ($('audit-action').value) q.set('action', $('audit-action').value);
    return q;
  }

  async function loadAudit() {
    const q = auditQuery();
    const csv = new URLSearchParams(q);
    csv.set('format', 'csv');
    $('audit-csv').href = '/api/admin/audit?' + csv;
    q.set('limit', '200');
    const { entries } = await call('GET', '/api/admin/audit?' + q);
    const body = $('audit').tBodies[0];
    body.replaceChildren();
    if (!entries.length) {
      const row = document.createElement('tr');
      const cell = td('No staff actions match.', 'empty');
      cell.colSpan = 5;
      row.appendChild(cell);
      body.appendChild(row);
    }
    for (const a of entries) {
      const row = document.createElement('tr');
      const who = button(a.actor, () => { $('audit-actor').value = a.actor; loadAudit().catch((err) => say(err.message)); });
      who.title = 'Show only what this person did';
      row.append(td(new Date(a.time).toLocaleString()), td(who), td(a.action), td(a.detail || ''), td(a.ip, 'mono'));
      body.appendChild(row);
    }
  }

  $('staff-add').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      const m = await call('POST', '/api/admin/staff', { email: f.email.value, name: f.name.value, role: f.role.value, password: f.password.value });
      f.reset();
      say(`Added ${m.email} as ${m.role}.`);
    } catch (err) {
      say(err.message);
    }
    await Promise.all([loadStaff(), loadAudit()]);
  });

  $('reset-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      await call('POST', '/api/admin/staff/' + encodeURIComponent(f.dataset.id) + '/password', { password: $('reset-password').value });
      say(`New password set for ${$('reset-email').textContent}: their sessions ended.`);
      f.hidden = true;
    } catch (err) {
      say(err.message);
    }
    $('reset-password').value = '';
    await loadAudit();
  });
  $('reset-cancel').addEventListener('click', () => { $('reset-form').hidden = true; });

  $('audit-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    loadAudit().catch((err) => say(err.message));
  });
  $('audit-clear').addEventListener('click', () => {
    $('audit-actor').value = '';
    $('audit-action').value = '';
    loadAudit().catch((err) => say(err.message));
  });

  window.vrrecStaffView = () => Promise.all([loadStaff(), loadAudit()]);

  // The sign-in form offers single sign-on when the server has it.
  call('GET', '/api/auth/check').then((me) => { $('sso').hidden = !me.sso; }, () => {});
})();
