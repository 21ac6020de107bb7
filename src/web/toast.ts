/** Short, polite announcements (screen readers hear them through the live region). */
import { h } from './dom.ts';

export class Toaster {
  readonly element = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'polite' } });

  show(text: string, ms = 4000): void {
    const toast = h('div', { class: 'toast', text });
    this.element.appendChild(toast);
    setTimeout(() => toast.remove(), ms);
  }
}
