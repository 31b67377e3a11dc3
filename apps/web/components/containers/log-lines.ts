export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  at: Date;
}

const stamp = (at: Date) => at.toISOString();

/** Lines containing `search` (any case). */
export function matchingLines(lines: LogLine[], search: string): LogLine[] {
  const needle = search.trim().toLowerCase();
  return needle ? lines.filter((l) => l.text.toLowerCase().includes(needle)) : lines;
}

/** One line as shown: with its time first when asked, always ending in a newline. */
export function lineText(line: LogLine, timestamps: boolean): string {
  const text = line.text.endsWith('\n') ? line.text : `${line.text}\n`;
  return timestamps ? `${stamp(line.at)} ${text}` : text;
}

/** The log as a file: every line with its time, as `docker logs -t` writes it. */
export function logFile(lines: LogLine[]): string {
  return lines.map((l) => lineText(l, true)).join('');
}
