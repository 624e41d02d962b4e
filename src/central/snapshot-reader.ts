/**
 * Reads a snapshot as a stream of its top-level members (issue 18 §1): gunzip, then a byte-level
 * splitter that cuts `{"key":value,…}` into each key and its value's text, parsed by `JSON.parse`
 * only when the domain asks for it. One type's array is in memory at a time, never the snapshot.
 *
 * Why not stream-json's tokenizer: it builds every object token by token in JavaScript. On a
 * 7.8 MB snapshot of 20k generated objects (this 2-core box, loaded) `JSON.parse` took 46 ms,
 * this splitter plus `JSON.parse` of each member 68 ms, stream-json's parser + StreamArray
 * 1,166 ms (25×): on the 77 MB bootstrap that is ~10 s against a ≤ 1.2× budget (PINS.md).
 * The splitter only tracks strings and nesting depth; every member's text still goes through
 * `JSON.parse`, so nothing invalid gets past it.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  BadSnapshotError,
  type SnapshotMember,
  type StreamedSnapshot,
} from '../domain/sync/central-client.ts';

const enum At {
  Start,
  KeyOrEnd,
  Key,
  Colon,
  ValueStart,
  Value,
  CommaOrEnd,
  KeyNext,
  End,
  NotObject,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

const parseText = (text: string, where: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BadSnapshotError('syntax', `${(e as Error).message} (${where})`);
  }
};

function member(key: string, parts: Buffer[]): SnapshotMember {
  let held: Buffer[] | null = parts;
  const take = (): Buffer => {
    if (!held) throw new Error(`The value of ${key} was already read`);
    const text = held.length === 1 ? held[0]! : Buffer.concat(held);
    held = null; // the text goes once it is read: one copy of a type at a time
    return text;
  };
  return {
    key,
    value: () => parseText(take().toString('utf8'), `in the value of \`${key}\``),
    batches(size) {
      const text = take();
      let at = 0;
      while (at < text.length && isSpace(text[at]!)) at++;
      if (text[at] === 0x5b) return arrayBatches(text, at + 1, size, key);
      held = [text];
      return null;
    },
  };
}

/**
 * An array's elements, `size` at a time, each batch parsed by one `JSON.parse`: the array's text
 * stays (it is a fraction of what its objects take once parsed), its objects do not pile up.
 */
function* arrayBatches(
  text: Buffer,
  from: number,
  size: number,
  key: string,
): Generator<unknown[]> {
  const where = `in the value of \`${key}\``;
  const parse = (start: number, end: number, expected: number): unknown[] => {
    const batch = parseText(`[${text.toString('utf8', start, end)}]`, where) as unknown[];
    // `[1,,2]` cut between the commas would parse as `[]`: every element must be there.
    if (batch.length !== expected)
      throw new BadSnapshotError('syntax', `Unexpected token "," (${where})`);
    return batch;
  };
  const n = text.length;
  let depth = 0;
  let count = 0;
  let start = from;
  let commas = 0;
  for (let i = from; i < n; i++) {
    const b = text[i]!;
    if (b === QUOTE) {
      // The closing quote: the first one not escaped by an odd run of backslashes.
      let q = text.indexOf(QUOTE, i + 1);
      for (;;) {
        if (q < 0) throw new BadSnapshotError('syntax', `Unterminated string (${where})`);
        let run = 0;
        while (text[q - run - 1] === BACKSLASH) run++;
        if (run % 2 === 0) break;
        q = text.indexOf(QUOTE, q + 1);
      }
      i = q;
    } else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      if (depth > 0) {
        depth--;
        continue;
      }
      // The array's end: the last batch, unless the array is empty (`[]`, `[ ]`).
      if (commas > 0 || text.toString('utf8', start, i).trim() !== '')
        yield parse(start, i, count + 1);
      return;
    } else if (b === 0x2c && depth === 0) {
      commas++;
      if (++count === size) {
        yield parse(start, i, count);
        start = i + 1;
        count = 0;
      }
    }
  }
  throw new BadSnapshotError('syntax', `Unexpected end of JSON input (${where})`);
}

/**
 * Splits a JSON object's bytes into its members, in document order. Each member must be read
 * (or dropped) before the next is asked for. Structural errors throw BadSnapshotError('syntax');
 * valid JSON that is not an object throws BadSnapshotError('not-object').
 */
