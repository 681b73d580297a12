// Pasted sample events of a rule test.

// parseSample reads pasted events: a JSON object, an array of them, or
// one object per line.
export function parseSample(s: string): Record<string, unknown>[] {
  const t = s.trim();
  if (!t) return [];
  try {
    const v = JSON.parse(t);
    if (Array.isArray(v)) return v;
    if (v && typeof v === 'object') return [v];
  } catch {
    // one per line below
  }
  return t.split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`line ${i + 1}: not a JSON object`);
    }
  });
}
