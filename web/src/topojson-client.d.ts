// The part of topojson-client (which ships no types) the map uses.
declare module 'topojson-client' {
  export function feature(topology: unknown, object: unknown): unknown;
}
