// Filter forms submit only the filters that are set, so that the URL they
// lead to stays short enough to read and share.

export function tidyFilterForms(root) {
  const forms = [...root.querySelectorAll('form.filters')];
  for (const form of forms) {
    form.addEventListener('submit', () => {
      for (const field of form.elements) {
        if (field.name && !field.value) field.disabled = true;
      }
    });
  }
  // Going back may restore the page as it was when submitted.
  window.addEventListener('pageshow', () => {
    for (const form of forms) {
      for (const field of form.elements) field.disabled = false;
    }
  });
}
