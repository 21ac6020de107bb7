/**
 * A QR code drawn as an SVG in the page, for the authenticator app's set-up address. Encoded by `uqr` (MIT, no
 * dependencies, bundled into app.js: nothing is fetched from anywhere) and drawn with DOM calls (one path of
 * unit squares), so it needs no inline style, no image from another origin and no HTML string.
 */
import { encode } from 'uqr';

const SVG = 'http://www.w3.org/2000/svg';

/** The QR code of `text` (error correction M, a quiet zone of 4 modules), `label` its accessible name. */
export function qrCode(text: string, label: string): SVGSVGElement {
  const qr = encode(text, { ecc: 'M', border: 4 });
  const size = qr.size;
  let path = '';
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`;
    });
  });
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr-code');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', path);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  return svg;
}
