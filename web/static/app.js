// Progressive enhancement for the bid form: rows are added/removed in place, and every change
// is validated on the server and re-previewed after a short pause. Without JavaScript the same
// buttons submit the form and the server does the work.
(() => {
  const form = document.getElementById('bid');
  if (!form) return;
  const token = form.querySelector('input[name=_csrf]').value;
  const preview = document.getElementById('preview');
  const status = document.getElementById('status');
  let timer = 0;
  let seq = 0;

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
    rows.lastElementChild?.querySelector('input, textarea, select')?.focus();
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
    schedule();
  }

  form.addEventListener('click', (e) => {
    const btn = e.target.closest('button[name=_action]');
    if (!btn) return;
    const v = btn.value;
    const box = btn.closest('[data-ordered]');
    if (box && /^(add|remove|up|down):/.test(v)) {
      e.preventDefault();
      orderedAction(box, btn);
    } else if (v.startsWith('add:')) {
      e.preventDefault();
      addRow(v.slice(4));
      schedule();
    } else if (v.startsWith('remove:')) {
      e.preventDefault();
      btn.closest('.row')?.remove();
      schedule();
    }
  });
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  function showErrors(errors, warnings) {
    form.querySelectorAll('[data-errors-for]').forEach((ul) => {
      const path = ul.dataset.errorsFor;
      const list = [
        ...(errors[path] || []).map((m) => ['', m]),
        ...(warnings[path] || []).map((m) => ['warn', m]),
      ];
      ul.replaceChildren(
        ...list.map(([cls, m]) => {
          const li = document.createElement('li');
          li.textContent = m;
          if (cls) li.className = cls;
          return li;
        }),
      );
      // An ordered list's item carries its own errors (a value that is no option).
      const item = ul.parentElement.tagName === 'LI' ? ul.parentElement : null;
      if (item) {
        item.classList.toggle('invalid', Boolean(errors[path]));
        return;
      }
      const field = ul.closest('.field');
      if (field?.dataset.ordered !== undefined)
        field.classList.toggle('invalid', Boolean(errors[path]));
      else if (field) {
        field.classList.toggle('invalid', Boolean(errors[path]));
        field
          .querySelectorAll('input, select, textarea')
          .forEach((el) => el.setAttribute('aria-invalid', errors[path] ? 'true' : 'false'));
      }
    });
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
        status.innerHTML = '';
        status.append(
          Object.assign(document.createElement('strong'), {
            className: 'bad',
            textContent: data.error || '预览失败',
          }),
        );
        return;
      }
    } catch {
      return;
    }
    if (mine !== seq) return; // a newer edit is on its way
    showErrors(data.errors, data.warnings);
    status.replaceChildren(
      Object.assign(document.createElement('strong'), {
        className: data.errorCount ? 'bad' : 'good',
        textContent: data.errorCount
          ? `${data.errorCount} 处需要修改（未保存）`
          : '填写完整（未保存）',
      }),
    );
    const legend = preview.querySelector('.legend');
    const parts = [];
    if (data.renderProblems.length)
      parts.push(
        `<ul class="errors block">${data.renderProblems.map((p) => `<li>${p.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</li>`).join('')}</ul>`,
      );
    // Document HTML comes from the server's HTML writer, which escapes every value.
    for (const d of data.docs) parts.push(`<h2 class="doc-title">${d.title}</h2>${d.html}`);
    if (!data.docs.length && !data.renderProblems.length)
      parts.push('<p class="muted">修改完上述问题后显示文件预览。</p>');
    preview.innerHTML = parts.join('');
    if (legend) preview.prepend(legend);
  }
})();
