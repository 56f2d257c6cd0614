// Chat page. Everything a student typed or a model wrote reaches the page
// through textContent and createElement, never innerHTML, so no reply can
// inject markup or script.
(() => {
  'use strict';

  const log = document.getElementById('log');
  const form = document.getElementById('ask');
  const input = document.getElementById('message');
  const sendButton = document.getElementById('send');
  const status = document.getElementById('status');
  const statusText = document.getElementById('status-text');
  const embed = location.pathname === '/embed';
  if (embed) document.body.classList.add('embed');

  // A course page: the widget's data-course (passed as ?course= to the
  // frame) or ?course= on a link to the chat page. Questions carry the
  // course once the catalog is known to have it.
  const pageCourse = (new URLSearchParams(location.search).get('course') || '').trim();
  let course = '';
  // In the widget the course opens when the student first opens the
  // frame (the host page says so: "vrrec:shown"); on the chat page at once.
  let shown = !embed;
  let opened = false;

  const SESSION_KEY = 'vrrec.session';
  const TOKEN_KEY = 'vrrec.user';
  let sessionId = localStorage.getItem(SESSION_KEY) || '';
  let pending = false;
  // While over a rate limit: when asking is allowed again (ms since the
  // epoch), and the notice counting down to it.
  let waitUntil = 0;
  let waitNotice = null;

  const STAGES = {
    understanding: 'Understanding your question…',
    retrieving: 'Finding skills and apps that match…',
    ranking: 'Ranking the apps…',
    writing: 'Writing explanations…',
  };

  class HttpError extends Error {
    // retryAfter: the seconds a 429 asks to wait (Retry-After), or 0.
    constructor(status, message, retryAfter) {
      super(message || 'The server answered ' + status);
      this.status = status;
      this.retryAfter = retryAfter || 0;
    }
  }

  function headers() {
    const h = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    if (embed) {
      // In a frame on another site the cookie is not sent: carry the id.
      h['X-Vrrec-Embed'] = '1';
      const token = localStorage.getItem(TOKEN_KEY);
      if (token) h['X-Vrrec-User'] = token;
    }
    return h;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Inline markdown: **bold**, _italic_ and backslash escapes. Unclosed
  // markers simply end with the text; nothing is ever parsed as HTML.
  function renderInline(parent, text) {
    const stack = [parent];
    let buf = '';
    const flush = () => {
      if (buf) stack[stack.length - 1].appendChild(document.createTextNode(buf));
      buf = '';
    };
    const toggle = (tag) => {
      flush();
      const top = stack[stack.length - 1];
      if (top !== parent && top.tagName === tag.toUpperCase()) {
        stack.pop();
      } else {
        const node = document.createElement(tag);
        top.appendChild(node);
        stack.push(node);
      }
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length) {
        buf += text[++i];
      } else if (c === '*' && text[i + 1] === '*') {
        toggle('strong');
        i++;
      } else if (c === '_' && (i === 0 || /[\s(]/.test(text[i - 1]) || /^[\s).,:;!?]?$/.test(text[i + 1] || ''))) {
        toggle('em');
      } else {
        buf += c;
      }
    }
    flush();
  }

  // Block markdown: paragraphs, "- " lists and "1. " lists.
  function renderMarkdown(container, md) {
    let list = null;
    let para = null;
    for (const line of String(md).split('\n')) {
      const ordered = /^\d+\.\s+(.*)$/.exec(line);
      const bullet = /^[-*]\s+(.*)$/.exec(line);
      if (ordered || bullet) {
        const tag = ordered ? 'ol' : 'ul';
        if (!list || list.tagName !== tag.toUpperCase()) {
          list = el(tag);
          container.appendChild(list);
        }
        const li = el('li');
        renderInline(li, (ordered || bullet)[1]);
        list.appendChild(li);
        para = null;
      } else if (line.trim() === '') {
        list = null;
        para = null;
      } else {
        list = null;
        if (!para) {
          para = el('p');
          container.appendChild(para);
        } else {
          para.appendChild(el('br'));
        }
        renderInline(para, line);
      }
    }
  }

  // PRICE_KINDS are the constraints an unknown price leaves unconfirmed.
  const PRICE_KINDS = ['free', 'no_subscription', 'max_price'];

  // appCard draws one app. weak marks it as one of the nearest matches
  // when nothing fits; heading is its title's tag (h4 under a need's
  // heading); constraints are the answer's, to say which of them the
  // catalog cannot confirm for this app.
  function appCard(app, weak, heading, constraints) {
    const card = el('li', weak ? 'card weak' : 'card');
    card.dataset.app = app.app_id;
    card.appendChild(el(heading || 'h3', '', app.name));
    card.appendChild(el('span', 'category', app.category));
    // Why the app stands higher for this student (their votes): on hover,
    // and read out after the mark.
    if (app.for_you) {
      const mark = el('span', 'for-you', 'For you');
      mark.title = app.for_you;
      mark.appendChild(el('span', 'visually-hidden', ': ' + app.for_you));
      card.appendChild(mark);
    }
    // Price and status as the server words them (status: "available",
    // "discontinued (2026-02-16)").
    // A line starts with a capital ("Price not known · available").
    const facts = [app.price, app.status].filter(Boolean).join(' · ');
    if (facts) card.appendChild(el('p', 'facts', facts[0].toUpperCase() + facts.slice(1)));
    // The facts that matter to the question: "Seated", "Up to 4 players
    // online", "Mixed reality".
    if (app.facets && app.facets.length) {
      const list = el('ul', 'facets');
      list.setAttribute('aria-label', 'About ' + app.name);
      app.facets.forEach((f) => list.appendChild(el('li', '', f)));
      card.appendChild(list);
    }
    // A hard condition the catalog cannot confirm for this app: shown, and
    // said so.
    (app.unconfirmed || []).forEach((label) => {
      const c = (constraints || []).find((x) => x.label === label);
      const why = c && PRICE_KINDS.includes(c.kind) ? ' (price not known)' : '';
      card.appendChild(el('p', 'unconfirmed', 'Not confirmed: ' + label + why));
    });
    if (app.match_percent !== undefined && app.match_percent > 0) {
      const match = el('div', 'match');
      const meter = el('meter');
      meter.min = 0;
      meter.max = 100;
      meter.value = app.match_percent;
      meter.setAttribute('aria-label', app.match_percent + '% match');
      match.appendChild(meter);
      match.appendChild(el('span', '', app.match_percent + '% match'));
      card.appendChild(match);
    }
    // Always there, so a provisional answer's reason can be replaced.
    const reason = card.appendChild(el('p', 'reason', app.reasoning || ''));
    reason.hidden = !app.reasoning;
    if (app.matched_skills && app.matched_skills.length) {
      card.appendChild(el('p', 'skills', 'Skills: ' + app.matched_skills.join(', ')));
    }
    const actions = el('div', 'actions');
    const details = el('button', '', 'Details');
    details.type = 'button';
    details.setAttribute('aria-label', 'Details: ' + app.name);
    details.addEventListener('click', () => submit('tell me more about ' + app.name));
    // Accessible names start with the visible text (WCAG 2.5.3).
    const similar = el('button', '', 'More like this');
    similar.type = 'button';
    similar.setAttribute('aria-label', 'More like this: ' + app.name);
    similar.addEventListener('click', () => submit('more like ' + app.name));
    actions.append(details, similar);
    card.appendChild(actions);
    return card;
  }

  // Votes (POST /api/feedback): a pressed button (aria-pressed) is the
  // student's vote; pressing it again withdraws it, pressing another
  // changes it. A vote that is not saved goes back to what it was, and
  // says so.
  async function sendVote(reply, appId, vote) {
    const res = await fetch('/api/feedback', {
      method: 'POST', headers: headers(), credentials: 'same-origin',
      body: JSON.stringify({ interaction_id: reply.interaction_id, app_id: appId, vote, token: reply.feedback_token }),
    });
    if (!res.ok) throw await errorOf(res);
  }

  // voteGroup is a set of toggle buttons, each {vote, label, text}; at most
  // one is pressed: the student's vote, which a restored answer brings
  // along (reply.votes, app id to vote, "" for the answer as a whole).
  function voteGroup(reply, appId, options, groupLabel) {
    const group = el('div', 'vote');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', groupLabel);
    const note = el('span', 'vote-note');
    note.setAttribute('role', 'status');
    let current = (reply.votes && reply.votes[appId]) || '';
    const buttons = options.map((o) => {
      const b = el('button', 'vote-' + o.vote.replace(/_/g, '-'), o.text);
      b.type = 'button';
      b.dataset.vote = o.vote;
      b.setAttribute('aria-label', o.label);
      b.setAttribute('aria-pressed', String(current === o.vote));
      b.addEventListener('click', async () => {
        const before = current;
        const next = current === o.vote ? '' : o.vote;
        const show = (v) => {
          current = v;
          buttons.forEach((x) => x.setAttribute('aria-pressed', String(x.dataset.vote === v)));
        };
        show(next);
        note.textContent = '';
        try {
          await sendVote(reply, appId, next);
          note.textContent = next ? 'Thanks for your feedback' : '';
        } catch (err) {
          show(before);
          note.textContent = err instanceof HttpError && err.status < 500 ? err.message : 'Your vote was not saved. Please try again.';
        }
      });
      return b;
    });
    group.append(...buttons, note);
    return group;
  }

  function appVotes(reply, app) {
    return voteGroup(reply, app.app_id, [
      { vote: 'helpful', text: 'Helpful', label: app.name + ' is helpful' },
      { vote: 'not_helpful', text: 'Not helpful', label: app.name + ' is not helpful' },
    ], 'Was ' + app.name + ' helpful?');
  }

  // lead is a reply's opening: the text before its first list or its
  // first heading line ("**Top Picks**", a need's "**Statics**"), which the
  // cards show.
  function lead(md) {
    const out = [];
    for (const line of md.split('\n')) {
      if (/^\*\*[^*]+\*\*:?\s*$/.test(line) || /^(\d+\.|-)\s/.test(line)) break;
      out.push(line);
    }
    return out.join('\n');
  }

  function addUser(text) {
    const li = el('li', 'msg user', text);
    log.appendChild(li);
    li.scrollIntoView({ block: 'end' });
  }

  // cardList draws apps as cards with their votes.
  function cardList(reply, apps, weak, heading) {
    const cards = el('ul', 'cards');
    apps.forEach((a) => {
      const card = appCard(a, weak, heading, reply.constraints);
      if (reply.feedback_token) card.appendChild(appVotes(reply, a));
      cards.appendChild(card);
    });
    return cards;
  }

  // chips shows the conditions an answer applied ("Free apps only",
  // "Under $10"), each a button that asks the same message again without
  // it; the conditions removed before stay removed.
  function chips(reply, asked) {
    const group = el('div', 'chips');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Conditions applied');
    group.appendChild(el('span', 'chips-title', 'Applied:'));
    reply.constraints.forEach((c) => {
      const chip = el('button', 'chip', c.label);
      chip.type = 'button';
      chip.dataset.kind = c.kind;
      chip.setAttribute('aria-label', 'Remove: ' + c.label);
      const x = el('span', 'chip-x', '×');
      x.setAttribute('aria-hidden', 'true');
      chip.appendChild(x);
      chip.addEventListener('click', () => {
        const without = asked.without.includes(c.kind) ? asked.without : asked.without.concat(c.kind);
        send(asked.message, true, without);
      });
      group.appendChild(chip);
    });
    return group;
  }

  // needs draws an answer to several needs: each under its own heading,
  // with its own cards.
  function needGroups(reply) {
    const box = el('div', 'needs');
    reply.needs.forEach((n) => {
      const section = el('section', 'need');
      section.appendChild(el('h3', 'need-title', n.topic));
      if (n.nothing_fits) section.appendChild(el('p', 'need-weak', 'Nothing fits this well; the nearest:'));
      if ((n.apps || []).length) section.appendChild(cardList(reply, n.apps, n.nothing_fits, 'h4'));
      else section.appendChild(el('p', 'need-weak', 'No app for this one.'));
      box.appendChild(section);
    });
    return box;
  }

  // botMessage draws an answer; asked is the question it answers
  // ({message, without}), for its chips to ask again.
  function botMessage(reply, asked) {
    const li = el('li', 'msg bot');
    const apps = reply.apps || [];
    // A question not in English: a line in the student's language first.
    if (reply.note) {
      const note = el('p', 'note', reply.note);
      if (reply.language) note.lang = reply.language;
      li.appendChild(note);
    }
    if (asked && reply.constraints && reply.constraints.length) li.appendChild(chips(reply, asked));
    if (apps.length && !reply.app) {
      // The reply's opening (and the model's reading of the question, when
      // there is one) above the cards.
      const opening = li.appendChild(el('div', 'opening'));
      renderMarkdown(opening, lead(String(reply.response || '')));
      const hidden = reply.hidden_by_votes || 0;
      if (hidden) {
        li.appendChild(el('p', 'note', hidden === 1 ? '1 app you marked not helpful for this is hidden.'
          : hidden + ' apps you marked not helpful for this are hidden.'));
      }
      if (reply.needs && reply.needs.length) li.appendChild(needGroups(reply));
      else li.appendChild(cardList(reply, apps, reply.nothing_fits));
      const full = el('details', 'reply-text');
      full.appendChild(el('summary', '', 'Show as text'));
      renderMarkdown(full, reply.response || '');
      li.appendChild(full);
    } else {
      renderMarkdown(li, reply.response || reply.content || '');
    }
    if (reply.feedback_token && reply.intent !== 'greeting' && reply.intent !== 'help') {
      li.appendChild(voteGroup(reply, '', [
        { vote: 'not_what_i_asked', text: 'Not what I asked', label: 'This answer is not what I asked' },
      ], 'About this answer'));
    }
    return li;
  }

  // addBot shows an answer and returns what updateBot needs to apply its
  // final version.
  function addBot(reply, asked) {
    const li = botMessage(reply, asked);
    log.appendChild(li);
    li.scrollIntoView({ block: 'start' });
    return { li, reply, asked };
  }

  // A polite live region of its own for "updated": the conversation's
  // region announces new answers only.
  const announcer = el('p', 'visually-hidden');
  announcer.setAttribute('role', 'status');
  document.body.appendChild(announcer);

  const sameApps = (a, b) => a.length === b.length && a.every((x, i) => x.app_id === b[i].app_id);

  // updateBot applies the final answer to one shown provisionally
  // (shown, from addBot), in place: the opening and the reasons change,
  // cards the model left out go, new ones come, and the cards slide to the
  // model's order (FLIP: measured before and after, animated from the old
  // place, unless the student prefers reduced motion). Focus stays where
  // it was, the conversation's live region stays quiet, and one short
  // "updated" is announced. Votes from now on carry the final answer's
  // token; one given before binds the apps shown then, and stands.
  function updateBot(shown, final) {
    const { li, reply, asked } = shown;
    li.setAttribute('aria-live', 'off');
    const cards = li.querySelector('ul.cards');
    const apps = final.apps || [];
    const before = reply.apps || [];
    const changed = !sameApps(before, apps);
    const reasons = apps.some((a) => { const b = before.find((x) => x.app_id === a.app_id); return !b || b.reasoning !== a.reasoning; });
    reply.feedback_token = final.feedback_token;
    reply.apps = apps;
    if (!changed && !reasons && final.response === reply.response) return; // the model failed or was late
    reply.response = final.response;
    if (!cards || !apps.length || final.app || (final.needs && final.needs.length)) {
      // Not a list of cards any more (the model found that nothing fits).
      const focusWasIn = li.contains(document.activeElement);
      const fresh = botMessage(final, asked);
      fresh.setAttribute('aria-live', 'off');
      li.replaceWith(fresh);
      shown.li = fresh;
      if (focusWasIn) input.focus();
    } else {
      const focused = li.contains(document.activeElement) ? document.activeElement : null;
      const byId = new Map([...cards.children].map((c) => [c.dataset.app, c]));
      const from = new Map([...byId].map(([id, c]) => [id, c.getBoundingClientRect()]));
      const order = apps.map((a) => {
        let card = byId.get(a.app_id);
        if (card) {
          const reason = card.querySelector('.reason');
          reason.textContent = a.reasoning || '';
          reason.hidden = !a.reasoning;
          card.classList.toggle('weak', Boolean(final.nothing_fits));
          byId.delete(a.app_id);
        } else {
          card = appCard(a, final.nothing_fits, undefined, final.constraints);
          if (reply.feedback_token) card.appendChild(appVotes(reply, a));
        }
        return card;
      });
      byId.forEach((c) => c.remove());
      order.forEach((card, i) => {
        if (cards.children[i] !== card) cards.insertBefore(card, cards.children[i] || null);
      });
      const opening = li.querySelector('.opening');
      if (opening) {
        opening.replaceChildren();
        renderMarkdown(opening, lead(String(final.response || '')));
      }
      const full = li.querySelector('details.reply-text');
      if (full) {
        full.replaceChildren(full.querySelector('summary'));
        renderMarkdown(full, final.response || '');
      }
      if (!matchMedia('(prefers-reduced-motion: reduce)').matches) {
        order.forEach((card) => {
          const was = from.get(card.dataset.app);
          if (!was) return;
          const now = card.getBoundingClientRect();
          const dx = was.left - now.left;
          const dy = was.top - now.top;
          if (dx || dy) card.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: 'none' }], { duration: 250, easing: 'ease-out' });
        });
      }
      if (focused && document.activeElement !== focused) {
        if (li.contains(focused)) focused.focus({ preventScroll: true });
        else input.focus({ preventScroll: true });
      }
    }
    const sameSet = before.length === apps.length && apps.every((a) => before.some((b) => b.app_id === a.app_id));
    if (changed) announcer.textContent = sameSet ? 'Answer updated: the picks were re-ordered and explained.' : 'Answer updated: the picks changed.';
    else if (reasons) announcer.textContent = 'Answer updated with explanations.';
  }

  // addError shows a failure; retry, when the question may be asked again,
  // is the question ({message, without}).
  function addError(message, retry) {
    const li = el('li', 'msg error');
    li.setAttribute('role', 'alert');
    li.appendChild(el('p', '', message));
    if (retry) {
      const again = el('button', '', 'Try again');
      again.type = 'button';
      again.addEventListener('click', () => {
        li.remove();
        send(retry.message, false, retry.without);
      });
      li.appendChild(again);
    }
    log.appendChild(li);
  }

  function setStatus(stage) {
    if (!stage) {
      status.hidden = true;
      return;
    }
    statusText.textContent = STAGES[stage] || 'Thinking…';
    status.hidden = false;
  }

  function remember(reply) {
    if (reply.session_id) {
      sessionId = reply.session_id;
      localStorage.setItem(SESSION_KEY, sessionId);
    }
    if (reply.user_token) localStorage.setItem(TOKEN_KEY, reply.user_token);
  }

  // body is a chat request: the message, the session, and the kinds of
  // condition the student removed.
  function body(message, without) {
    const b = { message };
    if (sessionId) b.session_id = sessionId;
    if (without && without.length) b.without = without;
    if (course) b.course = course;
    return JSON.stringify(b);
  }

  async function errorOf(res) {
    let message = '';
    let retryAfter = Number(res.headers.get('Retry-After')) || 0;
    try {
      const body = await res.json();
      message = body.error;
      if (!retryAfter) retryAfter = Number(body.retry_after) || 0;
    } catch (_) { /* not JSON */ }
    return new HttpError(res.status, message, retryAfter);
  }

  // StreamBroken is a stream that failed after the server started answering:
  // the turn may already be saved, so it must not be sent again.
  class StreamBroken extends Error {}

  // POST /chat/stream, reading Server-Sent Events from the response body.
  // A provisional result (retrieval's answer, while a language model
  // works on it) goes to onFirst, and the final answer (its update) is
  // returned; should the stream end before that, the first answer stands:
  // null is returned, and no error shown.
  async function streamChat(message, without, onFirst) {
    const res = await fetch('/chat/stream', { method: 'POST', headers: headers(), body: body(message, without), credentials: 'same-origin' });
    if (!res.ok) throw await errorOf(res);
    if (!res.body || !(res.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
      throw new Error('no event stream');
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let started = false;
    let first = false;
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (first) return null;
        if (started) throw new StreamBroken('The connection dropped while the answer was on its way.');
        throw err;
      }
      const { value, done } = chunk;
      if (done) {
        if (first) return null;
        if (started) throw new StreamBroken('The answer was cut off. Please try again.');
        throw new Error('the stream ended without a result');
      }
      started = true;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        let data = '';
        for (const line of raw.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        const payload = data ? JSON.parse(data) : {};
        if (event === 'progress') setStatus(payload.stage);
        else if (event === 'writing') setStatus('writing');
        else if (event === 'result' && payload.provisional) {
          first = true;
          onFirst(payload);
          setStatus('writing');
        } else if (event === 'result' || event === 'update') return payload;
        else if (event === 'error') {
          if (first) return null;
          throw new HttpError(payload.status || 500, payload.error);
        }
      }
    }
  }

  async function postChat(message, without) {
    const res = await fetch('/chat', { method: 'POST', headers: headers(), body: body(message, without), credentials: 'same-origin' });
    if (!res.ok) throw await errorOf(res);
    return res.json();
  }

  function waiting() {
    return Date.now() < waitUntil;
  }

  // "42 seconds", "3 min 5 s", "1 h 20 min".
  function spell(seconds) {
    if (seconds < 60) return seconds + (seconds === 1 ? ' second' : ' seconds');
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h ? h + ' h ' + m + ' min' : m + ' min ' + s + ' s';
  }

  // "0:42", "3:05", "1:20:00".
  function clock(seconds) {
    const two = (n) => String(n).padStart(2, '0');
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h ? h + ':' + two(m) + ':' + two(s) : m + ':' + two(s);
  }

  // showLimit answers a 429: a notice in the conversation with the time
  // to wait, counting down, and the send button disabled until then. Only
  // when the time is up does the notice offer to send the message again.
  function showLimit(err, asked) {
    const seconds = Math.max(1, Math.ceil(err.retryAfter || 60));
    waitUntil = Date.now() + seconds * 1000;
    if (waitNotice) waitNotice.remove();
    const li = el('li', 'msg limit');
    li.appendChild(el('p', 'limit-title', 'You have reached the limit for now.'));
    const wait = el('p', 'limit-wait');
    li.appendChild(wait);
    if (err.message) li.appendChild(el('p', 'limit-detail', err.message));
    log.appendChild(li);
    waitNotice = li;
    const at = new Date(waitUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const tick = () => {
      const left = Math.ceil((waitUntil - Date.now()) / 1000);
      if (left > 0) {
        wait.textContent = 'You can ask again in ' + spell(left) + (left >= 120 ? ' (at ' + at + ').' : '.');
        sendButton.disabled = true;
        sendButton.classList.add('waiting');
        sendButton.textContent = 'Wait ' + clock(left);
        return;
      }
      clearInterval(timer);
      waitUntil = 0;
      wait.textContent = 'You can ask again now.';
      sendButton.classList.remove('waiting');
      sendButton.textContent = 'Send';
      sendButton.disabled = pending;
      const again = el('button', '', 'Send it again');
      again.type = 'button';
      again.addEventListener('click', () => {
        again.remove();
        send(asked.message, false, asked.without);
      });
      li.appendChild(again);
    };
    const timer = setInterval(tick, 250);
    tick();
    li.scrollIntoView({ block: 'end' });
  }

  // send asks a message, without the kinds of condition listed (a chip
  // removed), echoing it in the conversation when echo is set.
  async function send(message, echo, without) {
    const asked = { message, without: without || [] };
    if (waiting()) {
      // Nothing goes out before the limit resets; point at the notice.
      if (waitNotice) waitNotice.scrollIntoView({ block: 'end' });
      return;
    }
    if (pending) return;
    pending = true;
    sendButton.disabled = true;
    if (echo) addUser(message);
    setStatus('understanding');
    let shown = null; // an answer shown provisionally
    try {
      let reply;
      try {
        reply = await streamChat(message, asked.without, (first) => {
          remember(first);
          shown = addBot(first, asked);
          input.focus();
        });
      } catch (err) {
        // A refused message will be refused again, and a stream cut after
        // the server began may have saved the turn; anything else (no
        // streaming through a proxy) retries as a plain request.
        if ((err instanceof HttpError && err.status < 500) || err instanceof StreamBroken) throw err;
        reply = await postChat(message, asked.without);
      }
      if (!shown) {
        remember(reply);
        addBot(reply, asked);
      } else if (reply) {
        updateBot(shown, reply);
      }
      if (profile) profile.reply(reply);
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) {
        showLimit(err, asked);
        return;
      }
      const retryable = !(err instanceof HttpError) || err.status >= 500;
      const text = err instanceof HttpError || err instanceof StreamBroken ? err.message : 'Could not reach the server. Check your connection.';
      addError(text, retryable ? asked : null);
    } finally {
      setStatus(null);
      pending = false;
      sendButton.disabled = waiting();
      // Where the student went while the model worked, focus stays.
      if (!shown || !log.contains(document.activeElement)) input.focus();
    }
  }

  function submit(message) {
    message = message.trim();
    if (message) send(message, true);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const message = input.value;
    if (!message.trim() || pending || waiting()) return;
    input.value = '';
    submit(message);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  // "Forget my conversations": asked on screen, then everything stored
  // about this student is deleted and the server issues a new identity.
  const forgetButton = document.getElementById('forget');
  const forgetConfirm = document.getElementById('forget-confirm');
  const forgetYes = document.getElementById('forget-yes');
  const forgetDone = document.getElementById('forget-done');
  forgetButton.addEventListener('click', () => {
    forgetDone.textContent = '';
    forgetConfirm.hidden = false;
    forgetYes.focus();
  });
  document.getElementById('forget-no').addEventListener('click', () => {
    forgetConfirm.hidden = true;
    forgetButton.focus();
  });
  forgetYes.addEventListener('click', async () => {
    // An answer still on its way would be stored after the forget.
    if (pending) {
      forgetDone.textContent = 'Please wait for the answer, then forget your conversations.';
      return;
    }
    forgetYes.disabled = true;
    try {
      const res = await fetch('/api/forget', { method: 'POST', headers: headers(), body: '{}', credentials: 'same-origin' });
      if (!res.ok) throw await errorOf(res);
      const out = await res.json();
      if (out.user_token) localStorage.setItem(TOKEN_KEY, out.user_token);
      localStorage.removeItem(SESSION_KEY);
      sessionId = '';
      log.replaceChildren();
      if (profile) profile.forgot();
      const n = (out.removed && out.removed.messages) || 0;
      forgetDone.textContent = 'Your conversations were deleted (' + n + (n === 1 ? ' message' : ' messages') +
        '). You continue as a new visitor.';
    } catch (err) {
      forgetDone.textContent = 'Your conversations were not deleted: ' + err.message;
    } finally {
      forgetYes.disabled = false;
      forgetConfirm.hidden = true;
      forgetButton.focus();
    }
  });

  async function restore() {
    try {
      const res = await fetch('/api/history', { headers: headers(), credentials: 'same-origin' });
      if (!res.ok) return;
      const history = await res.json();
      for (const m of history.messages || []) {
        if (m.role === 'user') addUser(m.content);
        else {
          // An answer logged as an interaction keeps its votes: the token
          // to vote with and the votes already given.
          addBot({
            response: m.content, apps: m.apps || [], app: m.intent === 'app_details' ? {} : null, intent: m.intent,
            interaction_id: m.interaction_id, feedback_token: m.feedback_token, votes: m.votes,
          });
        }
        // Continue the latest session: "the second one" means its list.
        if (m.session_id && !localStorage.getItem(SESSION_KEY)) sessionId = m.session_id;
      }
      if (sessionId) localStorage.setItem(SESSION_KEY, sessionId);
    } catch (_) {
      // History is a convenience; the chat works without it.
    }
  }

  // tellInstructor reports a page's course the catalog lacks where the
  // instructor who set up the page looks: the console of their page (the
  // widget's loader writes what the frame posts it).
  function tellInstructor(text) {
    if (embed && window.parent !== window) window.parent.postMessage({ type: 'vrrec:course-error', error: text }, '*');
    else console.warn('VR App Advisor: ' + text);
  }

  // checkCourse asks whether the catalog has the page's course: if so,
  // questions carry it; if not, the student is told plainly and the
  // instructor in the console.
  async function checkCourse() {
    if (!pageCourse) return;
    try {
      const res = await fetch('/api/courses/' + encodeURIComponent(pageCourse), { headers: headers(), credentials: 'same-origin' });
      if (res.status === 404) {
        const err = await errorOf(res);
        tellInstructor('course "' + pageCourse + '" is not in the catalog, so the chat opens without a course. ' +
          'Check data-course on the script tag (or ?course= on the link); ' + location.origin + '/api/courses lists the courses.');
        addBot({ response: err.message, intent: 'course_open' });
        return;
      }
      if (res.ok) course = pageCourse;
    } catch (_) {
      // Unreachable now: the chat works without the course.
    }
  }

  // openCourse suggests the course's apps (POST /chat/open), once per
  // course and browser tab.
  async function openCourse() {
    if (!course || !shown || opened) return;
    opened = true;
    const key = 'vrrec.opened.' + course;
    if (sessionStorage.getItem(key) || pending) return;
    pending = true;
    sendButton.disabled = true;
    setStatus('retrieving');
    try {
      const b = { course };
      if (sessionId) b.session_id = sessionId;
      const res = await fetch('/chat/open', { method: 'POST', headers: headers(), body: JSON.stringify(b), credentials: 'same-origin' });
      if (!res.ok) throw await errorOf(res);
      const reply = await res.json();
      remember(reply);
      addBot(reply);
      sessionStorage.setItem(key, '1');
    } catch (err) {
      addError(err instanceof HttpError ? err.message : 'Could not reach the server. Check your connection.');
    } finally {
      setStatus(null);
      pending = false;
      sendButton.disabled = waiting();
    }
  }

  window.addEventListener('message', (e) => {
    if (embed && e.source === window.parent && e.data && e.data.type === 'vrrec:shown') {
      shown = true;
      openCourse();
    }
  });

  // "What I know about you" (profile.js): shown once the conversation is
  // back, with what is new since the last visit after it.
  const profile = window.vrrecProfile;
  if (profile) profile.init({ headers, errorOf, addBot });
  restore().then(checkCourse).then(() => profile && profile.welcome()).finally(() => {
    document.body.dataset.ready = 'true';
    input.focus();
    openCourse();
  });
})();
