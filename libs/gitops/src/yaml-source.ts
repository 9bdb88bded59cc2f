// Parsing YAML with source positions, and the positional helpers the byte-exact editor needs.
import { parseAllDocuments, visit } from 'yaml';
import type { Document } from 'yaml';
import { GitopsError } from './errors.ts';

export interface YamlFile {
  /** Repo-relative path, used in error messages. */
  path: string;
  text: string;
  /** Every document of the stream, in order (empty for an empty or comment-only file). */
  docs: Document.Parsed[];
}

/** Parses all documents; the first syntax error becomes `path:line: message`. */
export function parseYamlFile(path: string, text: string): YamlFile {
  const stream = parseAllDocuments(text, { keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  const docs: Document.Parsed[] = Array.isArray(stream) ? stream : [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err !== undefined) {
      const detail = (err.message.split('\n')[0] ?? err.code).replace(/ at line \d+, column \d+:?$/, '');
      // an error found at the end of the input (unclosed quote or bracket) belongs to the last line with content
      let at = Math.min(err.pos[0], text.length);
      while (at > 0 && at >= text.trimEnd().length) at--;
      throw new GitopsError('MALFORMED_YAML', `malformed YAML: ${detail}`, { file: path, line: lineOf(text, at) });
    }
  }
  for (const doc of docs) {
    visit(doc, {
      Alias(_k, alias) {
        if (alias.resolve(doc) === undefined) {
          throw new GitopsError('MALFORMED_YAML', `malformed YAML: unknown anchor *${alias.source}`, { file: path, line: lineOf(text, rangeOf(alias)[0]) });
        }
      },
    });
  }
  return { path, text, docs };
}

/** 1-based line number of a source offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** 0-based column of a source offset (UTF-16 code units; a BOM before the first line is not a column). */
export function columnOf(text: string, offset: number): number {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) lineStart = 1;
  return offset - lineStart;
}

/** The line ending the file uses: that of its first line break, LF for a single-line file. */
export function detectEol(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** The offset just past the line break that ends the line holding `offset` (or the end of the text). */
export function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i + 1;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits to the original text. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) throw new Error(`overlapping edits at ${e.start}`);
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** A parsed node's source range [start, valueEnd, nodeEnd]; parsed documents always carry one. */
export function rangeOf(node: { range?: [number, number, number] | null | undefined } | null | undefined): [number, number, number] {
  const r = node?.range;
  if (r === undefined || r === null) throw new Error('YAML node without a source range');
  return r;
}
