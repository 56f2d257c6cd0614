// Staff pages, course pages: the answers given on course pages, by course
// (dashboard), and the script tag an instructor pastes on a course's page
// (data page). admin.js shows the views and calls vrrecCourses. Everything
// from the server reaches the page through textContent.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);

  async function call(path) {
    const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || 'The server answered ' + res.status);
    return data;
  }

  function row(...cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    return tr;
  }

  // note is a table row spanning its columns.
  function note(text) {
    const tr = row(text);
    tr.firstChild.colSpan = 4;
    tr.firstChild.className = 'empty';
    return tr;
  }

  // answers fills the dashboard's table of answers by course, of the
  // period chosen (days, '' for all time). Unavailable, the table says so
  // and the rest of the dashboard still shows.
  async function answers(days) {
    const body = $('course-answers').tBodies[0];
    let courses;
    try {
      ({ courses } = await call('/api/admin/courses' + (days ? '?days=' + encodeURIComponent(days) : '')));
    } catch (err) {
      body.replaceChildren(note(err.message));
      return;
    }
    body.replaceChildren();
    if (!courses.length) body.appendChild(note('No answers on course pages yet.'));
    for (const c of courses) {
      body.appendChild(row(c.title ? c.course_id + ' ' + c.title : c.course_id, c.answers, c.students, c.in_course));
    }
  }

  // snippet fills the data page's generator: a course chosen, the script
  // tag for its page, copyable.
  async function snippet() {
    const select = $('snippet-course');
    const out = $('snippet');
    let courses;
    try {
      ({ courses } = await call('/api/courses'));
    } catch (err) {
      $('snippet-status').textContent = 'The courses could not be listed: ' + err.message;
      return;
    }
    select.replaceChildren();
    for (const c of courses) {
      const o = document.createElement('option');
      o.value = c.id;
      o.textContent = c.title ? c.id + ' ' + c.title : c.id;
      select.appendChild(o);
    }
    const update = () => {
      out.value = select.value
        ? '<script src="' + location.origin + '/widget.js" data-course="' + select.value + '" defer></script>'
        : '';
      $('snippet-status').textContent = '';
    };
    select.addEventListener('change', update);
    update();
    $('snippet-copy').addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(out.value);
        $('snippet-status').textContent = 'Copied.';
      } catch (_) {
        out.select();
        $('snippet-status').textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
      }
    });
  }

  window.vrrecCourses = { answers, snippet };
})();
