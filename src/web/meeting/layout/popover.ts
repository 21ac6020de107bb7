/**
 * Places a small popover (tile menu, connection details) next to its button in the
 * window's coordinates: tiles clip what overflows them, and a thumbnail is too small
 * to hold a menu. Below the button, or above it when there is no room below.
 */
const MARGIN_PX = 4;

export function placePopover(anchor: HTMLElement, popover: HTMLElement): void {
  const a = anchor.getBoundingClientRect();
  const style = popover.style;
  style.position = 'fixed';
  style.right = `${Math.max(MARGIN_PX, window.innerWidth - a.right)}px`;
  style.left = 'auto';
  const height = popover.offsetHeight;
  if (a.bottom + MARGIN_PX + height <= window.innerHeight || a.top < height + MARGIN_PX) {
    style.top = `${a.bottom + MARGIN_PX}px`;
    style.bottom = 'auto';
  } else {
    style.bottom = `${window.innerHeight - a.top + MARGIN_PX}px`;
    style.top = 'auto';
  }
}
