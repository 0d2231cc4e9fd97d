// Copy buttons: <button class="copy" data-copy="ID"> copies the text of the
// element with that id. One listener serves buttons added later too.

export function enableCopyButtons(root) {
  root.addEventListener('click', (event) => {
    const button = event.target.closest('button.copy');
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (source) copy(button, source);
  });
}

async function copy(button, source) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(source.textContent);
    button.textContent = 'Copied';
  } catch {
    // No clipboard access (an insecure origin): select the text instead.
    window.getSelection().selectAllChildren(source);
    button.textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => { button.textContent = label; }, 1500);
}
