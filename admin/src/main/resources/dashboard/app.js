'use strict';
// Flintn Webhooks customer dashboard: plain ES2020, one classic script, no dependencies.
// API-supplied text only ever reaches the page through textContent / text nodes, never as HTML.
// The signing secret is never logged or stored: it lives in the secret dialog until it closes.

(function flintnDashboard() {
  const KEY_STORAGE = 'flintn.webhooks.apiKey';
  const ATTEMPTS_LIMIT = 50;
  const MAX_ATTEMPTS = 5;
  const ATTEMPTS_POLL_MS = 3000;
  const LIST_POLL_MS = 10000;
  const DEAD_LETTERS_LIMIT = 50;
  const DEAD_LETTERS_POLL_MS = 10000; // not faster: each read scans the dead-letter topic
  const FILTER_DEBOUNCE_MS = 400;
  const UNREACHABLE = 'The admin server is unreachable. Check your connection and that the server is running, then try again.';
  const STATUS_NOTES = {
    attempts_exhausted: 'Disabled after 5 failed delivery attempts. Fix the endpoint, then reactivate it.',
    requested: 'Disabled on request.',
    disabled: 'Events that occur while it is disabled are not delivered to it, not even after it is reactivated.',
    revoked: 'Revoked. This endpoint receives no events and cannot be reactivated.',
    revokedNote: 'Its delivery history stays visible below. Create a new endpoint to receive events again.',
  };
  const ACTIONS_BY_STATUS = { active: ['test', 'rotate', 'disable', 'revoke'], disabled: ['reactivate', 'rotate', 'revoke'] };
  const ALL_ACTIONS = ['test', 'reactivate', 'rotate', 'disable', 'revoke'];
  const OUTCOME_TONES = {
    delivered: 'ok', retry_scheduled: 'retry', deferred_endpoint_busy: 'retry',
    dead_lettered: 'fail', gave_up: 'fail', rejected_unsafe_url: 'fail',
  };
  const DEAD_LETTER_REASONS = {
    attempts_exhausted: `${MAX_ATTEMPTS} attempts failed`, client_error: 'Refused (4xx)', unsafe_url: 'Unsafe URL',
  };
  const DEAD_LETTERS_EMPTY = {
    all: 'No dead letters. Deliveries that fail for good appear here.',
    filtered: 'No dead letters match these filters.',
  };

  const freshState = () => ({
    key: null, endpoints: [], listSignature: '', listLoaded: false, selectedId: null, creating: false,
    attempts: [], attemptsFor: null, attemptsAt: 0, seenAttempts: new Set(), editBase: null,
    listPending: false, attemptsPending: null, pollFailing: false, pollError: false, timers: [],
    deadLetters: [], deadLettersCount: 0, deadLettersMore: false, deadLettersFor: null, deadLettersAt: 0, deadLettersFiltered: false,
    deadLettersQuery: '', deadLettersSeq: 0, deadLettersPending: false, statusSeen: null,
    eventTypes: null, // the catalogue from GET /v1/event-types; null or empty: free text
    notices: [], failing: {}, noticesPending: false, // failure notifications (GET /v1/notifications)
  });
  let state = freshState();

  const byId = (id) => document.getElementById(id);
  const show = (id, visible) => { byId(id).hidden = !visible; };
  const setText = (id, text) => { byId(id).textContent = text; };
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const narrowScreen = window.matchMedia('(max-width: 859px)');
  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

  // ---------- DOM & time helpers ----------

  function h(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of [].concat(children)) if (child != null) node.append(child); // strings become text nodes
    return node;
  }

  function setBadge(node, status) {
    const token = String(status || 'unknown').toLowerCase().replace(/[^a-z0-9_-]/g, '');
    node.className = `badge badge-${token}`;
    node.textContent = status || 'unknown';
    return node;
  }

  function formatDate(iso) {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? '—' : dateFormat.format(t);
  }
  function relativeTime(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return '—';
    const seconds = Math.round((Date.now() - t) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 5) return 'just now';
    if (abs >= 7 * 86400) return formatDate(iso);
    const span = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.floor(abs / 60)} min`
      : abs < 86400 ? `${Math.floor(abs / 3600)} h` : `${Math.floor(abs / 86400)} d`;
    return seconds > 0 ? `${span} ago` : `in ${span}`;
  }

  function setTime(node, iso) {
    node.textContent = formatDate(iso);
    node.dateTime = iso || '';
    node.title = iso || '';
  }

  // ---------- API ----------

  const apiError = (status, code, message) => Object.assign(new Error(message), { api: true, status, code });

  async function api(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${state.key}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw apiError(0, 'unreachable', UNREACHABLE);
    }
    let payload = null;
    try { payload = JSON.parse(await response.text()); } catch { /* empty or not JSON */ }
    if (response.ok) return payload || {};
    const error = (payload && payload.error) || {};
    const fallback = response.status >= 502 && response.status <= 504
      ? 'The webhook service is temporarily unavailable. Try again in a moment.'
      : `The request failed (HTTP ${response.status}).`;
    throw apiError(response.status, error.code || `http_${response.status}`, error.message || fallback);
  }

  const endpointPath = (id, action) => `/v1/webhooks/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

  // ---------- Banners, errors & busy buttons ----------

  let noticeTimer = 0;

  function showError(message, fromPoll = false) {
    setText('error-message', message);
    show('error-banner', true);
    state.pollError = fromPoll;
  }
  function hideError() {
    show('error-banner', false);
    state.pollError = false;
  }

  function showNotice(parts) {
    byId('notice-message').replaceChildren(...[].concat(parts));
    show('notice', true);
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(hideNotice, 8000);
  }
  function hideNotice() {
    clearTimeout(noticeTimer);
    show('notice', false);
  }

  function handleError(err, fromPoll = false) {
    if (!err.api) {
      console.error(err);
      showError('Something went wrong in the dashboard. Reload the page and try again.');
    } else if (err.status === 401) {
      signOut();
      showError(err.message);
    } else {
      showError(err.message, fromPoll);
    }
  }

  // Runs a read. A background refresh reports a failure once and removes its own banner on recovery;
  // answers that arrive after a sign-out are ignored.
  async function guardedLoad(background, task) {
    const key = state.key;
    try {
      await task(() => key === state.key);
      if (background && key === state.key && state.pollFailing) {
        state.pollFailing = false;
        if (state.pollError) hideError();
      }
    } catch (err) {
      if (key !== state.key) return;
      if (!background || err.status === 401) { handleError(err); return; }
      if (!state.pollFailing) handleError(err, true);
      state.pollFailing = true;
    }
  }

  // Disables the buttons while the task runs; the first one shows a spinner. Errors go to the banner.
  async function whileBusy(buttons, task) {
    const list = [].concat(buttons);
    if (list[0].getAttribute('aria-busy') === 'true') return;
    const wasDisabled = list.map((b) => b.disabled);
    list.forEach((b) => { b.disabled = true; });
    list[0].setAttribute('aria-busy', 'true');
    try {
      await task();
    } catch (err) {
      handleError(err);
    } finally {
      list.forEach((b, i) => { b.disabled = wasDisabled[i]; });
      list[0].removeAttribute('aria-busy');
    }
  }

  // ---------- Key & session ----------

  const storedKey = {
    get() { try { return sessionStorage.getItem(KEY_STORAGE); } catch { return null; } },
    set(key) { try { sessionStorage.setItem(KEY_STORAGE, key); } catch { /* blocked: the key stays in memory */ } },
    clear() { try { sessionStorage.removeItem(KEY_STORAGE); } catch { /* nothing stored */ } },
  };

  function showScreen(signedIn) {
    show('key-screen', !signedIn);
    show('app', signedIn);
    show('sign-out', signedIn);
    if (!signedIn) {
      show('account-id', false);
      byId('api-key').focus();
    }
  }

  async function onConnect(event) {
    event.preventDefault();
    const input = byId('api-key');
    const key = input.value.trim();
    setFieldError('api-key', key ? '' : 'Enter your API key.');
    if (!key) { input.focus(); return; }
    await whileBusy(byId('connect'), async () => {
      hideError();
      state.key = key;
      const result = await api('GET', '/v1/webhooks'); // validates the key
      storedKey.set(key);
      input.value = '';
      showScreen(true);
      setEndpoints(result.data);
      startPolling();
      loadEventTypes();
      loadNotifications();
      byId('create-open').focus();
    });
    if (byId('app').hidden) { state.key = null; input.focus(); input.select(); }
  }

  function signOut() {
    stopPolling();
    storedKey.clear();
    state = freshState();
    for (const id of ['confirm-dialog', 'secret-panel']) if (byId(id).open) byId(id).close();
    byId('secret-value').value = '';
    hideNotice();
    hideError();
    byId('endpoints').replaceChildren();
    renderNotifications();
    byId('attempts-body').replaceChildren();
    byId('dead-letters-body').replaceChildren();
    byId('dead-letters').removeAttribute('aria-busy');
    resetDeadLetterFilters();
    resetDeliverySearch();
    byId('create-form').reset();
    renderPickers();
    ['create-panel', 'detail', 'endpoints', 'endpoints-empty'].forEach((id) => show(id, false));
    show('endpoints-loading', true);
    setText('endpoints-loading', 'Loading endpoints…');
    showScreen(false);
  }

  // ---------- Polling ----------

  const tabVisible = () => document.visibilityState === 'visible';
  const detailOpen = () => Boolean(state.selectedId) && !byId('detail').hidden;

  function startPolling() {
    stopPolling();
    state.timers.push(
      setInterval(() => { if (tabVisible() && detailOpen()) loadAttempts(true); }, ATTEMPTS_POLL_MS),
      setInterval(() => { if (tabVisible()) loadEndpoints(true); }, LIST_POLL_MS),
      setInterval(() => { if (tabVisible() && detailOpen()) loadDeadLetters(true); }, DEAD_LETTERS_POLL_MS),
      setInterval(() => { if (tabVisible()) loadNotifications(true); }, LIST_POLL_MS),
    );
  }
  function stopPolling() {
    state.timers.forEach(clearInterval);
    state.timers = [];
  }

  function onVisibilityChange() { // catch up at once when the tab comes back
    if (!tabVisible() || !state.key || byId('app').hidden) return;
    loadEndpoints(true);
    loadNotifications(true);
    if (detailOpen()) { loadAttempts(true); loadDeadLetters(true); }
  }

  // ---------- Endpoint list ----------

  const findEndpoint = (id) => state.endpoints.find((ep) => ep.id === id) || null;
  const selectedEndpoint = () => findEndpoint(state.selectedId);

  // Active and disabled first, revoked last; newest first within each group.
  function compareEndpoints(a, b) {
    const revoked = Number(a.status === 'revoked') - Number(b.status === 'revoked');
    return revoked || (Date.parse(b.created_at) || 0) - (Date.parse(a.created_at) || 0);
  }

  async function loadEndpoints(background = false) {
    if (state.listPending || !state.key) return;
    state.listPending = true;
    await guardedLoad(background, async (current) => {
      const result = await api('GET', '/v1/webhooks');
      if (current()) setEndpoints(result.data);
    });
    state.listPending = false;
    if (state.key && !state.listLoaded) setText('endpoints-loading', 'Could not load endpoints. Retrying every 10 seconds.');
  }

  function setEndpoints(list) {
    state.endpoints = (Array.isArray(list) ? list.slice() : []).sort(compareEndpoints);
    state.listLoaded = true;
    if (state.selectedId && !selectedEndpoint()) clearSelection();
    renderEndpoints();
    renderDetail();
  }

  function upsertEndpoint(endpoint) {
    if (!endpoint || !endpoint.id) return;
    setEndpoints([...state.endpoints.filter((ep) => ep.id !== endpoint.id), endpoint]);
  }

  function eventChips(types, max = Infinity) {
    const list = Array.isArray(types) ? types : [];
    const chips = list.slice(0, max).map((type) => (type === '*'
      ? h('span', { class: 'chip chip-all', text: 'All events (*)' })
      : h('span', { class: 'chip', text: type, title: type })));
    if (list.length > max) {
      chips.push(h('span', { class: 'chip chip-more', text: `+${list.length - max} more`, title: list.slice(max).join(', ') }));
    }
    return h('span', { class: 'chips' }, chips);
  }

  function endpointItem(ep) {
    return h('li', {}, [h('button', {
      type: 'button',
      class: `endpoint${ep.status === 'revoked' ? ' is-revoked' : ''}`,
      'data-endpoint-id': ep.id,
      'aria-current': ep.id === state.selectedId ? 'true' : null,
    }, [
      h('span', { class: 'endpoint-top' }, [
        h('span', { class: 'endpoint-name', text: ep.name || 'Untitled endpoint' }),
        setBadge(h('span'), ep.status),
        failingBadge(ep),
      ]),
      h('span', { class: 'endpoint-url mono', text: ep.url, title: ep.url }),
      eventChips(ep.event_types, 3),
    ])]);
  }

  function renderEndpoints() {
    const signature = JSON.stringify([state.endpoints, state.selectedId, state.failing]);
    if (signature === state.listSignature) return; // unchanged: keep the DOM (and hover, focus) as it is
    state.listSignature = signature;
    const focused = document.activeElement && document.activeElement.closest('.endpoint');
    byId('endpoints').replaceChildren(...state.endpoints.map(endpointItem));
    const count = state.endpoints.length;
    show('endpoints', count > 0);
    show('endpoints-empty', count === 0);
    show('endpoints-loading', false);
    const active = state.endpoints.filter((ep) => ep.status === 'active').length;
    setText('endpoint-count', count === 0 ? 'Receive events on your own server.'
      : `${count} endpoint${count === 1 ? '' : 's'} · ${active} active`);
    if (focused) focusEndpointButton(focused.dataset.endpointId);
    const withAccount = state.endpoints.find((ep) => ep.account_id);
    setText('account-id-value', withAccount ? withAccount.account_id : '');
    show('account-id', Boolean(withAccount));
  }

  function focusEndpointButton(id) {
    const button = Array.from(byId('endpoints').querySelectorAll('.endpoint')).find((b) => b.dataset.endpointId === id);
    if (button) button.focus();
  }

  // ---------- Selection & detail ----------

  function clearSelection() {
    Object.assign(state, {
      selectedId: null, attempts: [], attemptsFor: null, editBase: null,
      deadLetters: [], deadLettersCount: 0, deadLettersMore: false, deadLettersFor: null, deadLettersQuery: '', statusSeen: null,
    });
    state.seenAttempts.clear();
    resetDeadLetterFilters();
  }

  function selectEndpoint(id) {
    if (!findEndpoint(id)) return;
    if (state.selectedId !== id) {
      clearSelection();
      state.selectedId = id;
    }
    setCreating(false, false);
    renderEndpoints();
    renderDetail();
    renderAttempts();
    renderDeadLetters();
    loadAttempts();
    loadDeadLetters();
    if (narrowScreen.matches) { // stacked layout: bring the detail into view
      byId('detail').scrollIntoView({ block: 'start' });
      byId('detail-name').focus({ preventScroll: true });
    }
  }

  function renderDetail() {
    const ep = selectedEndpoint();
    show('detail', ep && !state.creating);
    show('detail-placeholder', !ep && !state.creating);
    if (!ep) return;
    const revoked = ep.status === 'revoked';
    byId('detail').classList.toggle('is-revoked', revoked);
    setText('detail-name', ep.name || 'Untitled endpoint');
    setBadge(byId('detail-status'), ep.status);
    setText('detail-url', ep.url || '');
    setText('detail-id', ep.id);
    byId('detail-events').replaceChildren(eventChips(ep.event_types));
    renderRateLimit(ep);
    setTime(byId('detail-created'), ep.created_at);
    setTime(byId('detail-updated'), ep.updated_at);
    const allowed = ACTIONS_BY_STATUS[ep.status] || [];
    for (const action of ALL_ACTIONS) show(`action-${action}`, allowed.includes(action));
    show('detail-actions', allowed.length > 0);
    // Why the endpoint is not active, in plain words.
    const disabled = ep.status === 'disabled';
    const reason = disabled ? (STATUS_NOTES[ep.disabled_reason] || 'Disabled.') : (revoked ? STATUS_NOTES.revoked : '');
    show('detail-reason-box', Boolean(reason));
    byId('detail-reason-box').className = `callout ${revoked ? 'callout-neutral' : 'callout-warning'}`;
    setText('detail-reason', reason);
    setText('detail-reason-note', disabled ? STATUS_NOTES.disabled : (revoked ? STATUS_NOTES.revokedNote : ''));
    // Secret rotation grace period.
    const until = ep.previous_secret_expires_at;
    const inGrace = Boolean(until) && Date.parse(until) > Date.now() && !revoked;
    show('detail-rotation', inGrace);
    setText('detail-rotation-text', inGrace
      ? `Secret rotation in progress. Your previous secret keeps signing deliveries as X-Signature-Secondary until ${formatDate(until)} (${relativeTime(until)}). Switch your receiver to the new secret before then.`
      : '');
    renderFailingNote(ep);
    renderEditForm(ep);
    renderDeadLetterActions(ep);
    renderRecoverBar(ep);
    reloadDeadLettersOnStatusChange(ep);
  }

  // ---------- Edit form ----------

  function fillEditForm(ep) {
    const values = { name: ep.name || '', url: ep.url || '', events: (ep.event_types || []).join(', '), rate: rateLimitInputValue(ep) };
    byId('edit-rate').value = values.rate;
    byId('edit-name').value = values.name;
    byId('edit-url').value = values.url;
    byId('edit-events').value = values.events;
    state.editBase = { id: ep.id, updatedAt: ep.updated_at, ...values };
    clearFieldErrors('edit');
    byId('edit-events-filter').value = '';
    renderPicker('edit');
  }

  function renderEditForm(ep) {
    show('edit-section', ep.status !== 'revoked');
    const base = state.editBase;
    const dirty = Boolean(base) && ['name', 'url', 'events', 'rate'].some((f) => byId(`edit-${f}`).value !== base[f]);
    // Never overwrite what the user is typing: refill only for another endpoint or an untouched form.
    if (!base || base.id !== ep.id || (base.updatedAt !== ep.updated_at && !dirty)) fillEditForm(ep);
  }

  async function onEditSubmit(event) {
    event.preventDefault();
    const ep = selectedEndpoint();
    const values = ep && readEndpointForm('edit');
    if (!values) return;
    const patch = {}; // only the fields that changed
    if (values.name !== ep.name) patch.name = values.name;
    if (values.url !== ep.url) patch.url = values.url;
    if (values.event_types.join(',') !== (ep.event_types || []).join(',')) patch.event_types = values.event_types;
    addRateLimitPatch(patch, values, ep);
    if (Object.keys(patch).length === 0) { showNotice('No changes to save.'); return; }
    await whileBusy([byId('edit-save'), byId('edit-reset')], async () => {
      hideError();
      const updated = await api('PATCH', endpointPath(ep.id), patch);
      state.editBase = null; // refill the form from the saved endpoint
      upsertEndpoint(updated);
      showNotice('Changes saved.');
    });
  }

  // Light client-side checks; the server has the final word and its message is shown as is.
  function readEndpointForm(prefix) {
    const name = byId(`${prefix}-name`).value.trim();
    const url = byId(`${prefix}-url`).value.trim();
    const eventTypes = [...new Set(byId(`${prefix}-events`).value.split(/[\s,]+/).filter(Boolean))];
    const problems = {
      name: !name ? 'Enter a name.' : (name.length > 100 ? 'Use at most 100 characters.' : ''),
      url: urlProblem(url),
      events: eventTypes.length ? ''
        : catalogue().length ? 'Select at least one event type, or All events (*).' : 'Enter at least one event type, or * for all events.',
    };
    const rate = readRateLimit(prefix);
    problems.rate = rate.problem;
    let first = null;
    for (const [field, message] of Object.entries(problems)) {
      setFieldError(`${prefix}-${field}`, message);
      if (message && !first) first = byId(`${prefix}-${field}`);
    }
    if (first) {
      (first.hidden && first.id === `${prefix}-events` ? byId(`${prefix}-events-filter`) : first).focus();
      return null;
    }
    const values = { name, url, event_types: eventTypes };
    if (rate.value !== null) values.rate_limit = rate.value; // absent on create: no limit
    return values;
  }

  function urlProblem(url) {
    if (!url) return 'Enter the URL to deliver events to.';
    let parsed;
    try { parsed = new URL(url); } catch { return 'Enter a full URL, for example https://example.com/webhooks.'; }
    return parsed.protocol === 'https:' ? '' : 'The URL must start with https://.';
  }

  function setFieldError(inputId, message) {
    setText(`${inputId}-error`, message);
    show(`${inputId}-error`, Boolean(message));
    if (message) byId(inputId).setAttribute('aria-invalid', 'true');
    else byId(inputId).removeAttribute('aria-invalid');
  }
  function clearFieldErrors(prefix) {
    for (const field of ['name', 'url', 'events', 'rate']) setFieldError(`${prefix}-${field}`, '');
  }

  // ---------- Rate limit (rate_limit) ----------
  // An optional whole number of events a second, 1 to 10,000; empty means no limit. The detail
  // shows it, the forms set it, and an edit sends it only when it changed (null removes it).

  const RATE_LIMIT_MAX = 10000;

  function rateLimitInputValue(ep) {
    return Number.isInteger(ep.rate_limit) ? String(ep.rate_limit) : '';
  }

  function renderRateLimit(ep) {
    const limit = ep.rate_limit;
    setText('detail-rate-limit', Number.isInteger(limit)
      ? `${limit.toLocaleString()} event${limit === 1 ? '' : 's'} / second`
      : 'No limit');
  }

  // { value: number or null, problem: '' or a message } from the form's rate field.
  function readRateLimit(prefix) {
    const text = byId(`${prefix}-rate`).value.trim().replace(/[\s,_]/g, '');
    if (!text) return { value: null, problem: '' };
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > RATE_LIMIT_MAX) {
      return { value: null, problem: 'Enter a whole number of events per second from 1 to 10,000, or leave it empty for no limit.' };
    }
    return { value: n, problem: '' };
  }

  function addRateLimitPatch(patch, values, ep) {
    const now = Number.isInteger(ep.rate_limit) ? ep.rate_limit : null;
    const wanted = values.rate_limit === undefined ? null : values.rate_limit;
    if (wanted !== now) patch.rate_limit = wanted;
  }

  // ---------- Event-type picker ----------
  // With a catalogue, the forms offer it as checkboxes with a filter box; the selection is kept in
  // the (then hidden) text field, which the form reads as before. Without one: free text.

  const catalogue = () => state.eventTypes || [];
  const typesIn = (prefix) => [...new Set(byId(`${prefix}-events`).value.split(/[\s,]+/).filter(Boolean))];

  async function loadEventTypes() {
    const key = state.key;
    if (!key) return;
    try {
      const result = await api('GET', '/v1/event-types');
      if (key !== state.key) return;
      state.eventTypes = Array.isArray(result.data) ? result.data : [];
    } catch (err) {
      if (key !== state.key) return;
      if (err.status === 401) { handleError(err); return; }
      // otherwise keep what was loaded before (or free text): the server checks the names anyway
    }
    renderPickers();
  }

  function renderPickers() {
    renderPicker('create');
    renderPicker('edit');
  }

  function renderPicker(prefix) {
    const useList = catalogue().length > 0;
    show(`${prefix}-events`, !useList);
    show(`${prefix}-events-hint`, !useList);
    show(`${prefix}-events-picker`, useList);
    byId(`${prefix}-events-label`).htmlFor = useList ? `${prefix}-events-filter` : `${prefix}-events`;
    if (!useList) return;
    const selected = new Set(typesIn(prefix));
    const known = new Set(catalogue().map((t) => t.name));
    const entries = catalogue().map((t) => ({ name: t.name, description: t.description || '' }));
    for (const name of selected) {
      if (name !== '*' && !known.has(name)) {
        entries.push({ name, description: 'No longer offered. Kept while it stays selected.', retired: true });
      }
    }
    byId(`${prefix}-events-all`).checked = selected.has('*');
    byId(`${prefix}-events-options`).replaceChildren(...entries.map((t) => h('label', {
      class: t.retired ? 'type-option type-retired' : 'type-option', 'data-type': t.name,
    }, [
      h('input', { type: 'checkbox', value: t.name, checked: selected.has(t.name) }),
      h('span', { class: 'type-text' }, [
        h('span', { class: 'type-name', text: t.name }),
        t.description ? h('span', { class: 'type-description', text: t.description }) : null,
      ]),
    ])));
    filterPicker(prefix);
  }

  function onPickerChange(prefix, event) {
    const box = event.target;
    if (!box || box.type !== 'checkbox') return;
    const all = byId(`${prefix}-events-all`);
    const boxes = [...byId(`${prefix}-events-options`).querySelectorAll('input[type=checkbox]')];
    if (box === all && all.checked) boxes.forEach((b) => { b.checked = false; });
    if (box !== all && box.checked) all.checked = false;
    byId(`${prefix}-events`).value = (all.checked ? ['*'] : boxes.filter((b) => b.checked).map((b) => b.value)).join(', ');
    setFieldError(`${prefix}-events`, '');
  }

  function filterPicker(prefix) {
    const query = byId(`${prefix}-events-filter`).value.trim().toLowerCase();
    let shown = 0;
    for (const option of byId(`${prefix}-events-options`).children) {
      const match = !query || option.textContent.toLowerCase().includes(query);
      option.hidden = !match;
      if (match) shown += 1;
    }
    show(`${prefix}-events-none`, shown === 0);
  }

  // ---------- Create ----------

  // The create form takes the detail's place while it is open.
  function setCreating(open, moveFocus = true) {
    if (open === state.creating) return;
    state.creating = open;
    byId('create-form').reset();
    clearFieldErrors('create');
    show('create-panel', open);
    renderPicker('create');
    if (open) loadEventTypes(); // the catalogue may have changed since sign-in
    renderDetail();
    if (open) byId('create-panel').scrollIntoView({ block: 'nearest' });
    if (moveFocus) byId(open ? 'create-name' : 'create-open').focus();
  }

  async function onCreateSubmit(event) {
    event.preventDefault();
    const values = readEndpointForm('create');
    if (!values) return;
    await whileBusy([byId('create-submit'), byId('create-cancel')], async () => {
      hideError();
      const { secret, ...endpoint } = await api('POST', '/v1/webhooks', values);
      upsertEndpoint(endpoint);
      selectEndpoint(endpoint.id);
      const types = endpoint.event_types || [];
      const receives = types.includes('*') ? 'all events' : types.length === 1 ? types[0] : `${types.length} event types`;
      showSecret(secret, 'Endpoint created',
        `“${endpoint.name}” is active and receives ${receives}. Use this secret to verify that deliveries come from Flintn.`);
    });
  }

  // ---------- Actions ----------

  // POST path and what to do with the answer (by default: show the returned endpoint and a notice).
  // The confirmation copy is in the buttons' data-confirm-* attributes in index.html.
  const ACTION_SPECS = {
    test: { path: 'test', done: onTestSent },
    rotate: { path: 'rotate-secret', done: onRotated },
    reactivate: { path: 'reactivate', notice: 'Endpoint reactivated. New events are delivered to it again.' },
    disable: { path: 'disable', notice: 'Endpoint disabled.' },
    revoke: { path: 'revoke', notice: 'Endpoint revoked.' },
  };

  async function runAction(name) {
    const ep = selectedEndpoint();
    const clicked = byId(`action-${name}`);
    if (!ep || (clicked.dataset.confirmTitle && !(await confirmDialog(clicked.dataset, ep.name)))) return;
    const others = ALL_ACTIONS.filter((a) => a !== name).map((a) => byId(`action-${a}`));
    const spec = ACTION_SPECS[name];
    await whileBusy([clicked, ...others], async () => {
      hideError();
      const result = await api('POST', endpointPath(ep.id, spec.path));
      if (spec.done) spec.done(result);
      else { upsertEndpoint(result); showNotice(spec.notice); }
    });
    // A status change may hide the button that had focus: move focus to the endpoint's name.
    const active = document.activeElement;
    if ((!active || active === document.body || active.hidden) && detailOpen()) {
      (clicked.hidden ? byId('detail-name') : clicked).focus();
    }
  }

  function onTestSent(result) {
    showNotice(['Test event ', h('code', { text: result.event_id || '' }), ' sent. Its delivery attempt appears under Recent attempts in a few seconds.']);
    setTimeout(() => { if (detailOpen()) loadAttempts(true); }, 1000);
  }

  function onRotated(result) {
    const { secret, ...endpoint } = result;
    upsertEndpoint(endpoint);
    const until = endpoint.previous_secret_expires_at;
    const grace = until
      ? ` Your previous secret keeps signing as X-Signature-Secondary until ${formatDate(until)}; update your receiver before then.`
      : '';
    showSecret(secret, 'New signing secret', `Deliveries are now signed with this secret in X-Signature-Primary.${grace}`);
  }

  // ---------- Dialogs ----------

  // Resolves true when the user confirms. `copy` holds confirmTitle, confirmMessage ({name}), confirmOk, confirmDanger.
  function confirmDialog(copy, name) {
    const dialog = byId('confirm-dialog');
    setText('confirm-title', copy.confirmTitle);
    setText('confirm-message', copy.confirmMessage.replace('{name}', name || 'This endpoint'));
    setText('confirm-ok', copy.confirmOk);
    byId('confirm-ok').className = `btn ${copy.confirmDanger ? 'btn-danger' : 'btn-primary'}`;
    dialog.returnValue = '';
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      byId('confirm-cancel').focus(); // the safe choice is the default
    });
  }

  function showSecret(secret, title, intro) {
    if (!secret) {
      showError('The server did not return a signing secret. Rotate the secret to get a new one.');
      return;
    }
    setText('secret-title', title);
    setText('secret-intro', intro);
    setText('secret-copy', 'Copy');
    setText('secret-copy-status', '');
    byId('secret-value').value = secret;
    byId('secret-panel').showModal();
    byId('secret-value').focus();
    byId('secret-value').select();
  }

  let copyTimer = 0;

  async function copySecret() {
    const input = byId('secret-value');
    let copied = true;
    try {
      await navigator.clipboard.writeText(input.value);
    } catch { // no clipboard API (e.g. plain http): select the text and try the legacy command
      input.select();
      try { copied = document.execCommand('copy'); } catch { copied = false; }
    }
    setText('secret-copy', copied ? 'Copied' : 'Copy');
    setText('secret-copy-status', copied ? 'Copied' : 'Selected: press Ctrl+C (⌘C) to copy');
    clearTimeout(copyTimer);
    copyTimer = setTimeout(() => setText('secret-copy', 'Copy'), 2500);
  }

  function onSecretClosed() {
    byId('secret-value').value = ''; // the secret leaves the page with the dialog
    setText('secret-copy-status', '');
    if (detailOpen()) byId('detail-name').focus();
  }

  // ---------- Failure notifications ----------
  // GET /v1/notifications: the account's latest notices (failing, disabled, recovered) and the
  // endpoints failing now. A failing endpoint gets a badge in the list and a note in its detail.

  const NOTICE_TEXT = {
    failing: (n) => `Failing: ${n.percent_of_threshold || '?'}% of the way to being disabled`,
    disabled: () => `Disabled after ${MAX_ATTEMPTS} failed attempts`,
    recovered: (n) => (n.reason === 'url_changed' ? 'Warning cleared: URL changed' : 'Recovered: delivering again'),
  };

  async function loadNotifications(background = false) {
    if (state.noticesPending || !state.key) return;
    state.noticesPending = true;
    await guardedLoad(background, async (current) => {
      const result = await api('GET', '/v1/notifications');
      if (!current()) return;
      state.notices = Array.isArray(result.data) ? result.data : [];
      state.failing = {};
      for (const n of Array.isArray(result.failing) ? result.failing : []) state.failing[n.endpoint_id] = n;
      renderNotifications();
      renderEndpoints();
      const ep = selectedEndpoint();
      if (ep && !state.creating) renderFailingNote(ep);
    });
    state.noticesPending = false;
  }

  function failingBadge(ep) {
    const n = state.failing[ep.id];
    if (!n || ep.status !== 'active') return null;
    return h('span', {
      class: 'badge badge-failing',
      text: `failing ${n.percent_of_threshold}%`,
      title: `A delivery failed ${n.percent_of_threshold / 20} of ${MAX_ATTEMPTS} attempts`,
    });
  }

  function renderFailingNote(ep) {
    const n = state.failing[ep.id];
    const failing = Boolean(n) && ep.status === 'active';
    show('detail-failing-box', failing);
    if (!failing) return;
    const attempts = Math.round(n.percent_of_threshold / 20);
    setText('detail-failing-title', `Failing: a delivery failed ${attempts} of ${MAX_ATTEMPTS} attempts (${n.percent_of_threshold}% of the way to being disabled)`);
    const last = n.last_status ? `Last failure: ${n.last_status}` : 'Last failure';
    setText('detail-failing-text', `${last}${n.failing_event_id ? ` for ${n.failing_event_id}` : ''}, ${relativeTime(n.at)}. If all ${MAX_ATTEMPTS} attempts of a delivery fail, the endpoint is disabled.`);
  }

  function noticeItem(n) {
    const ep = findEndpoint(n.endpoint_id);
    const text = (NOTICE_TEXT[n.kind] || (() => n.kind))(n);
    const time = h('time', { class: 'notice-time subtle' });
    setTime(time, n.at);
    return h('li', { class: `notice notice-${n.kind}`, 'data-endpoint-id': n.endpoint_id }, [
      h('span', { class: 'notice-text', text }),
      h('span', { class: 'notice-endpoint', text: ep ? (ep.name || ep.id) : n.endpoint_id, title: n.endpoint_id }),
      time,
    ]);
  }

  function renderNotifications() {
    const list = state.notices || [];
    byId('notifications-list').replaceChildren(...list.map(noticeItem));
    show('notifications', list.length > 0);
  }

  // ---------- Attempts ----------

  async function loadAttempts(background = false) {
    const id = state.selectedId;
    if (!id || !state.key || (background && state.attemptsPending === id)) return;
    state.attemptsPending = id;
    await guardedLoad(background, async (current) => {
      const result = await api('GET', `${endpointPath(id, 'attempts')}?limit=${ATTEMPTS_LIMIT}`);
      if (!current() || id !== state.selectedId) return;
      Object.assign(state, { attempts: Array.isArray(result.data) ? result.data : [], attemptsFor: id, attemptsAt: Date.now() });
      renderAttempts();
    });
    if (state.attemptsPending === id) state.attemptsPending = null;
  }

  // Status colour: 2xx green; an attempt that will be retried amber; any other status or error red.
  function attemptTone(a) {
    const status = Number(a.status);
    if (status >= 200 && status < 300) return 'ok';
    if (OUTCOME_TONES[a.outcome] === 'retry') return 'retry';
    return (a.status != null || a.error) ? 'fail' : 'neutral';
  }

  const attemptKey = (a) => `${a.delivery_id}/${a.attempt}/${a.started_at}`;

  function attemptRow(a, isNew) {
    const statusText = a.status != null ? String(a.status) : (a.error || '—');
    const duration = Number.isFinite(a.duration_ms) ? `${Math.round(a.duration_ms)} ms` : '—';
    return h('tr', { class: isNew ? 'is-new' : null }, [
      h('td', { class: 'time', title: a.started_at }, [h('time', { datetime: a.started_at, text: relativeTime(a.started_at) })]),
      h('td', { class: 'event-type mono', text: a.event_type, title: a.event_type }),
      h('td', { class: 'event-id mono', text: a.event_id, title: a.event_id }),
      h('td', { class: 'attempt num', text: `${a.attempt}/${MAX_ATTEMPTS}` }),
      h('td', { class: `status status-${attemptTone(a)}`, text: statusText, title: a.detail || statusText }),
      h('td', { class: `outcome${a.detail ? ' has-detail' : ''}`, title: a.detail || a.outcome }, [
        h('span', { class: `outcome-pill tone-${OUTCOME_TONES[a.outcome] || 'neutral'}`, text: a.outcome || '—' }),
      ]),
      h('td', { class: 'duration num', text: duration }),
      resendCell(a),
    ]);
  }

  // Rows are swapped in one go (same row height, fixed column widths), so refreshes do not move the layout.
  function renderAttempts() {
    const loaded = Boolean(state.selectedId) && state.attemptsFor === state.selectedId;
    const attempts = loaded ? state.attempts : [];
    const highlight = state.seenAttempts.size > 0; // new rows flash, but not on an endpoint's first load
    const rows = attempts.map((a) => attemptRow(a, highlight && !state.seenAttempts.has(attemptKey(a))));
    if (loaded) state.seenAttempts.add('loaded');
    attempts.forEach((a) => state.seenAttempts.add(attemptKey(a)));
    byId('attempts-body').replaceChildren(...rows);
    show('attempts-loading', !loaded);
    show('attempts-empty', loaded && attempts.length === 0);
    setText('attempts-updated', loaded
      ? `Updated ${clockFormat.format(state.attemptsAt)} · refreshes every 3 s while this tab is visible` : '');
  }

  // ---------- Dead letters ----------

  let filterTimer = 0;

  // The filters as the API takes them (query parameters or replay body); empty ones are left out.
  function deadLetterFilters() {
    const filters = {};
    const reason = byId('dlq-reason').value;
    const eventType = byId('dlq-event-type').value.trim();
    if (reason) filters.reason = reason;
    if (eventType) filters.event_type = eventType;
    return filters;
  }

  function resetDeadLetterFilters() {
    clearTimeout(filterTimer);
    byId('dlq-reason').value = '';
    byId('dlq-event-type').value = '';
  }

  function onDeadLetterFiltersChanged(delay) {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      if (detailOpen() && JSON.stringify(deadLetterFilters()) !== state.deadLettersQuery) loadDeadLetters();
    }, delay);
  }

  // The latest request wins: an answer for filters changed meanwhile, or another endpoint, is dropped.
  async function loadDeadLetters(background = false) {
    const id = state.selectedId;
    if (!id || !state.key || (background && state.deadLettersPending)) return;
    const filters = deadLetterFilters();
    const seq = ++state.deadLettersSeq;
    Object.assign(state, { deadLettersPending: true, deadLettersQuery: JSON.stringify(filters) });
    if (!background) byId('dead-letters').setAttribute('aria-busy', 'true');
    await guardedLoad(background, async (current) => {
      const query = new URLSearchParams({ limit: String(DEAD_LETTERS_LIMIT), ...filters });
      const result = await api('GET', `${endpointPath(id, 'dead-letters')}?${query}`);
      if (!current() || seq !== state.deadLettersSeq || id !== state.selectedId) return;
      const data = Array.isArray(result.data) ? result.data : [];
      Object.assign(state, {
        deadLetters: data, deadLettersCount: data.length, deadLettersMore: Boolean(result.next_cursor),
        deadLettersFor: id, deadLettersFiltered: Object.keys(filters).length > 0, deadLettersAt: Date.now(),
      });
      renderDeadLetters();
    });
    if (seq !== state.deadLettersSeq) return;
    state.deadLettersPending = false;
    byId('dead-letters').removeAttribute('aria-busy');
  }

  // A status change (by an action here or seen in the list refresh) changes what can be replayed.
  function reloadDeadLettersOnStatusChange(ep) {
    const changed = state.statusSeen !== null && state.statusSeen !== ep.status;
    state.statusSeen = ep.status;
    if (changed) loadDeadLetters();
  }

  const deadLettersLoaded = () => Boolean(state.selectedId) && state.deadLettersFor === state.selectedId;

  function deadLetterRow(d) {
    const known = d.last_status != null && d.last_status !== '';
    const status = known ? String(d.last_status) : '—';
    return h('tr', {}, [
      h('td', { class: 'time', title: d.dead_lettered_at }, [h('time', { datetime: d.dead_lettered_at, text: relativeTime(d.dead_lettered_at) })]),
      h('td', { class: 'event-type mono', text: d.event_type, title: d.event_type }),
      h('td', { class: 'event-id mono', text: d.event_id, title: d.event_id }),
      h('td', { class: 'reason', text: DEAD_LETTER_REASONS[d.reason] || d.reason || '—', title: d.reason }),
      h('td', { class: `status status-${known ? 'fail' : 'neutral'}`, text: status, title: known ? `Last status: ${status}` : 'No response' }),
      h('td', { class: 'replayed-cell' }, d.replayed
        ? h('span', { class: 'badge replayed', text: 'replayed', title: 'Replayed before: a new replay skips it.' })
        : null),
    ]);
  }

  function renderDeadLetters() {
    const loaded = deadLettersLoaded();
    const list = loaded ? state.deadLetters : [];
    byId('dead-letters-body').replaceChildren(...list.map(deadLetterRow));
    show('dead-letters-loading', !loaded);
    show('dead-letters-empty', loaded && list.length === 0);
    setText('dead-letters-empty', DEAD_LETTERS_EMPTY[state.deadLettersFiltered ? 'filtered' : 'all']);
    // One page of the API: more may be older than it (next_cursor), counted no further.
    const more = loaded && state.deadLettersMore;
    setText('dead-letters-count', loaded
      ? (more ? `${state.deadLettersCount}+ dead letters` : plural(state.deadLettersCount, 'dead letter')) : '');
    const partial = more ? ` · newest ${list.length} shown` : '';
    setText('dead-letters-updated', loaded
      ? `${partial} · updated ${clockFormat.format(state.deadLettersAt)}, refreshes every 10 s` : '');
    renderDeadLetterActions(selectedEndpoint());
  }

  // Replay needs an active endpoint; a disabled one gets a hint instead; a revoked one neither.
  function renderDeadLetterActions(ep) {
    const status = ep ? ep.status : null;
    show('dlq-replay', status === 'active' && deadLettersLoaded() && (state.deadLettersCount > 0 || state.deadLettersMore));
    show('dlq-hint', status === 'disabled');
  }

  // Dry run first (with the filters as they are now), then confirm, then the real replay.
  async function onReplayClick() {
    const ep = selectedEndpoint();
    if (!ep || ep.status !== 'active') return;
    const filters = deadLetterFilters();
    const plan = await sendReplay(ep, filters, true);
    if (!plan || state.selectedId !== ep.id) return;
    if (!(plan.replayed > 0)) { showNotice(nothingToReplay(plan)); return; }
    if (!(await confirmDialog(replayConfirmCopy(plan, ep)))) return;
    const result = await sendReplay(ep, filters, false);
    if (!result) { loadEndpoints(true); return; } // e.g. 409: disabled meanwhile; show its status
    showNotice(result.replayed > 0
      ? `Replayed ${plural(result.replayed, 'dead letter')}. They appear under Recent attempts shortly.`
      : nothingToReplay(result));
    loadDeadLetters();
    loadAttempts();
  }

  // Resolves to the API's answer, or null when the request failed (the error banner says why).
  async function sendReplay(ep, filters, dryRun) {
    let result = null;
    await whileBusy(byId('dlq-replay'), async () => {
      hideError();
      const body = { dry_run: dryRun, ...filters, allow_repeat: false };
      result = await api('POST', endpointPath(ep.id, 'dead-letters/replay'), body);
    });
    return result;
  }

  function replayConfirmCopy(plan, ep) {
    const skipped = plan.skipped_already_replayed > 0 ? ` ${plan.skipped_already_replayed} already replayed will be skipped.` : '';
    return {
      confirmTitle: 'Replay dead letters?',
      confirmMessage: `Replay ${plural(plan.replayed, 'dead letter')} to ${ep.url}?${skipped}`,
      confirmOk: `Replay ${plan.replayed}`,
    };
  }

  function nothingToReplay(plan) {
    const selected = plan.selected || 0;
    if (selected === 0) return 'Nothing to replay: no dead letters match.';
    if (plan.skipped_inactive > 0) return 'Nothing to replay: the endpoint is not active. Reactivate it first.';
    if (plan.skipped_already_replayed >= selected) {
      return `Nothing to replay: ${selected === 1 ? 'it was' : `all ${selected} were`} replayed before.`;
    }
    return 'Nothing to replay.';
  }

  // ---------- Resend and recover ----------
  // One past event again (a button per attempt), or every event that failed for good since a time
  // (counted by a dry run, then confirmed). Both need an active endpoint.

  const endpointActive = () => (selectedEndpoint() || {}).status === 'active';

  function resendCell(a) {
    const active = endpointActive();
    return h('td', { class: 'resend-cell' }, [
      h('button', {
        class: 'btn btn-link resend-btn', type: 'button', text: 'Resend',
        'data-event-id': a.event_id, disabled: !active,
        title: active ? `Send event ${a.event_id} to this endpoint again` : 'Reactivate this endpoint to resend events',
        'aria-label': `Resend event ${a.event_id}`,
      }),
    ]);
  }

  function renderRecoverBar(ep) {
    const status = ep ? ep.status : null;
    show('recover-bar', status === 'active' || status === 'disabled');
    byId('recover-open').disabled = status !== 'active';
    show('recover-hint', status === 'disabled');
    for (const b of byId('attempts-body').querySelectorAll('.resend-btn')) {
      b.disabled = status !== 'active';
      b.title = status === 'active' ? `Send event ${b.dataset.eventId} to this endpoint again` : 'Reactivate this endpoint to resend events';
    }
  }

  async function onResendClick(event) {
    const button = event.target.closest('.resend-btn');
    const ep = selectedEndpoint();
    if (!button || !ep || ep.status !== 'active') return;
    const eventId = button.dataset.eventId;
    await whileBusy(button, async () => {
      hideError();
      const result = await api('POST', endpointPath(ep.id, 'resend'), { event_id: eventId });
      showNotice(['Event ', h('code', { text: result.event_id || eventId }), ' resent. Its attempt appears under Recent attempts in a few seconds.']);
      setTimeout(() => { if (detailOpen()) loadAttempts(true); }, 1000);
    });
  }

  async function onRecoverClick() {
    const ep = selectedEndpoint();
    if (!ep || ep.status !== 'active') return;
    const since = byId('recover-since').value;
    const plan = await sendRecover(ep, since, true);
    if (!plan || state.selectedId !== ep.id) return;
    if (!(plan.to_resend > 0)) { showNotice(nothingToRecover(plan)); return; }
    if (!(await confirmDialog(recoverConfirmCopy(plan, ep)))) return;
    const result = await sendRecover(ep, since, false);
    if (!result) { loadEndpoints(true); return; }
    showNotice(recoverDoneText(result));
    loadAttempts();
  }

  async function sendRecover(ep, since, dryRun) {
    let result = null;
    await whileBusy(byId('recover-open'), async () => {
      hideError();
      result = await api('POST', endpointPath(ep.id, 'recover'), { since, dry_run: dryRun });
    });
    return result;
  }

  function recoverConfirmCopy(plan, ep) {
    const when = formatDate(plan.since);
    const already = plan.already_recovered > 0 ? ` ${plan.already_recovered} recovered before will be skipped.` : '';
    const capped = plan.to_resend > 1000 ? ' At most 1,000 go at a time; run it again for the rest.' : '';
    const ids = (plan.sample || []).map((a) => a.event_id).slice(0, 3).join(', ');
    return {
      confirmTitle: 'Recover failed deliveries?',
      confirmMessage: `Resend ${plural(plan.to_resend, 'event')} that failed since ${when} to ${ep.url}${ids ? ` (${ids}${plan.to_resend > 3 ? ', …' : ''})` : ''}?${already}${capped}`,
      confirmOk: `Resend ${plan.to_resend}`,
    };
  }

  function nothingToRecover(plan) {
    if (!(plan.failed > 0)) return `Nothing to recover: no delivery failed for good since ${formatDate(plan.since)}.`;
    return `Nothing to recover: ${plan.failed === 1 ? 'it was' : `all ${plan.failed} were`} recovered before.`;
  }

  function recoverDoneText(r) {
    const parts = [`Resent ${plural(r.resent, 'event')}. They appear under Recent attempts shortly.`];
    if (r.not_found > 0) parts.push(`${r.not_found} could not be resent: their events are no longer kept.`);
    if (r.skipped_already_replayed > 0) parts.push(`${r.skipped_already_replayed} were replayed from the dead letters already.`);
    if (r.remaining > 0) parts.push(`${r.remaining} more are left: run Recover again.`);
    return parts.join(' ');
  }

  // ---------- Delivery search (GET /v1/deliveries) ----------
  // Self-contained: its own state, rendering and handlers; wired in bindEvents and signOut only.

  const DELIVERY_STATUS = {
    delivered: ['Delivered', 'ok'], failing: ['Failing', 'retry'], pending: ['Pending', 'retry'],
    dead_lettered: ['Dead-lettered', 'fail'], dropped: ['Dropped', 'neutral'],
  };
  const DELIVERY_SEARCH_HINT = 'Search by event ID, or pick filters and search to list deliveries.';
  let deliverySearch = { cursor: null, query: '', seq: 0 };

  function deliverySearchQuery() {
    const params = new URLSearchParams({ limit: '20' });
    for (const [id, name] of [['deliveries-event-id', 'event_id'], ['deliveries-status', 'status'],
      ['deliveries-event-type', 'event_type'], ['deliveries-since', 'since']]) {
      const value = byId(id).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  async function searchDeliveries(more) {
    const params = more ? new URLSearchParams(deliverySearch.query) : deliverySearchQuery();
    if (more && deliverySearch.cursor) params.set('cursor', deliverySearch.cursor);
    const seq = ++deliverySearch.seq;
    const results = byId('deliveries-results');
    if (!more) {
      deliverySearch = { cursor: null, query: params.toString(), seq };
      results.replaceChildren();
      show('deliveries-results', false);
      show('deliveries-more', false);
    }
    setText('deliveries-state', 'Searching…');
    byId('deliveries').setAttribute('aria-busy', 'true');
    try {
      const page = await api('GET', `/v1/deliveries?${params}`);
      if (seq !== deliverySearch.seq) return; // a newer search replaced this one
      for (const d of page.data || []) results.append(renderDelivery(d));
      deliverySearch.cursor = page.next_cursor || null;
      const shown = results.children.length;
      show('deliveries-results', shown > 0);
      show('deliveries-more', Boolean(deliverySearch.cursor));
      setText('deliveries-state', shown > 0
        ? `${plural(shown, 'delivery')} shown${deliverySearch.cursor ? '; more may match' : ''}.`
        : deliverySearch.cursor ? 'None among the deliveries looked at so far; load more to keep looking.'
          : 'No deliveries match.');
    } catch (error) {
      if (seq !== deliverySearch.seq) return;
      // 503 while the index loads, 400 for a bad filter: said here, next to the search
      setText('deliveries-state', error.message);
    } finally {
      if (seq === deliverySearch.seq) byId('deliveries').removeAttribute('aria-busy');
    }
  }

  function renderDelivery(d) {
    const [label, tone] = DELIVERY_STATUS[d.status] || [d.status, 'neutral'];
    const ep = state.endpoints.find((e) => e.id === d.endpoint_id);
    const endpointName = ep ? ep.name : d.endpoint_id;
    const attempts = d.attempts || [];
    const rows = attempts.map((a) => h('tr', {}, [
      h('td', { class: 'num', text: a.attempt }),
      h('td', { class: 'time' }, h('time', { datetime: a.started_at, title: a.started_at, text: formatDate(a.started_at) })),
      h('td', { class: `status ${a.status && a.status < 300 ? 'status-ok' : 'status-fail'}`, text: a.status || a.error || '—' }),
      h('td', {}, h('span', { class: `outcome-pill tone-${OUTCOME_TONES[a.outcome] || 'neutral'}`, text: a.outcome })),
      h('td', { class: 'num', text: `${a.duration_ms} ms` }),
    ]));
    const headers = ['Attempt', 'Time', 'Status', 'Outcome', 'Duration'].map((t, i) =>
      h('th', { scope: 'col', class: i === 0 || i === 4 ? 'num' : null, text: t }));
    return h('li', { class: 'delivery', 'data-event-id': d.event_id, 'data-status': d.status }, [
      h('div', { class: 'delivery-head' }, [
        h('span', { class: `delivery-status status-${tone}`, text: label }),
        h('code', { class: 'delivery-event', text: d.event_id }),
        d.event_type ? h('span', { class: 'delivery-type mono', text: d.event_type }) : null,
        h('span', { class: 'delivery-endpoint', title: d.endpoint_id, text: endpointName }),
        h('span', { class: 'delivery-when subtle' },
          h('time', { datetime: d.first_attempt_at, title: d.first_attempt_at, text: formatDate(d.first_attempt_at) })),
      ]),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data-table delivery-attempts' }, [
        h('caption', { class: 'visually-hidden', text: `Attempts of ${d.event_id} to ${endpointName}, oldest first` }),
        h('thead', {}, h('tr', {}, headers)),
        h('tbody', {}, rows),
      ])),
      d.attempt_count > attempts.length
        ? h('p', { class: 'hint', text: `The newest ${attempts.length} of ${d.attempt_count} attempts.` }) : null,
    ]);
  }

  function resetDeliverySearch() {
    deliverySearch = { cursor: null, query: '', seq: deliverySearch.seq + 1 };
    byId('deliveries-form').reset();
    byId('deliveries-results').replaceChildren();
    show('deliveries-results', false);
    show('deliveries-more', false);
    byId('deliveries').removeAttribute('aria-busy');
    setText('deliveries-state', DELIVERY_SEARCH_HINT);
  }

  function bindDeliverySearch(on) {
    on('deliveries-form', 'submit', (e) => { e.preventDefault(); searchDeliveries(false); });
    on('deliveries-more', 'click', () => whileBusy(byId('deliveries-more'), () => searchDeliveries(true)));
  }

  // ---------- Wiring ----------

  function bindEvents() {
    const on = (id, type, handler) => byId(id).addEventListener(type, handler);
    on('key-form', 'submit', onConnect);
    on('sign-out', 'click', () => { signOut(); showNotice('Signed out. The API key was removed from this tab.'); });
    on('error-dismiss', 'click', hideError);
    on('notice-dismiss', 'click', hideNotice);
    on('create-open', 'click', () => setCreating(true));
    on('create-open-empty', 'click', () => setCreating(true));
    on('create-cancel', 'click', () => setCreating(false));
    on('create-form', 'submit', onCreateSubmit);
    on('create-panel', 'keydown', (e) => { if (e.key === 'Escape') setCreating(false); });
    on('endpoints', 'click', (e) => {
      const button = e.target.closest('.endpoint');
      if (button) selectEndpoint(button.dataset.endpointId);
    });
    on('detail-back', 'click', () => {
      byId('endpoints-title').scrollIntoView({ block: 'start' });
      focusEndpointButton(state.selectedId);
    });
    for (const action of ALL_ACTIONS) on(`action-${action}`, 'click', () => runAction(action));
    on('edit-form', 'submit', onEditSubmit);
    for (const prefix of ['create', 'edit']) {
      on(`${prefix}-events-picker`, 'change', (e) => onPickerChange(prefix, e));
      on(`${prefix}-events-filter`, 'input', () => filterPicker(prefix));
      on(`${prefix}-events-filter`, 'keydown', (e) => { if (e.key === 'Enter') e.preventDefault(); });
    }
    on('edit-reset', 'click', () => { if (selectedEndpoint()) fillEditForm(selectedEndpoint()); });
    on('dlq-reason', 'change', () => onDeadLetterFiltersChanged(0));
    on('dlq-event-type', 'input', () => onDeadLetterFiltersChanged(FILTER_DEBOUNCE_MS));
    on('dlq-event-type', 'change', () => onDeadLetterFiltersChanged(0)); // Enter or leaving the field
    on('dlq-replay', 'click', onReplayClick);
    on('attempts-body', 'click', onResendClick);
    on('recover-open', 'click', onRecoverClick);
    on('attempts-refresh', 'click', () => whileBusy(byId('attempts-refresh'), () => Promise.all([loadAttempts(), loadEndpoints()])));
    on('secret-copy', 'click', copySecret);
    on('secret-dismiss', 'click', () => byId('secret-panel').close());
    on('secret-panel', 'cancel', (e) => e.preventDefault()); // Esc must not throw away a once-only secret
    on('secret-panel', 'close', onSecretClosed);
    bindDeliverySearch(on);
    document.addEventListener('visibilitychange', onVisibilityChange);
  }

  function init() {
    bindEvents();
    const key = storedKey.get();
    if (!key) { showScreen(false); return; }
    state.key = key;
    showScreen(true);
    startPolling();
    loadEndpoints();
    loadEventTypes();
    loadNotifications();
  }

  init();
})();
