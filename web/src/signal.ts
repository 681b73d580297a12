// A minimal observable value, with a Preact hook to follow it.
import { useEffect, useState } from 'preact/hooks';

export interface Signal<T> {
  value: T;
  subscribe(f: (v: T) => void): () => void;
}

export function signal<T>(initial: T): Signal<T> {
  let v = initial;
  const subs = new Set<(v: T) => void>();
  return {
    get value() {
      return v;
    },
    set value(nv: T) {
      v = nv;
      for (const f of [...subs]) f(v);
    },
    subscribe(f) {
      subs.add(f);
      return () => subs.delete(f);
    },
  };
}

export function useSignal<T>(s: Signal<T>): T {
  const [, set] = useState(0);
  const seen = s.value;
  useEffect(() => {
    const off = s.subscribe(() => set((n) => n + 1));
    // The value may have changed between the render and this effect.
    if (s.value !== seen) set((n) => n + 1);
    return off;
  }, [s]);
  return s.value;
}

// theme is the console's colour theme ("dark" or "light"); charts redraw
// when it changes (their colours come from the theme's CSS variables).
export const theme = signal<string>('');
