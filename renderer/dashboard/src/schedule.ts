// One render per animation frame, however many events arrive in it (1,000 peers joining at once
// must not mean 1,000 renders).
let renderer: (() => void) | null = null;
let pending = false;

/** Sets the function that draws the whole window. */
export function setRenderer(fn: () => void): void {
  renderer = fn;
}

/** Asks for a render on the next frame; calls within one frame coalesce. */
export function requestRender(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    renderer?.();
  });
}