export async function* snapshotMembers(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<SnapshotMember> {
  let at = At.Start as At;
  let offset = 0; // bytes before the current chunk, for messages
  let keyEscaped = false;
  const scan: Scan = { inString: false, escaped: false, depth: 0, closedHere: false };
  let key: Buffer[] = [];
  let parts: Buffer[] = [];
  let from = 0; // start of the current piece of a key or value within the chunk
  const other: Buffer[] = [];

  const unexpected = (b: number, i: number) =>
    new BadSnapshotError(
      'syntax',
      `Unexpected character ${JSON.stringify(String.fromCharCode(b))} at byte ${offset + i} of the snapshot`,
    );

  for await (const chunk of chunks) {
    const out: SnapshotMember[] = [];
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      switch (at) {
        case At.Value: {
          const end = scanValue(chunk, i, scan);
          if (end < 0) {
            i = n - 1;
            break;
          }
          const closing = chunk[end]!;
          // A container or string ends on its last byte; a scalar on the byte after it.
          const scalarEnd = scan.depth === 0 && !scan.closedHere;
          parts.push(chunk.subarray(from, scalarEnd ? end : end + 1));
          out.push(member(keyText(key), parts));
          parts = [];
          if (!scalarEnd) at = At.CommaOrEnd;
          else if (closing === 0x2c) at = At.KeyNext;
          else if (closing === 0x7d) at = At.End;
          else if (isSpace(closing)) at = At.CommaOrEnd;
          else throw unexpected(closing, end);
          i = end;
          break;
        }
        case At.Key:
          if (keyEscaped) keyEscaped = false;
          else if (b === BACKSLASH) keyEscaped = true;
          else if (b === QUOTE) {
            key.push(chunk.subarray(from, i + 1));
            at = At.Colon;
          }
          break;
        case At.NotObject:
          break;
        default:
          if (isSpace(b)) break;
          if (at === At.Start) {
            if (b === 0x7b) at = At.KeyOrEnd;
            else {
              at = At.NotObject;
              from = i;
            }
          } else if ((at === At.KeyOrEnd || at === At.KeyNext) && b === QUOTE) {
            key = [];
            from = i;
            keyEscaped = false;
            at = At.Key;
          } else if (at === At.KeyOrEnd && b === 0x7d) at = At.End;
          else if (at === At.Colon && b === 0x3a) at = At.ValueStart;
          else if (at === At.ValueStart) {
            from = i;
            scan.depth = 0;
            scan.inString = false;
            scan.escaped = false;
            at = At.Value;
            i--; // the value's first byte is read in the Value state
          } else if (at === At.CommaOrEnd && b === 0x2c) at = At.KeyNext;
          else if (at === At.CommaOrEnd && b === 0x7d) at = At.End;
          else throw unexpected(b, i);
      }
    }
    // What of a key or value runs on into the next chunk.
    if (at === At.Key) {
      key.push(chunk.subarray(from));
      from = 0;
    } else if (at === At.Value) {
      parts.push(chunk.subarray(from));
      from = 0;
    } else if (at === At.NotObject) {
      other.push(chunk.subarray(from));
      from = 0;
    }
    offset += n;
    yield* out;
  }
  if (at === At.NotObject) {
    parseText(Buffer.concat(other).toString('utf8'), 'the snapshot');
    throw new BadSnapshotError('not-object', 'not a JSON object');
  }
  if (at === At.Start) parseText('', 'the snapshot is empty');
  if (at !== At.End)
    throw new BadSnapshotError('syntax', `Unexpected end of JSON input at byte ${offset}`);
}

interface Scan {
  inString: boolean;
  escaped: boolean;
  depth: number;
  /** The value just ended on a closing quote or bracket (not on the byte after a scalar). */
  closedHere: boolean;
}

/**
 * Scans a member's value from `i`: the index where it ends (its closing quote or bracket, or for
 * a scalar the `,` `}` or space after it), or -1 when it runs past the chunk. A plain function
 * with local state: the generator's context variables cost 3× in this loop (measured).
 */
function scanValue(chunk: Buffer, i: number, scan: Scan): number {
  const n = chunk.length;
  let { inString, escaped, depth } = scan;
  for (; i < n; i++) {
    if (inString) {
      if (escaped) {
        escaped = false;
        continue;
      }
      // Jump to the string's closing quote (native indexOf): strings are most of the bytes.
      const q = chunk.indexOf(QUOTE, i);
      const stop = q < 0 ? n : q;
      let run = 0;
      while (stop - run - 1 >= i && chunk[stop - run - 1] === BACKSLASH) run++;
      if (q < 0) {
        escaped = run % 2 === 1; // a backslash ending the chunk escapes the next chunk's first byte
        break;
      }
      i = q;
      if (run % 2 === 1) continue;
      inString = false;
      if (depth === 0) return done(scan, depth, q, true);
      continue;
    }
    const b = chunk[i]!;
    if (b === QUOTE) inString = true;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      if (depth === 0) return done(scan, depth, i, false);
      if (--depth === 0) return done(scan, depth, i, true);
    } else if (depth === 0 && (b === 0x2c || isSpace(b))) return done(scan, depth, i, false);
  }
  scan.inString = inString;
  scan.escaped = escaped;
  scan.depth = depth;
  return -1;
}

function done(scan: Scan, depth: number, at: number, closedHere: boolean): number {
  scan.inString = false;
  scan.escaped = false;
  scan.depth = depth;
  scan.closedHere = closedHere;
  return at;
}

function keyText(key: Buffer[]): string {
  const text = Buffer.concat(key).toString('utf8');
  return parseText(text, 'a top-level key') as string;
}

/** A snapshot kept as its gzip, inflated and split afresh on each `members()` (issue 18 §1). */
export function streamedSnapshot(gzip: Buffer, md5: string, size: number): StreamedSnapshot {
  return {
    gzip,
    md5,
    size,
    members: () => snapshotMembers(Readable.from([gzip]).pipe(createGunzip())),
  };
}
