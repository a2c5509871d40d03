// Files dropped on or pasted into an element.

/** The files in a drag or clipboard payload (none for text). */
export function filesOf(data: DataTransfer | null): File[] {
  return data ? [...data.files] : [];
}

/** Calls `take` with the files dropped on `el`; marks `el` (data-drop) while files are dragged over it. */
export function onFileDrop(el: HTMLElement, take: (files: File[]) => void): void {
  const carriesFiles = (ev: DragEvent) => ev.dataTransfer?.types.includes('Files') ?? false;
  el.addEventListener('dragover', (ev) => {
    if (!carriesFiles(ev)) return;
    ev.preventDefault();
    el.dataset.drop = 'over';
  });
  el.addEventListener('dragleave', (ev) => {
    if (ev.target === el) delete el.dataset.drop;
  });
  el.addEventListener('drop', (ev) => {
    delete el.dataset.drop;
    const files = filesOf(ev.dataTransfer);
    if (files.length === 0) return;
    ev.preventDefault();
    take(files);
  });
}
