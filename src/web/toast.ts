/** Short, polite announcements (screen readers hear them through the live region). */
import { h } from './dom.ts';

/** A button on a toast; `label` is its accessible name when the visible text alone does not say whom it is for. */
export interface ToastAction {
  text: string;
  testId: string;
  label?: string;
  primary?: boolean;
  run(): void;
}

export class Toaster {
  readonly element = h('div', { class: 'toasts', attrs: { role: 'status', 'aria-live': 'polite' } });

  show(text: string, ms = 4000): void {
    const toast = h('div', { class: 'toast', text });
    this.element.appendChild(toast);
    setTimeout(() => toast.remove(), ms);
  }

  /**
   * A toast that offers something to do. It stays longer than a plain one (a person must read it and reach
   * the button) and goes as soon as one of its buttons is used. `content` may hold typed text in a `<bdi>`.
   * Returns a function that takes it away early (e.g. when what it offers is no longer possible).
   */
  showWithActions(content: (Node | string)[], actions: ToastAction[], testId: string, ms = 15_000): () => void {
    const dismiss = () => {
      clearTimeout(timer);
      toast.remove();
    };
    const buttons = actions.map((action) =>
      h('button', {
        class: `button tiny ${action.primary ? 'primary' : 'toast-secondary'}`,
        text: action.text,
        attrs: { type: 'button', 'data-testid': action.testId, 'aria-label': action.label ?? action.text },
        on: {
          click: () => {
            dismiss();
            action.run();
          },
        },
      }),
    );
    const toast = h('div', { class: 'toast with-actions', attrs: { 'data-testid': testId } }, h('span', { class: 'toast-text' }, ...content), h('span', { class: 'toast-actions' }, ...buttons));
    this.element.appendChild(toast);
    const timer = setTimeout(dismiss, ms);
    return dismiss;
  }
}
