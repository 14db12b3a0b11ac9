/**
 * How a main view (workers, vassals, nodes) shares its lines between its table and the panes below it. The
 * table has priority: the panes get what it does not need (on any terminal, 80x24 included: a 4-worker
 * table there leaves a dozen lines), or, on tall terminals, a quarter of the room when it overflows.
 */

/** From this terminal height on, a table that overflows still lends a share of its lines to the panes. */
export const PANES_MIN_HEIGHT = 30;
/** A table that overflows still leaves this share of the lines to the panes on tall terminals. */
const OVERFLOW_SHARE = 0.25;

export interface BodySplit {
  /** Lines for the table (heading lines, header and rows). */
  table: number;
  /** In-flight pane lines (0: none). */
  inflight: number;
  /** Events pane lines (0: none). */
  events: number;
  /** One-line facts at the bottom instead of panes (short terminals): how many. */
  compact: number;
  /** Blank lines between the table and what follows, and between the two panes. */
  gaps: number;
}

export interface SplitInput {
  /** Lines the view has for table and panes. */
  avail: number;
  /** Lines the table needs to show every row. */
  tableNeed: number;
  /** Lines the in-flight pane needs (null: this view has no in-flight pane). */
  inflightNeed: number | null;
  eventsNeed: number;
  /** Facts available for compact lines (oldest request, last event). */
  compactFacts: number;
  terminalHeight: number;
}

/** Minimum lines for panes: gap + in-flight (title, header, one row) + gap + events (title, one row). */
function minRoom(withInflight: boolean): number {
  return withInflight ? 1 + 3 + 1 + 2 : 1 + 2;
}

/** Share panes' `room` (gap included) between the in-flight and events panes; events take what is left. */
function sharePanes(room: number, inflightNeed: number | null, eventsNeed: number): Pick<BodySplit, 'inflight' | 'events' | 'gaps'> {
  const r = room - 1;
  if (inflightNeed === null) return { inflight: 0, events: r, gaps: 1 };
  if (r < 3 + 1 + 2) return { inflight: r, events: 0, gaps: 1 };
  let inflight: number;
  if (inflightNeed + 1 + eventsNeed <= r) inflight = inflightNeed;
  else {
    // Both want more than there is: events keep a third (at least two lines), requests take the rest.
    const eventsMin = Math.min(eventsNeed, Math.max(2, Math.floor(r / 3)));
    inflight = Math.max(3, Math.min(inflightNeed, r - 1 - eventsMin));
  }
  return { inflight, events: r - 1 - inflight, gaps: 2 };
}

/** Decide the split of a main view's body. */
export function splitBody(input: SplitInput): BodySplit {
  const { avail, tableNeed, inflightNeed, eventsNeed, compactFacts, terminalHeight } = input;
  const none: BodySplit = { table: avail, inflight: 0, events: 0, compact: 0, gaps: 0 };
  const spare = avail - tableNeed;
  const need = minRoom(inflightNeed !== null);
  // Lines the table does not need would stay blank: panes there, whatever the terminal height.
  if (spare >= need) return { table: tableNeed, compact: 0, ...sharePanes(spare, inflightNeed, eventsNeed) };
  if (spare < 0 && terminalHeight >= PANES_MIN_HEIGHT) {
    const room = Math.floor(avail * OVERFLOW_SHARE);
    if (room >= need) return { table: avail - room, compact: 0, ...sharePanes(room, inflightNeed, eventsNeed) };
  }
  // Too little room for panes: a blank line and one line per fact, at the bottom, when the table leaves room.
  const compact = Math.min(compactFacts, spare - 1);
  if (compact <= 0) return none;
  return { table: avail - compact - 1, inflight: 0, events: 0, compact, gaps: 1 };
}
