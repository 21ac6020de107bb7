/**
 * Icons drawn for Sabha as simple stroked SVG shapes on a 24×24 grid. Built with
 * createElementNS (no markup strings); colour follows `currentColor`.
 */
type Shape = ['path', string] | ['circle', number, number, number] | ['rect', number, number, number, number, number];

const ICONS = {
  mic: [['rect', 9, 3, 6, 11, 3], ['path', 'M5.5 11a6.5 6.5 0 0 0 13 0'], ['path', 'M12 17.5V21']],
  'mic-off': [['rect', 9, 3, 6, 11, 3], ['path', 'M5.5 11a6.5 6.5 0 0 0 13 0'], ['path', 'M12 17.5V21'], ['path', 'M3.5 3.5l17 17']],
  camera: [['rect', 3, 6.5, 12.5, 11, 2.5], ['path', 'M15.5 10.5l5-3v9l-5-3']],
  'camera-off': [['rect', 3, 6.5, 12.5, 11, 2.5], ['path', 'M15.5 10.5l5-3v9l-5-3'], ['path', 'M3.5 3.5l17 17']],
  screen: [['rect', 2.5, 4, 19, 13, 2], ['path', 'M8 21h8'], ['path', 'M12 14V8'], ['path', 'M9 10.5L12 7.5l3 3']],
  chat: [['path', 'M4 5.5h16v10H10l-4.5 3.5v-3.5H4z']],
  people: [['circle', 9, 8.5, 3.2], ['path', 'M3 19c.6-3.3 3-5 6-5s5.4 1.7 6 5'], ['circle', 17, 9.5, 2.4], ['path', 'M16.5 14.2c2.3.2 3.9 1.7 4.4 4.3']],
  shield: [['path', 'M12 3l7.5 3v5.5c0 4.3-3.1 7.9-7.5 9.5-4.4-1.6-7.5-5.2-7.5-9.5V6z'], ['path', 'M8.8 12l2.2 2.2 4.2-4.4']],
  leave: [['path', 'M3.5 13.5c5-4.6 12-4.6 17 0l-2.4 2.4-3-1.6v-2.3a10 10 0 0 0-6.2 0v2.3l-3 1.6z']],
  close: [['path', 'M6 6l12 12'], ['path', 'M18 6L6 18']],
  copy: [['rect', 8.5, 8.5, 11, 11, 2], ['path', 'M15.5 8.5V6a1.5 1.5 0 0 0-1.5-1.5H6A1.5 1.5 0 0 0 4.5 6v8A1.5 1.5 0 0 0 6 15.5h2.5']],
  lock: [['rect', 5, 10.5, 14, 10, 2], ['path', 'M8 10.5V8a4 4 0 0 1 8 0v2.5']],
  send: [['path', 'M4 12l16-7.5-5.5 16-3-6.5z'], ['path', 'M11.5 14L20 4.5']],
  link: [['path', 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1'], ['path', 'M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1']],
  hand: [['path', 'M12 21c-3.5 0-6-2.5-6-6v-4.5a1.5 1.5 0 0 1 3 0V12V5.5a1.5 1.5 0 0 1 3 0V11V4.5a1.5 1.5 0 0 1 3 0V11V6.5a1.5 1.5 0 0 1 3 0V15c0 3.5-2.5 6-6 6z']],
  more: [['circle', 12, 5.5, 1.3], ['circle', 12, 12, 1.3], ['circle', 12, 18.5, 1.3]],
  grid: [['rect', 3.5, 4.5, 7.5, 6.5, 1.5], ['rect', 13, 4.5, 7.5, 6.5, 1.5], ['rect', 3.5, 13, 7.5, 6.5, 1.5], ['rect', 13, 13, 7.5, 6.5, 1.5]],
  speaker: [['rect', 3.5, 4, 17, 11, 1.5], ['rect', 3.5, 17.5, 5, 3, 1], ['rect', 9.5, 17.5, 5, 3, 1], ['rect', 15.5, 17.5, 5, 3, 1]],
  pin: [['path', 'M9 3.5h6l-1 6 3.5 3.5h-11L10 9.5z'], ['path', 'M12 13v7.5']],
  keyboard: [['rect', 2.5, 6, 19, 12, 2], ['path', 'M6.5 10h1M10 10h1M13.5 10h1M17 10h.5M7.5 14h9']],
  poll: [['path', 'M5.5 20V11'], ['path', 'M12 20V4.5'], ['path', 'M18.5 20v-6'], ['path', 'M3.5 20.5h17']],
  smile: [['circle', 12, 12, 8.5], ['path', 'M8.5 14.2a4.5 4.5 0 0 0 7 0'], ['path', 'M9 9.8h.5M15 9.8h.5']],
  record: [['circle', 12, 12, 8.5], ['circle', 12, 12, 3.5]],
  'chevron-left': [['path', 'M14.5 6l-6 6 6 6']],
  'chevron-right': [['path', 'M9.5 6l6 6-6 6']],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;

const SVG_NS = 'http://www.w3.org/2000/svg';

export function icon(name: IconName, className = 'icon'): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const shape of ICONS[name] as Shape[]) {
    const el = document.createElementNS(SVG_NS, shape[0]);
    if (shape[0] === 'path') el.setAttribute('d', shape[1]);
    else if (shape[0] === 'circle') {
      el.setAttribute('cx', String(shape[1]));
      el.setAttribute('cy', String(shape[2]));
      el.setAttribute('r', String(shape[3]));
    } else {
      el.setAttribute('x', String(shape[1]));
      el.setAttribute('y', String(shape[2]));
      el.setAttribute('width', String(shape[3]));
      el.setAttribute('height', String(shape[4]));
      el.setAttribute('rx', String(shape[5]));
    }
    svg.appendChild(el);
  }
  return svg;
}
