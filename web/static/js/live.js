// Live updates: the page listens to /api/live and, when something it shows
// may have changed, fetches itself again and swaps in its live regions
// ([data-live-region]). The server stays the only renderer, so recorded
// content is escaped in one place.

import { localizeTimes } from './times.js';

const minInterval = 300; // ms between two refreshes
const recheckInterval = 3000; // ms between two checks of a live task page

export function followLive(url) {
  const status = document.getElementById('live-status');
  const source = new EventSource(url);
  // The end of an exchange carries no event, so the feed never tells of
  // it: a task's page checks again every few seconds while it is live, and
  // stops showing Live soon after the task's last exchange ends.
  let recheck = null;
  const refresher = new Refresher(() => {
    source.close();
    clearInterval(recheck);
  }, status);
  if (new URL(url, location.href).searchParams.has('taskId')) {
    recheck = setInterval(() => refresher.request(), recheckInterval);
  }
  let broken = false;
  source.addEventListener('open', () => {
    setStatus(status, 'open', 'Live');
    if (broken) refresher.request(); // events may have been missed meanwhile
    broken = false;
  });
  source.addEventListener('error', () => {
    broken = true;
    setStatus(status, 'closed', 'Reconnecting…');
  });
  source.addEventListener('message', () => refresher.request());
}

function setStatus(el, state, text) {
  if (!el) return;
  el.hidden = false;
  el.dataset.state = state;
  el.textContent = text;
}

// Refresher fetches the page at most every minInterval and one at a time.
class Refresher {
  constructor(stop, status) {
    this.stop = stop;
    this.status = status;
    this.busy = false;
    this.dirty = false;
    this.last = 0;
  }

  request() {
    this.dirty = true;
    if (this.busy) return;
    const wait = Math.max(0, this.last + minInterval - Date.now());
    this.busy = true;
    setTimeout(() => this.run(), wait);
  }

  async run() {
    this.dirty = false;
    this.last = Date.now();
    try {
      await this.refresh();
    } catch (err) {
      console.warn('live refresh failed', err);
    }
    this.busy = false;
    if (this.dirty) this.request();
  }

  async refresh() {
    if (document.body.dataset.replaying) { // the replay owns the timeline: later
      this.dirty = true;
      return;
    }
    const response = await fetch(location.href, { headers: { Accept: 'text/html' } });
    if (new URL(response.url).pathname === '/login') { // the session ended
      this.stop();
      setStatus(this.status, 'closed', 'Logged out');
      return;
    }
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    swapRegions(document, next);
    const page = next.querySelector('[data-live-url]');
    if (page && !page.dataset.liveUrl) { // nothing of the task is open: nothing more will change
      this.stop();
      setStatus(this.status, 'closed', 'Ended');
    }
  }
}

// swapRegions replaces each live region with its new version, keeping the
// <details> the reader opened open, and flags table rows that changed.
function swapRegions(doc, next) {
  for (const region of doc.querySelectorAll('[data-live-region]')) {
    const fresh = next.querySelector(`[data-live-region="${region.dataset.liveRegion}"]`);
    if (!fresh) continue;
    const open = new Set([...region.querySelectorAll('details[open][id]')].map((d) => d.id));
    const before = rowStates(region);
    const node = doc.importNode(fresh, true);
    for (const details of node.querySelectorAll('details[id]')) {
      if (open.has(details.id)) details.open = true;
    }
    for (const row of node.querySelectorAll('tr[data-task-id]')) {
      if (before.get(row.dataset.taskId) !== rowState(row)) row.classList.add('updated');
    }
    localizeTimes(node);
    region.replaceWith(node);
  }
}

function rowStates(region) {
  return new Map([...region.querySelectorAll('tr[data-task-id]')].map((row) => [row.dataset.taskId, rowState(row)]));
}

function rowState(row) {
  return `${row.dataset.state}/${row.dataset.events}`;
}
