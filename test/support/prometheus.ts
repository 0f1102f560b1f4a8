// Reads /metrics as Prometheus would (text exposition format 0.0.4): every line is a
// HELP or TYPE comment or a sample `name{label="value",...} value`, every sample belongs to
// a family declared by TYPE, and every value is a number. Throws on the first bad line.

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_LINE = new RegExp(
  `^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*",?)*)\\})? (\\S+)(?: -?\\d+)?$`,
);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const HELP_LINE = new RegExp(`^# HELP ${NAME} .*$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"/g;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

type Sample = { name: string; labels: Record<string, string>; value: number };

export type Metrics = {
  /** Family name → its TYPE. */
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the series with these labels (others ignored); undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
};

export function parseMetrics(text: string): Metrics {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || HELP_LINE.test(line)) continue;
    const type = TYPE_LINE.exec(line);
    if (type !== null) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (sample === null || !VALUE.test(sample[3] as string)) throw new Error(`not Prometheus text: ${line}`);
    const name = sample[1] as string;
    const family = [name, name.replace(/_(?:bucket|sum|count)$/, '')].find((candidate) => types.has(candidate));
    if (family === undefined) throw new Error(`sample ${name} has no TYPE`);
    const labels = Object.fromEntries(
      [...(sample[2] ?? '').matchAll(LABEL)].map((m) => [m[1] as string, m[2] as string]),
    );
    samples.push({ name, labels, value: Number(sample[3]) });
  }
  return {
    types,
    samples,
    value(name, labels = {}) {
      return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    },
  };
}
