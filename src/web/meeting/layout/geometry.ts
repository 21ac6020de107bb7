/**
 * Tile geometry and grid paging, without the DOM (tested alone): how many 16:9 tiles
 * fit an area at a useful size, their column count and size, and which entries a
 * page holds.
 */

export const TILE_GAP_PX = 12;
/** A tile narrower than this is too small to recognise anyone: the page holds fewer tiles instead. */
export const MIN_TILE_WIDTH_PX = 160;
const ASPECT = 16 / 9;

export interface GridFit {
  cols: number;
  rows: number;
  /** One tile's size in CSS pixels. */
  width: number;
  height: number;
}

/** The column count that makes n tiles of 16:9 as large as the area allows. */
export function bestGrid(n: number, width: number, height: number, gap = TILE_GAP_PX): GridFit {
  const count = Math.max(1, n);
  let best: GridFit = { cols: 1, rows: count, width: 0, height: 0 };
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    let w = (width - gap * (cols - 1)) / cols;
    let h = w / ASPECT;
    const maxH = (height - gap * (rows - 1)) / rows;
    if (h > maxH) {
      h = maxH;
      w = h * ASPECT;
    }
    if (w > best.width) best = { cols, rows, width: Math.max(0, Math.floor(w)), height: Math.max(0, Math.floor(h)) };
  }
  return best;
}

/** The most tiles (at most `max`, at least 1) that fit the area while each stays at least `minWidth` wide. */
export function tilesThatFit(width: number, height: number, max: number, minWidth = MIN_TILE_WIDTH_PX): number {
  let fit = 1;
  for (let n = 2; n <= max; n++) {
    if (bestGrid(n, width, height).width >= minWidth) fit = n;
    else break;
  }
  return fit;
}

export interface Paging {
  perPage: number;
  pageCount: number;
  /** The page shown, clamped to the pages there are (zero-based). */
  page: number;
  start: number;
  end: number;
}

export function paginate(total: number, perPage: number, requestedPage: number): Paging {
  const size = Math.max(1, Math.floor(perPage));
  const pageCount = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(0, Math.floor(requestedPage)), pageCount - 1);
  const start = page * size;
  return { perPage: size, pageCount, page, start, end: Math.min(total, start + size) };
}
