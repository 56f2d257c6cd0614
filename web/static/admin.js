// Staff pages: dashboard, data management, configuration. Everything that
// came from a student, a model or a file (queries, replies, job logs, import
// problems) reaches the page through textContent and createElement, never
// innerHTML, so it stays text.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const VIEWS = { '/admin': 'dashboard', '/admin/data': 'data', '/admin/config': 'config', '/admin/staff': 'staff' };
  const view = VIEWS[location.pathname.replace(/\/+$/, '')] || 'dashboard';
  const PAGE = 20;

  class HttpError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body || {};
    }
  }

  // api calls the staff API; a 401 shows the login form.
  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (err) {
      throw new HttpError(0, 'The server could not be reached. Check the connection and try again.');
    }
    let data = {};
    try {
      data = await res.json();
    } catch (err) {
      data = {};
    }
    if (res.status === 401 && data.login_required) {
      showLogin();
    }
    if (!res.ok) {
      throw new HttpError(res.status, data.error || 'The server answered ' + res.status, data);
    }
    return data;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function notice(message) {
    const n = $('notice');
    n.textContent = message || '';
    n.hidden = !message;
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '–');
  const ms = (v) => {
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
    return (v < 10 ? v.toFixed(1) : Math.round(v)) + ' ms';
  };
  const took = (a, b) => (a && b ? ms(new Date(b) - new Date(a)) : '–');

  // ---- Login ------------------------------------------------------------

  function showLogin() {
    for (const section of document.querySelectorAll('section[id^="view-"]')) section.hidden = true;
    $('nav').hidden = true;
    $('login').hidden = false;
    stopPolling();
    $('password').focus();
    document.body.dataset.ready = 'login';
  }

  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = $('login-button');
    button.disabled = true;
    $('login-error').textContent = '';
    try {
      await api('POST', '/api/auth/login', { email: $('email').value, password: $('password').value });
      $('password').value = '';
      $('login').hidden = true;
      await show();
    } catch (err) {
      $('login-error').textContent = err.message;
      document.body.dataset.ready = 'login';
    } finally {
      button.disabled = false;
    }
  });

  $('logout').addEventListener('click', async () => {
    try {
      await api('POST', '/api/auth/logout', {});
    } finally {
      showLogin();
    }
  });

  // ---- Charts -----------------------------------------------------------

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function noData(container, counts) {
    clear(container);
    if (!counts || counts.length === 0 || counts.every((c) => c.count === 0)) {
      container.appendChild(el('p', { class: 'empty' }, 'No data yet.'));
      return true;
    }
    return false;
  }

  // columnChart draws counts over time as columns, labelling a few.
  function columnChart(container, counts, describe) {
    if (noData(container, counts)) return;
    const W = 520, H = 170, left = 34, right = 16, labelEvery = Math.ceil(counts.length / 6);
    const maxCount = Math.max(...counts.map((c) => c.count), 1);
    const slot = (W - left - right) / counts.length;
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H + 26}`, role: 'img', 'aria-label': describe, class: 'bars' });
    chart.appendChild(svg('text', { x: left - 6, y: 12, class: 'axis', 'text-anchor': 'end' }, String(maxCount)));
    chart.appendChild(svg('text', { x: left - 6, y: H, class: 'axis', 'text-anchor': 'end' }, '0'));
    chart.appendChild(svg('line', { x1: left, y1: H, x2: W - right, y2: H, class: 'baseline' }));
    counts.forEach((c, i) => {
      const h = Math.max(Math.round((c.count / maxCount) * (H - 8)), c.count ? 1 : 0);
      const x = left + i * slot + Math.min(slot * 0.15, 8);
      const width = Math.max(slot - 2 * Math.min(slot * 0.15, 8), 1);
      const bar = svg('rect', { x, y: H - h, width, height: h, class: 'bar' });
      bar.appendChild(svg('title', {}, `${c.key}: ${c.count}`));
      chart.appendChild(bar);
      if (i % labelEvery === 0) {
        // "2026-11-25" -> "11-25"; the year is in each bar's tooltip.
        const label = /^\d{4}-\d{2}-\d{2}$/.test(c.key) ? c.key.slice(5) : c.key;
        chart.appendChild(svg('text', { x: x + width / 2, y: H + 18, class: 'axis', 'text-anchor': 'middle' }, label));
      }
    });
    container.appendChild(chart);
  }

  // rowChart draws labelled horizontal bars with their counts.
  function rowChart(container, counts, describe) {
    if (noData(container, counts)) return;
    const W = 520, row = 22, left = 96, right = 44;
    const maxCount = Math.max(...counts.map((c) => c.count), 1);
    const chart = svg('svg', { viewBox: `0 0 ${W} ${counts.length * row + 4}`, role: 'img', 'aria-label': describe, class: 'bars' });
    counts.forEach((c, i) => {
      const y = i * row + 2;
      const width = Math.round((c.count / maxCount) * (W - left - right));
      chart.appendChild(svg('text', { x: left - 8, y: y + 15, class: 'axis', 'text-anchor': 'end' }, c.key));
      const bar = svg('rect', { x: left, y: y + 3, width: Math.max(width, c.count ? 1 : 0), height: row - 6, class: 'bar' });
      bar.appendChild(svg('title', {}, `${c.key}: ${c.count}`));
      chart.appendChild(bar);
      chart.appendChild(svg('text', { x: left + width + 6, y: y + 15, class: 'axis' }, String(c.count)));
    });
    container.appendChild(chart);
  }

  function countList(list, counts, label) {
    clear(list);
    if (!counts || counts.length === 0) {
      list.appendChild(el('li', { class: 'empty' }, 'None yet.'));
      return;
    }
    for (const c of counts) list.appendChild(el('li', {}, el('span', {}, c.key ? (label ? label(c.key) : c.key) : '(none)'), el('span', { class: 'count' }, c.count)));
  }

  // App names of the served catalog by id, from the staff API's
  // app_names: staff read "Gravity Sketch (gravity-sketch)", not a slug.
  const appNames = {};
  const appLabel = (id) => (appNames[id] ? `${appNames[id]} (${id})` : id);

  // ---- Dashboard --------------------------------------------------------

  let logOffset = 0;
  let logUser = '';
  let logs = [];

  // everyDay fills the days without interactions between the first and
  // the last with zero, so the chart's spacing is time.
  function everyDay(counts) {
    if (!counts || counts.length < 2) return counts;
    const byDay = new Map(counts.map((c) => [c.key, c.count]));
    const out = [];
    const end = new Date(counts[counts.length - 1].key + 'T00:00:00Z');
    for (let d = new Date(counts[0].key + 'T00:00:00Z'); d <= end && out.length < 4000; d.setUTCDate(d.getUTCDate() + 1)) {
      const key = d.toISOString().slice(0, 10);
      out.push({ key, count: byDay.get(key) || 0 });
    }
    return out;
  }

  async function loadStats() {
    const s = await api('GET', '/api/admin/stats' + period());
    $('stat-total').textContent = s.total_interactions;
    $('stat-users').textContent = s.unique_users;
    $('stat-avg').textContent = ms(s.avg_latency_ms);
    $('stat-p95').textContent = ms(s.p95_latency_ms);
    columnChart($('chart-days'), everyDay(s.interactions_per_day), 'Interactions per day');
    rowChart($('chart-latency'), s.latency_distribution, 'Answers per latency range');
    countList($('intents'), s.popular_intents);
    Object.assign(appNames, s.app_names || {});
    countList($('top-apps'), s.most_recommended_apps, appLabel);
    // Days whose rows were deleted (retention, a forgotten student) are
    // counted from their daily summaries.
    const n = s.summarized_days || 0;
    $('summarized').hidden = n === 0;
    $('summarized').textContent = n === 0 ? '' : `${n} ${n === 1 ? 'day' : 'days'} of this period include interactions that were deleted ` +
      '(retention, or a student asked to be forgotten): they are counted from daily totals, and unique users there once per day.';
  }

  async function loadLogs() {
    const q = new URLSearchParams({ limit: PAGE, offset: logOffset });
    if (logUser) q.set('user_id', logUser);
    const page = await api('GET', '/api/admin/logs?' + q);
    Object.assign(appNames, page.app_names || {});
    logs = page.logs || [];
    const body = clear($('logs').tBodies[0]);
    if (logs.length === 0) {
      body.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, logUser ? 'No interactions of this user.' : 'No interactions yet.')));
    }
    logs.forEach((it, i) => {
      body.appendChild(el('tr', {},
        el('td', {}, when(it.timestamp)),
        // The whole id: selectable to copy, a click shows only this user.
        el('td', { class: 'user' }, it.user_id ? el('button', { type: 'button', class: 'link mono user-id', title: 'Show only this user',
          onclick: () => filterUser(it.user_id) }, it.user_id) : '–'),
        el('td', { class: 'query' }, it.query),
        el('td', {}, it.intent),
        el('td', {}, String((it.recommended_apps || []).length)),
        el('td', {}, ms(it.latency_ms)),
        el('td', {}, el('button', { type: 'button', class: 'link', 'data-index': i, onclick: () => openDetail(it) }, 'Details'))));
    });
    // Export and Delete only for an id that has something stored: a
    // mistyped or partial id matches no one.
    $('student').hidden = !logUser || page.total === 0;
    $('student-id').textContent = logUser;
    $('student-none').hidden = !logUser || page.total > 0;
    $('student-none').textContent = logUser && page.total === 0
      ? `No interactions are stored for the user id "${logUser}": nothing to export or delete. Paste the whole id, or click one in the log.` : '';
    const last = Math.min(logOffset + logs.length, page.total);
    $('page-info').textContent = page.total === 0 ? '0 of 0' : `${logOffset + 1}–${last} of ${page.total}`;
    $('prev').disabled = logOffset === 0;
    $('next').disabled = last >= page.total;
  }

  function period() {
    const days = $('period').value;
    return days ? '?days=' + encodeURIComponent(days) : '';
  }

  function voteRow(h, withAsked) {
    const cells = [el('td', {}, h.name ? `${h.name} (${h.key})` : h.key), el('td', {}, h.helpful), el('td', {}, h.not_helpful)];
    if (withAsked) cells.push(el('td', {}, h.not_what_i_asked));
    return el('tr', {}, ...cells);
  }

  // What changed answers (adjusted_by) against plain answers: how many
  // and their votes. Kinds the page does not know show by their key.
  const PERSONALISED = {
    profile: 'From the student\'s profile', course: 'With the course page\'s course', votes: 'Ranked by the student\'s votes',
    plain: 'Plain (not personalised)',
  };
  function personalisation(rows) {
    const body = clear($('feedback-personal').tBodies[0]);
    const plain = rows.find((r) => r.key === 'plain');
    const all = rows.reduce((n, r) => n + r.answers, 0);
    for (const r of rows) {
      const share = r.key !== 'plain' && all ? ` (${Math.round((100 * r.answers) / all)}%)` : '';
      body.appendChild(el('tr', {}, el('th', { scope: 'row' }, PERSONALISED[r.key] || r.key), el('td', {}, `${r.answers}${share}`),
        el('td', {}, r.helpful), el('td', {}, r.not_helpful), el('td', {}, r.not_what_i_asked)));
    }
    if (!rows.length || (!all && !plain)) body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No answers yet.')));
  }

  async function loadFeedback() {
    const f = await api('GET', '/api/admin/feedback' + period());
    $('feedback-total').textContent = f.votes === 1 ? '1 vote' : f.votes + ' votes';
    const fill = (table, rows, cols, withAsked) => {
      const body = clear(table.tBodies[0]);
      if (!rows.length) body.appendChild(el('tr', {}, el('td', { colspan: cols, class: 'empty' }, 'No votes yet.')));
      for (const h of rows) body.appendChild(voteRow(h, withAsked));
    };
    fill($('feedback-apps'), f.apps || [], 3, false);
    fill($('feedback-topics'), f.topics || [], 4, true);
    const flagged = clear($('feedback-flagged'));
    if (!(f.most_not_helpful || []).length) flagged.appendChild(el('li', { class: 'empty' }, 'None yet.'));
    for (const u of f.most_not_helpful || []) {
      const qs = el('ul', { class: 'questions' }, ...(u.questions || []).map((q) => el('li', {}, q)));
      flagged.appendChild(el('li', {}, el('span', {}, `${u.name ? `${u.name} (${u.app_id})` : u.app_id}: ${u.not_helpful} not helpful`), qs));
    }
    personalisation(f.personalisation || []);
    const nwia = clear($('feedback-nwia'));
    if (!(f.not_what_i_asked || []).length) nwia.appendChild(el('li', { class: 'empty' }, 'None yet.'));
    for (const q of f.not_what_i_asked || []) nwia.appendChild(el('li', {}, q));
  }

  function trend(counts) {
    const max = Math.max(1, ...counts.map((c) => c.count));
    const box = el('span', { class: 'trend', role: 'img', 'aria-label': counts.map((c) => `${c.key}: ${c.count}`).join(', ') });
    for (const c of counts.slice(-60)) {
      const bar = el('span', { title: `${c.key}: ${c.count}` });
      bar.style.height = Math.round((c.count / max) * 100) + '%';
      box.appendChild(bar);
    }
    return box;
  }

  async function loadDemand() {
    $('demand-csv').href = '/api/admin/demand' + (period() ? period() + '&' : '?') + 'format=csv';
    $('demand-message').textContent = '';
    const d = await api('GET', '/api/admin/demand' + period());
    const body = clear($('demand').tBodies[0]);
    if (!(d.topics || []).length) body.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'Nothing unmet in this period.')));
    for (const t of d.topics || []) {
      body.appendChild(el('tr', {},
        el('td', { class: 'query' }, t.topic),
        el('td', {}, t.count),
        el('td', {}, t.students),
        el('td', {}, t.nothing_fits),
        el('td', {}, trend(t.trend || [])),
        el('td', { class: 'query' }, (t.examples || []).join(' · ')),
        el('td', {}, el('button', { type: 'button', class: 'link', 'data-add-topic': '', onclick: (e) => proposeTopic(e.target.closest('tr'), t.topic),
          'aria-label': `Search the web for apps about ${t.topic}` }, 'Add to app search'))));
    }
  }

  // cleanTopic turns a student's question into a search topic to propose:
  // no asking words, filler or punctuation ("my wine tasting class lol"
  // becomes "wine tasting"). Staff edit it before it is saved.
  function cleanTopic(question) {
    const filler = new Set(['i', 'im', "i'm", 'me', 'my', 'we', 'our', 'a', 'an', 'the', 'want', 'wanna', 'need', 'to', 'learn', 'learning',
      'study', 'studying', 'practice', 'practise', 'about', 'for', 'with', 'some', 'any', 'app', 'apps', 'vr', 'game', 'games', 'class', 'classes',
      'course', 'courses', 'lol', 'pls', 'please', 'plz', 'help', 'how', 'do', 'can', 'is', 'there', 'are', 'what', 'which', 'good', 'best',
      'recommend', 'recommendations', 'something', 'stuff', 'thing', 'things', 'of', 'on', 'in', 'get', 'better', 'at', 'like', 'really', 'tho', 'haha']);
    const words = question.toLowerCase().replace(/[^\p{L}\p{N}'\s-]+/gu, ' ').split(/\s+/).filter(Boolean);
    const kept = words.filter((w) => !filler.has(w.replace(/'/g, '')) && !filler.has(w));
    return (kept.length ? kept : words).join(' ').replace(/'/g, '').trim();
  }

  // proposeTopic opens, under a demand row, the topic to add to the app
  // search, cleaned and editable; nothing is saved until staff save it.
  function proposeTopic(row, topic) {
    for (const open of document.querySelectorAll('#demand tr.propose')) open.remove();
    const input = el('input', { id: 'topic-edit', 'aria-label': 'App search topic', maxlength: '120' });
    input.value = cleanTopic(topic);
    const save = el('button', { type: 'button', id: 'topic-save' }, 'Save topic');
    const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const editor = el('tr', { class: 'propose' }, el('td', { colspan: 7 },
      el('label', { for: 'topic-edit' }, `Topic to search the web for, from “${topic}”: `), input, ' ', save, ' ', cancel));
    cancel.addEventListener('click', () => editor.remove());
    save.addEventListener('click', async () => {
      const value = input.value.trim();
      if (!value) {
        $('demand-message').textContent = 'Write a topic to search for.';
        return;
      }
      try {
        await addSearchTopic(value);
        editor.remove();
      } catch (err) {
        fail(err);
      }
    });
    row.after(editor);
    input.focus();
  }

  // addSearchTopic adds a demand topic to APP_SEARCH_TOPICS, which the
  // "Search the web for apps" job on the data page searches.
  async function addSearchTopic(topic) {
    const { added } = await api('POST', '/api/admin/demand/topics', { topic });
    if (!added) {
      $('demand-message').textContent = `"${topic}" is already an app search topic.`;
      return;
    }
    // Say whether the job can run now, and if not why, here on the page.
    let job = 'run "Search the web for apps" on the data page.';
    try {
      const src = ((await api('GET', '/api/admin/data/status')).sources || {}).search_apps;
      if (src && !src.ready) job = `"Search the web for apps" cannot run yet: ${src.about}`;
    } catch (err) {
      job = 'the data page runs "Search the web for apps".';
    }
    $('demand-message').textContent = `"${topic}" added to the app search topics; ${job}`;
  }

  let labeling = null;

  function labelRows(it) {
    const body = clear($('label-apps'));
    (it.recommended_apps || []).forEach((id, i) => {
      const name = 'grade-' + i;
      const radio = (grade, checked) => el('td', {}, el('input', Object.assign({ type: 'radio', name, value: grade, 'data-app': id,
        'aria-label': `${id}: ${grade}` }, checked ? { checked: '' } : {})));
      body.appendChild(el('tr', {}, el('td', {}, appLabel(id)), radio('relevant'), radio('acceptable'), radio('none', true)));
    });
    if (!(it.recommended_apps || []).length) body.appendChild(el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'No apps were shown: saving records that nothing fits.')));
  }

  $('label-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!labeling) return;
    const relevant = [];
    const acceptable = [];
    for (const input of $('label-apps').querySelectorAll('input[type=radio]:checked')) {
      if (input.value === 'relevant') relevant.push(input.dataset.app);
      if (input.value === 'acceptable') acceptable.push(input.dataset.app);
    }
    $('label-message').textContent = 'Saving…';
    try {
      await api('POST', '/api/admin/labeled-queries', { query: labeling.query, relevant, acceptable, interaction_id: labeling.id });
      $('label-message').textContent = `Saved: ${relevant.length} relevant, ${acceptable.length} acceptable.`;
    } catch (err) {
      $('label-message').textContent = err.message;
    }
  });

  function openDetail(it) {
    labeling = it;
    labelRows(it);
    $('label-message').textContent = '';
    const fields = clear($('detail-fields'));
    const add = (k, v) => fields.append(el('dt', {}, k), el('dd', {}, v === undefined || v === '' ? '–' : String(v)));
    add('Time', when(it.timestamp));
    add('Query', it.query);
    add('Intent', it.intent);
    add('Recommended apps', (it.recommended_apps || []).map(appLabel).join(', '));
    add('Latency', ms(it.latency_ms));
    add('User', it.user_id);
    add('Session', it.session_id);
    add('Source', it.source);
    add('Id', it.id);
    $('detail-reply').textContent = it.response || '';
    $('detail-user').onclick = () => {
      $('detail').close();
      filterUser(it.user_id || '');
    };
    $('detail').showModal();
  }

  function filterUser(id) {
    $('filter-user').value = id;
    logUser = id;
    logOffset = 0;
    $('student-status').textContent = '';
    loadLogs().catch(fail);
  }

  // Staff export or delete everything stored about one student identity.
  $('student-export').addEventListener('click', async () => {
    try {
      const data = await api('GET', '/api/admin/students/' + encodeURIComponent(logUser));
      const a = el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })),
        download: 'student-' + logUser.slice(0, 36) + '.json' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      $('student-status').textContent = 'Exported. The export is recorded in the staff actions.';
    } catch (err) {
      fail(err);
    }
  });
  $('student-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(logUser);
      $('student-status').textContent = 'User id copied.';
    } catch (err) {
      $('student-status').textContent = 'Copying is not allowed here: select the id and copy it.';
    }
  });
  $('student-delete').addEventListener('click', () => {
    $('student-confirm-id').textContent = logUser;
    $('student-confirm').returnValue = '';
    $('student-confirm').showModal();
  });
  $('student-confirm').addEventListener('close', async () => {
    if ($('student-confirm').returnValue !== 'delete') return;
    const id = logUser;
    try {
      const out = await api('DELETE', '/api/admin/students/' + encodeURIComponent(id));
      const r = out.removed || {};
      $('student-status').textContent = `Deleted: ${r.interactions || 0} interactions, ${r.messages || 0} messages.`;
      await Promise.all([loadStats(), loadLogs()]);
    } catch (err) {
      fail(err);
    }
  });

  // The usage reports fail on their own (the sentence model may be down):
  // each says so in its section, the rest of the dashboard stays.
  function loadUsage() {
    const inSection = (id) => (err) => {
      if (err.status !== 401) $(id).textContent = err.message;
    };
    return Promise.all([loadFeedback().catch(inSection('feedback-total')), loadDemand().catch(inSection('demand-message'))]);
  }

  $('period').addEventListener('change', () => Promise.all([loadStats(), loadUsage(), window.vrrecCourses.answers($('period').value)]).catch(fail));

  $('log-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    filterUser($('filter-user').value.trim());
  });
  $('filter-clear').addEventListener('click', () => filterUser(''));
  $('prev').addEventListener('click', () => { logOffset = Math.max(0, logOffset - PAGE); loadLogs().catch(fail); });
  $('next').addEventListener('click', () => { logOffset += PAGE; loadLogs().catch(fail); });

  // loadSpend shows the language model's spend per day, from the usage its
  // API reported, beside the daily budget; from 80 % a notice says what
  // happens past it.
  async function loadSpend() {
    const n = (v) => Number(v).toLocaleString('en-US');
    let r;
    try {
      r = await api('GET', '/api/admin/llm-spend?days=14');
    } catch (err) {
      if (err.status !== 401) $('llm-budget').textContent = err.message;
      return;
    }
    const b = r.budget || {};
    const limits = [b.tokens ? `${n(b.tokens)} tokens` : '', b.calls ? `${n(b.calls)} calls` : ''].filter(Boolean).join(' and ');
    $('llm-budget').textContent = (limits ? `Daily budget: ${limits} (LLM_DAILY_TOKENS, LLM_DAILY_CALLS on the configuration page). ` : 'No daily budget is set (LLM_DAILY_TOKENS, LLM_DAILY_CALLS on the configuration page). ') +
      `Today: ${n(r.today.calls)} calls, ${n(r.today.tokens)} tokens${limits ? ` (${Math.round(r.used * 100)} % of the budget)` : ''}.` +
      (b.price_input || b.price_output ? '' : ' Set LLM_PRICE_INPUT and LLM_PRICE_OUTPUT to see the cost.');
    showAnswers(r.answers);
    const note = $('llm-notice');
    note.hidden = !r.notice;
    note.textContent = r.spent
      ? 'Today\'s LLM budget is spent: answers come from retrieval alone, and say so, until the next day (UTC).'
      : r.notice ? `${Math.round(r.used * 100)} % of today's LLM budget is spent: past it, answers come from retrieval alone until the next day (UTC).` : '';
    const body = clear($('llm-spend').tBodies[0]);
    if (!r.days.length) body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No calls to the language model in the last 14 days.')));
    for (const d of [...r.days].reverse()) {
      body.appendChild(el('tr', {}, el('td', {}, d.day), el('td', {}, n(d.calls)), el('td', {}, n(d.prompt_tokens)), el('td', {}, n(d.completion_tokens)),
        el('td', {}, d.cost_usd === undefined ? '–' : '$' + d.cost_usd.toFixed(4))));
    }
  }

  // showAnswers says how the model's answers came, since this instance
  // started: in time (and how often they changed the picks retrieval
  // showed first), late or failed (retrieval's answer stood).
  function showAnswers(a) {
    const line = $('llm-answers');
    line.hidden = !a;
    if (!a) return;
    const total = a.in_time + a.late + a.failed;
    const pct = (n, of) => (of ? Math.round((n / of) * 100) : 0) + ' %';
    line.textContent = total
      ? `Since this instance started, the model's answer came in time for ${a.in_time} of ${total} answers (${pct(a.in_time, total)}) and changed the picks in ${a.changed_picks} (${pct(a.changed_picks, a.in_time)} of those in time); ` +
        `${a.late} came too late and ${a.failed} failed, and those were answered from retrieval alone.`
      : 'The model has not been asked since this instance started.';
  }

  async function showDashboard() {
    await Promise.all([loadStats(), loadUsage(), loadLogs(), loadSpend(), window.vrrecCourses.answers($('period').value)]);
  }

  // ---- Data -------------------------------------------------------------

  let pollTimer = 0;
  let watching = '';

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = 0;
    watching = '';
  }

  function renderCounts(counts) {
    const tiles = clear($('data-counts'));
    const names = { courses: 'Courses', apps: 'VR apps', skills: 'Skills', course_skills: 'Course–skill links', app_skills: 'App–skill links' };
    for (const [k, label] of Object.entries(names)) {
      tiles.appendChild(el('div', { class: 'tile' }, el('span', { class: 'label' }, label), el('span', { class: 'value', id: 'count-' + k }, counts[k] ?? '–')));
    }
  }

  function renderGraph(graph) {
    if (!graph) return;
    $('data-graph').textContent = [graph.backend, graph.state].filter(Boolean).join(', ');
    const stats = graph.stats;
    $('graph-stats').hidden = !stats;
    if (!stats) return;
    const panels = clear($('graph-panels'));
    const human = (k) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    const numbers = el('dl', { class: 'numbers' });
    for (const [k, v] of Object.entries(stats)) {
      if (typeof v === 'number') numbers.append(el('dt', {}, human(k)), el('dd', {}, v));
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'number') numbers.append(el('dt', {}, human(k2)), el('dd', {}, v2));
      }
    }
    panels.appendChild(el('div', { class: 'panel' }, el('h3', {}, 'Nodes and edges'), numbers));
    for (const [k, v] of Object.entries(stats)) {
      if (!Array.isArray(v)) continue;
      const list = el('ol', { class: 'counts' });
      for (const item of v.slice(0, 10)) {
        // Courses are known by number; apps and skills by name.
        const name = /^\d{2}-\d{3}$/.test(item.id || '') ? `${item.id} ${item.name}` : item.name || item.id || '';
        list.appendChild(el('li', {}, el('span', {}, name), el('span', { class: 'count' }, item.count ?? '')));
      }
      panels.appendChild(el('div', { class: 'panel' }, el('h3', {}, human(k)), list));
    }
  }

  function renderHistory(jobs) {
    const body = clear($('jobs').tBodies[0]);
    if (!jobs.length) body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No jobs yet.')));
    for (const j of jobs) {
      body.appendChild(el('tr', {}, el('td', {}, when(j.started_at)), el('td', {}, j.type),
        el('td', {}, el('span', { class: 'badge ' + j.state }, j.state)), el('td', {}, took(j.started_at, j.finished_at)), el('td', {}, j.error || '')));
    }
  }

  // ---- Catalog versions -------------------------------------------------

  // qualityText sums a version's measured quality up for the table.
  function qualityText(q) {
    if (!q) return 'not measured';
    if (!(q.sets || []).length) return q.note || 'not measured';
    return q.sets.map((d) => (d.queries ? `${d.set}: ${d.live.ndcg_at_5.toFixed(3)} → ${d.draft.ndcg_at_5.toFixed(3)}${d.worse ? `, ${d.worse} worse` : ''}`
      : `${d.set}: cannot be measured`)).join('; ');
  }

  // qualityUnknown: no labeled set could be measured on both versions.
  const qualityUnknown = (q) => !!q && !(q.sets || []).some((s) => s.queries > 0);

  let reviewing = '';

  async function loadVersions() {
    const { versions } = await api('GET', '/api/admin/data/versions');
    const body = clear($('versions').tBodies[0]);
    if (!versions.length) body.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No versions kept yet: the first change makes one.')));
    for (const v of versions) {
      const review = el('button', { type: 'button', class: 'secondary', 'data-review': v.version }, v.state === 'draft' ? 'Review' : 'View');
      review.addEventListener('click', () => showVersion(v.version));
      const quality = el('td', {}, qualityText(v.quality));
      if (v.quality && v.quality.worsened) quality.className = 'worse';
      body.appendChild(el('tr', { 'data-version': v.version }, el('td', {}, el('code', {}, v.version)),
        el('td', {}, el('span', { class: 'badge ' + v.state }, v.state)), el('td', {}, when(v.created_at)),
        el('td', {}, `${v.origin} (${v.created_by})`), el('td', {}, v.summary || ''), quality, el('td', {}, review)));
    }
    document.body.dataset.versions = String(versions.length);
    return versions;
  }

  // showVersion opens the review of one version: what it changes against
  // the live catalog, how it scored, and what can be done with it.
  async function showVersion(version) {
    const d = await api('GET', '/api/admin/data/versions/' + encodeURIComponent(version));
    const v = d.version;
    reviewing = v.version;
    $('version-review').hidden = false;
    $('review-version').textContent = v.version;
    const state = $('review-state');
    state.textContent = v.state;
    state.className = 'badge ' + v.state;
    $('review-summary').textContent = `${v.origin} by ${v.created_by}, ${when(v.created_at)}. Against the live version ${d.live}: ${d.summary}.`;
    const diff = clear($('review-diff'));
    const tables = { apps: 'Apps', courses: 'Courses', skills: 'Skills', course_skills: 'Course–skill links', app_skills: 'App–skill links' };
    const SHOWN = 50;
    for (const [k, label] of Object.entries(tables)) {
      const c = d.diff[k] || {};
      const renamed = c.renamed || [];
      const rows = [...(c.added || []).map((x) => ['+', x]), ...(c.removed || []).map((x) => ['−', x]),
        ...(c.changed || []).map((x) => ['~', `${x.key} (${x.fields.join(', ')})`])];
      if (!rows.length && !renamed.length) continue;
      const list = el('ul', { class: 'diff-list' });
      for (const [sign, text] of rows.slice(0, SHOWN)) list.appendChild(el('li', { class: 'diff-' + { '+': 'added', '−': 'removed', '~': 'changed' }[sign] }, `${sign} ${text}`));
      if (rows.length > SHOWN) list.appendChild(el('li', {}, `… and ${rows.length - SHOWN} more`));
      let counts = `${label}: ${(c.added || []).length} added, ${(c.removed || []).length} removed, ${(c.changed || []).length} changed`;
      if (renamed.length) counts += `, ${renamed.length} same app, new id`;
      const details = el('details', { 'data-table': k }, el('summary', {}, counts));
      if (renamed.length) {
        // The same app under another id style: neither added nor removed.
        details.appendChild(el('p', { class: 'meta' }, 'Same app, new id (matched by name):'));
        const same = el('ul', { class: 'diff-list', 'data-renamed': '' });
        for (const r of renamed) {
          same.appendChild(el('li', { class: 'diff-renamed' }, `= ${r.name}: ${r.from} → ${r.to}${r.fields.length ? ` (${r.fields.join(', ')})` : ''}`));
        }
        details.appendChild(same);
      }
      if (rows.length) details.appendChild(list);
      diff.appendChild(details);
    }
    if (!diff.firstChild) diff.appendChild(el('p', {}, 'No differences from the live version.'));
    const q = v.quality;
    const box = clear($('review-quality'));
    if (!q || !(q.sets || []).length) {
      box.appendChild(el('p', {}, q && q.note ? q.note : 'Not measured.'));
    } else {
      const table = el('table', { class: 'quality' }, el('thead', {}, el('tr', {}, el('th', {}, 'Queries'), el('th', {}, 'nDCG@5 live → this'),
        el('th', {}, 'recall@8 live → this'), el('th', {}, 'worse'), el('th', {}, 'better'))));
      const tb = el('tbody', {});
      for (const s of q.sets) {
        if (!s.queries) {
          // A set whose labels name neither this version's apps nor the
          // live one's cannot be measured: say so, never a score of 0.
          tb.appendChild(el('tr', { class: 'unmeasured' }, el('td', {}, s.set), el('td', { colspan: 4 }, `Cannot be measured: ${s.note}`)));
          continue;
        }
        const label = `${s.set} (${s.queries}${s.skipped ? `; ${s.skipped} left out, naming apps not in both versions` : ''})`;
        tb.appendChild(el('tr', {}, el('td', {}, label), el('td', {}, `${s.live.ndcg_at_5.toFixed(3)} → ${s.draft.ndcg_at_5.toFixed(3)}`),
          el('td', {}, `${s.live.recall_at_8.toFixed(3)} → ${s.draft.recall_at_8.toFixed(3)}`), el('td', {}, s.worse), el('td', {}, s.better)));
      }
      table.appendChild(tb);
      box.appendChild(el('div', { class: 'table-scroll' }, table));
      const worst = q.sets.flatMap((s) => s.worst || []);
      if (worst.length) {
        const list = el('ol', { id: 'review-worst' });
        for (const w of worst) list.appendChild(el('li', {}, `“${w.query}”: ${w.live.toFixed(2)} → ${w.draft.toFixed(2)} (now: ${(w.draft_top || []).join(', ') || 'nothing'})`));
        box.appendChild(el('details', { open: '' }, el('summary', {}, 'Queries that got worse'), list));
      }
    }
    const draft = v.state === 'draft';
    const worse = draft && q && q.worsened;
    const unknown = draft && !worse && qualityUnknown(q);
    $('review-worse').hidden = !worse;
    $('review-unknown').hidden = !unknown;
    $('review-confirm').checked = false;
    $('review-confirm-unknown').checked = false;
    const publish = $('review-publish');
    publish.hidden = v.state === 'live';
    publish.textContent = v.state === 'earlier' ? 'Roll back to this version' : 'Publish';
    publish.disabled = worse || unknown;
    reportOffset = 0;
    $('review-report').hidden = !d.has_report;
    if (d.has_report) await loadReport();
    $('review-discard').hidden = v.state !== 'draft';
    $('review-message').textContent = '';
    document.body.dataset.review = v.version;
  }

  for (const id of ['review-confirm', 'review-confirm-unknown']) {
    $(id).addEventListener('change', () => {
      $('review-publish').disabled = !$(id).checked;
    });
  }
  $('review-publish').addEventListener('click', async () => {
    const version = reviewing;
    $('version-review').hidden = true;
    await startJob('/api/admin/data/versions/' + encodeURIComponent(version) + '/publish',
      { confirm_worse: $('review-confirm').checked, confirm_unknown: $('review-confirm-unknown').checked });
  });

  // The import report of the version reviewed: every dropped, fixed and
  // flagged row, a page at a time, and all of it as CSV.
  const REPORT_PAGE = 50;
  let reportOffset = 0;

  async function loadReport() {
    const base = '/api/admin/data/versions/' + encodeURIComponent(reviewing) + '/report';
    const r = await api('GET', `${base}?offset=${reportOffset}&limit=${REPORT_PAGE}`);
    $('report-csv').href = base + '?format=csv';
    const files = Object.entries(r.read || {}).map(([f, n]) => `${f}: ${n} read, ${(r.kept || {})[f] ?? 0} kept`).join(' · ');
    $('report-summary').textContent = `${r.dropped} rows dropped, ${r.fixed} fixed, ${r.flagged} apps flagged (kept, never recommended). ${files}`;
    const body = clear($('report-rows').tBodies[0]);
    if (!r.problems.length) body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No row had a problem.')));
    for (const p of r.problems) {
      body.appendChild(el('tr', { class: 'action-' + p.action }, el('td', {}, p.file), el('td', {}, p.index), el('td', { class: 'mono' }, p.id || ''),
        el('td', {}, p.action), el('td', { class: 'query' }, p.reason)));
    }
    const last = Math.min(reportOffset + r.problems.length, r.total);
    $('report-page').textContent = r.total === 0 ? '0 of 0' : `${reportOffset + 1}–${last} of ${r.total}`;
    $('report-prev').disabled = reportOffset === 0;
    $('report-next').disabled = last >= r.total;
  }

  $('report-prev').addEventListener('click', () => {
    reportOffset = Math.max(0, reportOffset - REPORT_PAGE);
    loadReport().catch(fail);
  });
  $('report-next').addEventListener('click', () => {
    reportOffset += REPORT_PAGE;
    loadReport().catch(fail);
  });
  $('review-discard').addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/admin/data/versions/' + encodeURIComponent(reviewing));
      $('version-review').hidden = true;
      $('job-message').textContent = `Draft ${reviewing} discarded.`;
      await loadVersions();
    } catch (err) {
      $('review-message').textContent = err.message;
    }
  });
  $('review-close').addEventListener('click', () => {
    $('version-review').hidden = true;
  });

  async function loadDataStatus() {
    const s = await api('GET', '/api/admin/data/status');
    renderCounts(s.counts || {});
    $('data-version').textContent = s.catalog_version || '–';
    $('data-updated').textContent = s.updated_at ? when(s.updated_at) : 'never imported (embedded default catalog)';
    renderGraph(s.graph);
    renderHistory(s.jobs || []);
    // A job that cannot run says why on the page, not only in a tooltip.
    const why = clear($('jobs-unavailable'));
    for (const b of document.querySelectorAll('[data-source]')) {
      const src = (s.sources || {})[b.dataset.source] || {ready: false, about: 'Not available on this server'};
      b.disabled = !src.ready;
      b.title = src.about;
      if (!src.ready) why.appendChild(el('li', { 'data-why': b.dataset.source }, `${b.textContent}: ${src.about}`));
    }
    $('jobs-unavailable-box').hidden = !why.firstChild;
    if (s.current_job) {
      renderJob(s.current_job);
      watch(s.current_job.id);
    }
    document.body.dataset.jobs = String((s.jobs || []).length);
    return s;
  }

  function renderJob(job) {
    $('current-job').hidden = false;
    $('job-id').textContent = job.id;
    $('job-type').textContent = job.type;
    const state = $('job-state');
    state.textContent = job.state;
    state.className = 'badge ' + job.state;
    const p = job.progress || {};
    const bar = $('job-progress');
    if (p.total > 0) {
      bar.max = p.total;
      bar.value = p.done;
    } else if (job.state === 'running') {
      bar.removeAttribute('value');
    } else {
      bar.max = 1;
      bar.value = 1;
    }
    $('job-stage').textContent = p.stage ? `${p.stage} ${p.done}/${p.total}` : '';
    const log = $('job-log');
    log.textContent = (job.log || []).join('\n');
    log.scrollTop = log.scrollHeight;
    $('job-cancel').hidden = job.state !== 'running';
    $('job-cancel').disabled = !!job.cancel_requested;
    document.body.dataset.jobState = job.state;
  }

  // watch polls a job until it ends, then refreshes the catalog figures.
  function watch(id) {
    if (watching === id) return;
    stopPolling();
    watching = id;
    const tick = async () => {
      if (watching !== id) return;
      try {
        const job = await api('GET', '/api/admin/jobs/' + encodeURIComponent(id));
        renderJob(job);
        if (job.state === 'running') {
          pollTimer = setTimeout(tick, 1000);
          return;
        }
        watching = '';
        $('job-message').textContent = job.state === 'completed' ? 'Job completed.' : `Job ${job.state}${job.error ? ': ' + job.error : '.'}`;
        await loadDataStatus();
        const versions = await loadVersions();
        // A change ends in a draft: open it for review.
        if (job.state === 'completed' && versions.length && versions[0].state === 'draft' && job.type !== 'publish_catalog') {
          $('job-message').textContent = 'Job completed: a draft is ready to review. Students keep the live version until you publish it.';
          await showVersion(versions[0].version);
        }
      } catch (err) {
        if (err.status === 401) return;
        pollTimer = setTimeout(tick, 2000); // the server restarting: keep trying
      }
    };
    tick();
  }

  async function startJob(path, body) {
    $('job-message').textContent = '';
    try {
      const res = await api('POST', path, body);
      $('job-message').textContent = `Started job ${res.job_id}.`;
      renderReport(res.report);
      renderJob(res.job);
      watch(res.job_id);
    } catch (err) {
      if (err.status === 409 && err.body.running_job_id) {
        $('job-message').textContent = `${err.message} (job ${err.body.running_job_id}).`;
        watch(err.body.running_job_id);
        return;
      }
      if (err.status !== 401) $('job-message').textContent = err.message;
    }
  }

  function renderReport(report) {
    const box = $('import-report');
    if (!report) {
      box.hidden = true;
      return;
    }
    const list = clear($('import-problems'));
    for (const [file, read] of Object.entries(report.read || {})) {
      list.appendChild(el('li', {}, `${file}: ${read} rows read, ${(report.kept || {})[file] ?? 0} kept`));
    }
    // Replacing courses drops every link of the old ones: the problems can
    // run to hundreds, so they fold away and only the first are drawn.
    const problems = report.problems || [];
    if (problems.length) {
      const SHOWN = 100;
      const items = el('ul', {});
      for (const p of problems.slice(0, SHOWN)) {
        items.appendChild(el('li', { class: 'problem' }, `${p.file} row ${p.index}${p.id ? ' (' + p.id + ')' : ''}: ${p.reason} [${p.action}]`));
      }
      if (problems.length > SHOWN) items.appendChild(el('li', {}, `… and ${problems.length - SHOWN} more: the draft's review below lists every one, with a CSV download`));
      const details = el('details', {}, el('summary', {}, `${problems.length} rows with problems`), items);
      details.open = problems.length <= 10;
      list.appendChild(el('li', {}, details));
    }
    box.hidden = false;
  }

  for (const button of document.querySelectorAll('[data-job]')) {
    button.addEventListener('click', () => startJob(button.dataset.job, {}));
  }
  $('import-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const files = $('import-files').files;
    if (!files.length) return;
    const form = new FormData();
    for (const f of files) form.append('files', f, f.name);
    const queries = $('import-queries').files;
    if (queries.length) form.append('queries', queries[0], queries[0].name);
    startJob('/api/admin/data/import', form);
  });
  $('job-cancel').addEventListener('click', async () => {
    const id = $('job-id').textContent;
    $('job-cancel').disabled = true;
    try {
      await api('POST', `/api/admin/jobs/${encodeURIComponent(id)}/cancel`, {});
      $('job-message').textContent = 'Cancelling…';
    } catch (err) {
      $('job-message').textContent = err.message;
    }
  });

  // ---- Configuration ----------------------------------------------------

  let shown = {};
  let unreadable = new Set();

  async function loadConfig() {
    const { settings } = await api('GET', '/api/admin/config');
    const body = clear($('config').tBodies[0]);
    shown = {};
    unreadable = new Set();
    for (const s of settings) {
      shown[s.key] = s.value;
      if (s.source.includes('unreadable')) unreadable.add(s.key);
      const input = el('input', { id: 'cfg-' + s.key, name: s.key, autocomplete: 'off', spellcheck: 'false' });
      input.value = s.value;
      body.appendChild(el('tr', {},
        el('th', { scope: 'row' }, el('label', { for: 'cfg-' + s.key }, s.key), s.secret ? el('span', { class: 'badge secret' }, 'secret') : null),
        el('td', {}, input),
        el('td', {}, s.source),
        el('td', { class: 'applies' }, s.applies || '')));
    }
  }

  $('config-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const changes = {};
    for (const [key, value] of Object.entries(shown)) {
      const now = $('cfg-' + key).value.trim();
      // A stored value sealed under another SECRET_KEY shows empty;
      // saving the field empty clears it.
      if (now !== value || (now === '' && unreadable.has(key))) changes[key] = now;
    }
    if (!Object.keys(changes).length) {
      $('config-message').textContent = 'Nothing changed.';
      return;
    }
    try {
      const res = await api('POST', '/api/admin/config', changes);
      $('config-message').textContent = res.changed.length ? 'Saved: ' + res.changed.join(', ') + '.' : 'Nothing changed.';
      await loadConfig();
    } catch (err) {
      if (err.status !== 401) $('config-message').textContent = err.message;
    }
  });

  // ---- Start ------------------------------------------------------------

  function fail(err) {
    if (err.status !== 401) notice(err.message);
  }

  async function show() {
    notice('');
    // Controls a role may not use are hidden (data-min-role, staff.css);
    // the server checks every request's role anyway.
    const { staff } = await api('GET', '/api/auth/check');
    if (!staff) return showLogin();
    document.body.dataset.role = staff.role;
    $('whoami').textContent = `${staff.name} (${staff.role})`;
    $('nav').hidden = false;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    }
    $('view-' + view).hidden = false;
    try {
      if (view === 'dashboard') await showDashboard();
      if (view === 'data') {
        await loadDataStatus();
        await loadVersions();
        await window.vrrecCourses.snippet();
      }
      if (view === 'config') await loadConfig();
      if (view === 'staff') await window.vrrecStaffView();
      document.body.dataset.ready = view;
    } catch (err) {
      fail(err);
    }
  }

  (async () => {
    try {
      const { is_admin: isAdmin } = await api('GET', '/api/auth/check');
      if (isAdmin) await show();
      else showLogin();
    } catch (err) {
      notice(err.message);
    }
  })();
})();
