// Progressive enhancement for the guided bid form. Without JavaScript the page works as it is:
// steps are shown by links (#step-…), buttons submit the form and the server does the work. With
// it, rows and sections change in place, ids are generated, and every change is checked on the
// server after a short pause: messages appear beside their fields, the summary, the step badges
// and the preview follow.
(() => {
  const form = document.getElementById('bid');
  if (!form) return;
  const token = form.querySelector('input[name=_csrf]').value;
  const preview = document.getElementById('preview');
  const status = document.getElementById('status');
  const stepInput = form.querySelector('input[name=_step]');
  const checkedInput = form.querySelector('input[name=_checked]');
  const openInput = form.querySelector('input[name=_open]');
  /** Paths the user has changed: their messages show at once, before any save. */
  const touched = new Set();
  let last = null;
  let timer = 0;
  let seq = 0;
  let dirty = false;

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const el = (tag, props = {}, text) => {
    const e = Object.assign(document.createElement(tag), props);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // ── Steps ──
  function showStep(id, focus) {
    const step = document.getElementById(`step-${id}`);
    if (!step) return;
    form
      .querySelectorAll('.steps-body > .step')
      .forEach((s) => s.classList.toggle('current', s === step));
    form.querySelectorAll('nav.progress a').forEach((a) => {
      if (a.getAttribute('href') === `#step-${id}`) a.setAttribute('aria-current', 'step');
      else a.removeAttribute('aria-current');
    });
    stepInput.value = id;
    if (id === 'check') markChecked(); // looking at the downloads is trying to finish
    if (focus) step.querySelector('.step-title')?.focus({ preventScroll: true });
  }
  function stepOfTarget() {
    const target = location.hash
      ? document.getElementById(decodeURIComponent(location.hash.slice(1)))
      : null;
    return target?.closest('.step')?.dataset.step;
  }
  window.addEventListener('hashchange', () => {
    const id = stepOfTarget();
    if (id) showStep(id, /^#step-/.test(location.hash));
  });
  if (stepOfTarget()) showStep(stepOfTarget(), false);

  function markChecked() {
    if (form.classList.contains('checked')) return;
    form.classList.add('checked');
    checkedInput.value = '1';
    if (last) place(last);
  }

  // ── Documents ticked decide the training step and the 偏离表 section ──
  function applyDocuments() {
    const ticked = new Set(
      [...form.querySelectorAll('input[name=documents]:checked')].map((c) => c.value),
    );
    form.querySelectorAll('[data-for-document]').forEach((x) => {
      const on = ticked.has(x.dataset.forDocument);
      if (x.tagName === 'LI') x.hidden = !on && !x.querySelector('.badge:not([hidden])');
      else if (x.classList.contains('step')) x.toggleAttribute('data-off', !on);
      else if (on) x.querySelector(':scope > details')?.setAttribute('open', '');
    });
  }

  // ── Rows ──
  function nextId(rows, prefix) {
    const used = new Set(
      [...rows.querySelectorAll(':scope > .row input[data-id-for]')].map((i) => i.value),
    );
    for (let n = 1; ; n++) if (!used.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
  }
  function addRow(listPath) {
    const list = form.querySelector(`[data-list="${CSS.escape(listPath)}"]`);
    const tpl = document.getElementById(`tpl-${listPath}`);
    if (!list || !tpl) return;
    const rows = list.querySelector(':scope > .rows');
    let next = 0;
    rows.querySelectorAll(':scope > .row').forEach((r) => {
      next = Math.max(next, Number(r.dataset.index) + 1);
    });
    // Each nesting level has its own placeholder, so rows inside the new row keep theirs.
    const ph = tpl.dataset.placeholder;
    rows.insertAdjacentHTML('beforeend', tpl.innerHTML.replaceAll(ph, String(next)));
    const row = rows.lastElementChild;
    const n = row.querySelector(':scope > .row-head .row-n');
    if (n) n.textContent = String(rows.querySelectorAll(':scope > .row').length);
    const id = row.querySelector(':scope > .row-fields > .field.id input[data-id-for]');
    if (id && !id.value) {
      id.value = nextId(rows, id.dataset.idFor);
      row.querySelector(':scope > .row-fields > .field.id .id-value').textContent = id.value;
    }
    row.querySelector('input:not([type=hidden]), textarea, select')?.focus();
    refreshRefs();
  }

  // References (a module's training audiences): checkboxes of the rows of another list.
  function refreshRefs() {
    form.querySelectorAll('.choices.refs').forEach((box) => {
      const source = form.querySelector(
        `[data-list="${CSS.escape(box.dataset.refsSource)}"] > .rows`,
      );
      if (!source) return;
      const checked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
      const known = [...source.querySelectorAll(':scope > .row')].map((r, i) => {
        const id = r.querySelector(':scope > .row-fields > .field.id input')?.value ?? '';
        const label = r.querySelector(
          `:scope > .row-fields input[name$=".${CSS.escape(box.dataset.refsLabel)}"]`,
        )?.value;
        return { id, label: label || `第 ${i + 1} 项` };
      });
      const unknown = [...checked].filter((v) => !known.some((k) => k.id === v));
      const name = box.dataset.name;
      box.replaceChildren(
        ...known
          .filter((k) => k.id)
          .map((k) => refOption(name, k.id, k.label, checked.has(k.id), true)),
        ...unknown.map((v) => refOption(name, v, `未定义的编号“${v}”`, true, false)),
      );
      if (!box.children.length)
        box.append(el('span', { className: 'muted empty-refs' }, '先在上方添加'));
    });
  }
  function refOption(name, value, label, on, known) {
    const l = el('label', { className: `check${known ? '' : ' unknown'}` });
    l.append(
      el('input', { type: 'checkbox', name, value, checked: on }),
      ' ',
      el('span', {}, label),
    );
    return l;
  }

  // Ordered lists (e.g. the escalation order): items are moved, removed and appended in place.
  // Buttons carry their item's index, as the server expects without JavaScript: renumber them.
  function renumber(box) {
    const path = box.dataset.ordered;
    const items = [...box.querySelectorAll(':scope > ol > li')];
    items.forEach((li, i) => {
      const name = li.querySelector('.item-label').textContent;
      li.dataset.index = String(i);
      for (const [cls, verb, off] of [
        ['up', '上移', i === 0],
        ['down', '下移', i === items.length - 1],
        ['remove-item', '删除', false],
      ]) {
        const b = li.querySelector(`button.${cls}`);
        b.value = `${cls === 'remove-item' ? 'remove' : cls}:${path}[${i}]`;
        b.setAttribute('aria-label', `${verb}：${name}`);
        b.disabled = off;
      }
      const errs = li.querySelector('[data-errors-for]');
      errs.id = `e-${path}[${i}]`;
      errs.dataset.errorsFor = `${path}[${i}]`;
    });
    // The select offers only items not yet chosen.
    const chosen = new Set(items.map((li) => li.querySelector('input').value));
    const select = box.querySelector('.order-add select');
    for (const o of select.options) {
      o.disabled = chosen.has(o.value);
      o.hidden = o.disabled;
    }
    if (select.selectedOptions[0]?.disabled) select.value = '';
    const free = [...select.options].some((o) => o.value && !o.disabled);
    select.disabled = !free;
    box.querySelector('.order-add button').disabled = !free;
  }

  function orderedAction(box, btn) {
    const [verb] = btn.value.split(':');
    const list = box.querySelector(':scope > ol');
    const li = btn.closest('li');
    if (verb === 'add') {
      const select = box.querySelector('.order-add select');
      const option = select.selectedOptions[0];
      if (!option?.value || option.disabled) {
        select.focus(); // nothing picked yet
        return;
      }
      const tpl = document.getElementById(`tpl-${box.dataset.ordered}`);
      list.insertAdjacentHTML('beforeend', tpl.innerHTML.replaceAll(tpl.dataset.placeholder, '0'));
      const item = list.lastElementChild;
      item.querySelector('input').value = option.value;
      item.querySelector('.item-label').textContent = option.textContent;
      renumber(box);
      if (select.disabled) item.querySelector('button.remove-item').focus();
    } else if (verb === 'remove') {
      const next = li.nextElementSibling ?? li.previousElementSibling;
      li.remove();
      renumber(box);
      (next?.querySelector('button.remove-item') ?? box.querySelector('.order-add select')).focus();
    } else {
      // Move the neighbour rather than this item, so the pressed button keeps the focus.
      if (verb === 'up' && li.previousElementSibling) li.after(li.previousElementSibling);
      if (verb === 'down' && li.nextElementSibling) li.before(li.nextElementSibling);
      renumber(box);
      if (btn.disabled) li.querySelector(verb === 'up' ? 'button.down' : 'button.up').focus();
    }
    changed();
  }

  // 移除 an optional section: everything in it emptied, the section collapsed.
  function clearSection(path) {
    const box = form.querySelector(`[data-section="${CSS.escape(path)}"]`);
    if (!box) return;
    box.querySelectorAll('.rows > .row').forEach((r) => r.remove());
    box.querySelectorAll('input, select, textarea').forEach((x) => {
      if (x.type === 'hidden') return;
      if (x.type === 'checkbox') x.checked = false;
      else x.value = '';
    });
    box.querySelectorAll('ol.order > li').forEach((li) => li.remove());
    box.querySelectorAll('[data-ordered]').forEach(renumber);
    box.querySelector(':scope > details')?.removeAttribute('open');
    box.querySelector(':scope > details > summary')?.focus();
  }

  form.addEventListener('click', (e) => {
    const goto = e.target.closest('a[data-goto]');
    if (goto) return; // the link changes the hash; hashchange shows the step
    const btn = e.target.closest('button[name=_action]');
    if (!btn) return;
    const v = btn.value;
    const box = btn.closest('[data-ordered]');
    if (v === 'save' || v.startsWith('save:')) {
      markChecked();
      return; // submitted
    }
    if (box && /^(add|remove|up|down):/.test(v)) {
      e.preventDefault();
      orderedAction(box, btn);
    } else if (v.startsWith('add:')) {
      e.preventDefault();
      addRow(v.slice(4));
      changed();
    } else if (v.startsWith('remove:')) {
      e.preventDefault();
      const row = btn.closest('.row');
      const rows = row?.parentElement;
      row?.remove();
      rows?.querySelectorAll(':scope > .row > .row-head .row-n').forEach((n, i) => {
        n.textContent = String(i + 1);
      });
      refreshRefs();
      changed();
    } else if (v.startsWith('clear:')) {
      e.preventDefault();
      clearSection(v.slice(6));
      changed();
    }
  });

  // A section opened on purpose stays open while empty (also across a page sent back by the server).
  form.addEventListener(
    'toggle',
    (e) => {
      const box = e.target.parentElement;
      if (!box?.dataset?.section || e.target.tagName !== 'DETAILS') return;
      const open = new Set(openInput.value.split(',').filter(Boolean));
      if (e.target.open) open.add(box.dataset.section);
      else open.delete(box.dataset.section);
      openInput.value = [...open].join(',');
    },
    true,
  );

  // A tender requirements file picked: read in the browser, sent to the server to be checked.
  const upload = document.getElementById('f-tender.upload');
  upload?.addEventListener('change', async () => {
    const file = upload.files?.[0];
    if (!file) return;
    form.querySelector('textarea[name=_tenderYaml]').value = await file.text();
    form.querySelector('button[value="tender:load"]').click();
  });

  // The value of a requirement is written in its field's kind: the example and unit follow the field.
  form.addEventListener('change', (e) => {
    const sel = e.target.closest('select.cond-field');
    if (!sel) return;
    const row = sel.closest('.row');
    const opt = sel.selectedOptions[0];
    const value = row.querySelector('input[name$=".value"]');
    if (value) value.placeholder = opt?.dataset.example || '先选择判定依据';
    const unit = row.querySelector('label .unit');
    if (unit) unit.textContent = opt?.dataset.unit ? `（${opt.dataset.unit}）` : '';
    const hidden = row.querySelector('input[name$=".unit"]');
    if (hidden) hidden.value = opt?.dataset.unit || '';
  });

  function changed(e) {
    dirty = true;
    const name = e?.target?.name;
    if (name) touched.add(name.replace(/\.(__orig|__shown|__pick)$/, ''));
    if (e?.target?.name === 'documents') applyDocuments();
    if (e?.target?.closest?.('[data-list="training.audiences"], [data-list="training.modules"]'))
      refreshRefs();
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  window.addEventListener('beforeunload', (e) => {
    if (dirty && !form.dataset.submitting) e.preventDefault();
  });
  form.addEventListener('submit', () => {
    form.dataset.submitting = '1';
  });

  /** Whether a message at `path` may show now. */
  const showable = (path, m) =>
    !m.deferred ||
    form.classList.contains('checked') ||
    [...touched].some((t) => t === path || t.startsWith(`${path}.`) || t.startsWith(`${path}[`));

  function place(data) {
    last = data;
    form.querySelectorAll('[data-errors-for]').forEach((ul) => {
      const path = ul.dataset.errorsFor;
      const list = (data.byPlace[path] || []).filter((m) => showable(path, m));
      ul.replaceChildren(
        ...list.map((m) => el('li', { className: m.warning ? 'warn' : 'err' }, m.text)),
      );
      const bad = list.some((m) => !m.warning);
      // An ordered list's item carries its own errors (a value that is no option).
      const item = ul.parentElement.tagName === 'LI' ? ul.parentElement : null;
      if (item) {
        item.classList.toggle('invalid', bad);
        return;
      }
      const field = ul.parentElement.classList.contains('field') ? ul.parentElement : null;
      if (field) {
        field.classList.toggle('invalid', bad);
        if (field.dataset.ordered === undefined)
          field
            .querySelectorAll('input:not([type=hidden]), select, textarea')
            .forEach((x) => x.setAttribute('aria-invalid', bad ? 'true' : 'false'));
      }
      // A message inside a closed section opens it.
      if (list.length) {
        const d = ul.closest('details:not([open])');
        if (d && !d.classList.contains('row-help')) d.open = true;
      }
    });
    // The summary, in words, each entry a link to its field.
    const checked = form.classList.contains('checked');
    const entry = (e) => {
      const li = el('li', { className: e.warning ? 'warn' : 'err' });
      li.append(el('a', { href: `#${e.anchor}` }, e.label), `：${e.text}`);
      return li;
    };
    const errs = data.summary.filter((e) => !e.warning && (checked || showable(e.path, e)));
    document.getElementById('summary-list')?.replaceChildren(...errs.map(entry));
    document
      .getElementById('summary-warn')
      ?.replaceChildren(...data.summary.filter((e) => e.warning).map(entry));
    const none = document.getElementById('summary-none');
    if (none) none.hidden = data.errorCount > 0;
    const perStep = {};
    for (const e of data.summary)
      if (!e.warning && (checked || showable(e.path, e)))
        perStep[e.step] = (perStep[e.step] || 0) + 1;
    form.querySelectorAll('[data-badge]').forEach((b) => {
      const n = perStep[b.dataset.badge] || 0;
      b.textContent = String(n);
      b.hidden = n === 0;
      b.classList.remove('deferred');
    });
    applyDocuments();
    const saveHint = dirty ? '（未保存）' : '';
    status.replaceChildren(
      errs.length
        ? el('strong', { className: 'bad' }, `${errs.length} 处需要修改${saveHint}`)
        : data.errorCount
          ? el('span', { className: 'muted' }, `未填写完整${saveHint}`)
          : el('strong', { className: 'good' }, `填写完整${saveHint}`),
    );
    // Downloads are of the saved version: after a change, saving comes first.
    const dl = document.getElementById('downloads');
    if (dl && dirty) {
      dl.replaceChildren(
        el('h3', {}, '下载'),
        el('p', { className: 'muted' }, '有未保存的修改：请先保存，再下载。'),
      );
    }
    const legend = preview.querySelector('.legend');
    const parts = [];
    // Document HTML comes from the server's HTML writer, which escapes every value.
    for (const d of data.docs) parts.push(`<h2 class="doc-title">${esc(d.title)}</h2>${d.html}`);
    if (!data.docs.length) parts.push('<p class="muted">暂无预览。</p>');
    preview.innerHTML = parts.join('');
    if (legend) preview.prepend(legend);
  }

  async function refresh() {
    const mine = ++seq;
    const body = new URLSearchParams(new FormData(form));
    body.delete('_action');
    let data;
    try {
      const res = await fetch('/api/preview', {
        method: 'POST',
        headers: { 'x-csrf-token': token },
        body,
      });
      data = await res.json();
      if (!res.ok) {
        status.replaceChildren(
          el('strong', { className: 'bad' }, data.error || '检查失败，请稍后再试'),
        );
        return;
      }
    } catch {
      return;
    }
    if (mine !== seq) return; // a newer edit is on its way
    place(data);
  }
})();
