// seeded.mjs: what the seeded generators of the differential tests share —
// "--name value" options and a reproducible random source (mulberry32).
export function options(argv) {
  const out = {};
  for (let i = 0; i + 1 < argv.length; i++) if (argv[i].startsWith("--")) out[argv[i].slice(2)] = argv[i + 1];
  return out;
}

export function random(seed) {
  let state = Number(seed) >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = n => Math.floor(rand() * n);
  return {rand, int, pick: a => a[int(a.length)], chance: p => rand() < p};
}
