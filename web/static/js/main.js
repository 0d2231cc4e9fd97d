// Entry point of every page. Pages work without scripts; these modules add
// local times, copy buttons, live updates and the replay player.
import { localizeTimes } from './times.js';
import { enableCopyButtons } from './copy.js';
import { tidyFilterForms } from './filters.js';
import { followLive } from './live.js';
import { enableReplay } from './replay.js';

document.documentElement.classList.add('js');
localizeTimes(document);
enableCopyButtons(document);
tidyFilterForms(document);

const page = document.querySelector('[data-live-url]');
if (page && page.dataset.liveUrl) {
  followLive(page.dataset.liveUrl);
}
const replay = document.querySelector('.replay[data-stream-url]');
if (replay) {
  enableReplay(replay);
}
