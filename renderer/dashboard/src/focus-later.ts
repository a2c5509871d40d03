// Focus moves that must wait for the render that draws their target (renders run one per frame).

/**
 * Focuses what `pick` finds two frames from now, unless focus has moved on to another control in the
 * meantime: someone already typing in the next field keeps it, or their keystrokes would land in the
 * wrong place. Focus that fell to the body (its element was re-drawn away) is taken.
 */
export function focusAfterRender(pick: () => HTMLElement | null | undefined): void {
  const before = document.activeElement;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const now = document.activeElement;
      if (now !== before && now !== null && now !== document.body) return;
      pick()?.focus();
    }),
  );
}
