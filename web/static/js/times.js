// Times are rendered in UTC by the server; show them in the reader's zone.

const format = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function localizeTimes(root) {
  for (const el of root.querySelectorAll('time[data-localize]')) {
    const when = new Date(el.dateTime);
    if (!Number.isNaN(when.getTime())) {
      el.title = el.textContent;
      el.textContent = format.format(when);
    }
  }
}
