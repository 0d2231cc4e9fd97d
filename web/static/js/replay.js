// The replay player re-runs the task's timeline through the replay API:
// GET {stream}?speed=N streams the recorded events again with their
// original gaps divided by N (0: as fast as possible), one SSE message per
// event whose id is the event's position in the timeline. Each message
// reveals that event of the timeline, so the page shows the recording
// exactly as the server rendered it.
//
// Pausing keeps the stream open and holds back what arrives; resuming shows
// it with the gaps it arrived with, so the timing survives a pause.

export function enableReplay(section) {
  new Player(section);
}

class Player {
  constructor(section) {
    this.streamURL = section.dataset.streamUrl;
    this.status = section.querySelector('.replay-status');
    this.buttons = {};
    for (const button of section.querySelectorAll('button[data-replay]')) {
      this.buttons[button.dataset.replay] = button;
    }
    this.buttons.play.addEventListener('click', () => this.play());
    this.buttons.pause.addEventListener('click', () => this.pause());
    this.buttons.restart.addEventListener('click', () => this.start());
    // A new speed applies from the start: the server times the stream.
    this.speedInputs = [...section.querySelectorAll('input[name="speed"]')];
    for (const radio of this.speedInputs) {
      radio.addEventListener('change', () => { if (this.source) this.start(); });
    }
    this.reset();
    this.say(`Ready to replay ${this.total()} events.`);
  }

  // The timeline is looked up each time: live updates replace it.
  get timeline() {
    return document.querySelector('.timeline');
  }

  speed() {
    const checked = this.speedInputs.find((r) => r.checked);
    return checked ? checked.value : '1';
  }

  events() {
    return [...this.timeline.querySelectorAll('li.event')];
  }

  total() {
    return this.events().length;
  }

  play() {
    if (this.source || this.queue.length) this.resume();
    else this.start();
  }

  // start (re)plays from the first event.
  start() {
    this.reset();
    document.body.dataset.replaying = 'true';
    this.timeline.classList.add('replaying');
    for (const li of this.events()) li.classList.add('pending');
    const speed = this.speed();
    this.speedLabel = speed === '0' ? 'max speed' : `${speed}×`;
    this.source = new EventSource(`${this.streamURL}?speed=${encodeURIComponent(speed)}`);
    this.source.addEventListener('message', (e) => this.receive(e));
    for (const name of ['end', 'done']) {
      this.source.addEventListener(name, () => this.streamEnded());
    }
    // A stream that ends makes EventSource reconnect: the replay is over.
    this.source.addEventListener('error', () => this.streamEnded());
    this.setButtons({ play: false, pause: true, restart: true });
    this.say(`Replaying at ${this.speedLabel}…`);
  }

  pause() {
    if (this.pausedAt !== null) return;
    this.pausedAt = performance.now();
    clearTimeout(this.timer);
    this.setButtons({ play: true, pause: false, restart: true });
    this.buttons.play.textContent = 'Resume';
    this.say(`Paused after ${this.shown} of ${this.total()} events.`);
  }

  resume() {
    if (this.pausedAt === null) return;
    this.pausedTotal += performance.now() - this.pausedAt;
    this.pausedAt = null;
    this.buttons.play.textContent = 'Play';
    this.setButtons({ play: false, pause: true, restart: true });
    this.say(`Replaying at ${this.speedLabel}…`);
    this.pump();
  }

  reset() {
    if (this.source) this.source.close();
    clearTimeout(this.timer);
    this.source = null;
    this.ended = false;
    this.queue = [];
    this.shown = 0;
    this.pausedAt = null;
    this.pausedTotal = 0;
    this.buttons.play.textContent = 'Play';
    for (const li of this.events()) li.classList.remove('pending', 'replayed');
    this.timeline.querySelectorAll('li.extra').forEach((li) => li.remove());
  }

  receive(message) {
    this.queue.push({ id: message.lastEventId, data: message.data, at: performance.now() });
    this.pump();
  }

  // pump shows the queued events that are due: each at the time it
  // arrived, shifted by the time spent paused.
  pump() {
    clearTimeout(this.timer);
    if (this.pausedAt !== null) return;
    while (this.queue.length) {
      const wait = this.queue[0].at + this.pausedTotal - performance.now();
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      this.reveal(this.queue.shift());
    }
    if (this.ended) this.finish();
    else this.say(`Replaying at ${this.speedLabel}: ${this.shown} of ${this.total()} events.`);
  }

  // reveal shows the event the message names by its id, or else the next
  // one still pending.
  reveal({ id, data }) {
    const named = /^\d+$/.test(id) ? document.getElementById(`event-${id}`) : null;
    const li = named && named.classList.contains('pending') ? named : this.timeline.querySelector('li.event.pending');
    if (li) {
      li.classList.remove('pending');
      li.classList.add('replayed');
    } else {
      this.timeline.append(extraEvent(data)); // more than recorded: show it raw
    }
    this.shown++;
  }

  streamEnded() {
    if (!this.source) return;
    this.source.close();
    this.source = null;
    this.ended = true;
    if (!this.queue.length && this.pausedAt === null) this.finish();
  }

  finish() {
    delete document.body.dataset.replaying;
    this.timeline.classList.remove('replaying');
    this.setButtons({ play: true, pause: false, restart: false });
    const missing = this.total() - this.shown;
    this.say(missing > 0
      ? `Replay ended after ${this.shown} of ${this.total()} events.`
      : `Replay finished: ${this.shown} of ${this.total()} events at ${this.speedLabel}.`);
  }

  setButtons(enabled) {
    for (const [name, on] of Object.entries(enabled)) this.buttons[name].disabled = !on;
  }

  say(text) {
    this.status.textContent = text;
  }
}

// extraEvent shows a replayed event the timeline does not have, as text.
function extraEvent(data) {
  const li = document.createElement('li');
  li.className = 'event extra replayed';
  const pre = document.createElement('pre');
  pre.textContent = data;
  li.append(document.createElement('div'), pre);
  return li;
}
