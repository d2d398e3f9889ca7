// numpy's legacy RandomState stream (MT19937, `np.random.RandomState(seed)`), for tests only: it lets the
// engine's initialisations, which take any RandomSource, draw exactly what kmodes draws, so their output
// can be compared with the reference fixtures. Implements the three draws the engine makes:
// randint(0, n) (legacy masked rejection), random_sample (53 bits) and the legacy polar Gaussian.
import type { RandomSource } from '../../../src/engine/kprototypes/init.ts';

const N = 624;
const M = 397;

export class NumpyRandomState implements RandomSource {
  private readonly state = new Uint32Array(N);
  private position = N;
  private spareGaussian = 0;
  private hasSpareGaussian = false;

  /** `RandomState(seed)` for an integer seed in [0, 2^32): Matsumoto–Nishimura's init_genrand. */
  constructor(seed: number) {
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.state[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  /** genrand_int32. */
  nextUint32(): number {
    if (this.position >= N) this.twist();
    let y = this.state[this.position++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `randint(0, n)`: numpy's legacy masked rejection sampling (no draw at all when n = 1). */
  nextInt(n: number): number {
    const range = n - 1;
    if (range === 0) return 0;
    if (range > 0xffffffff) throw new RangeError('ranges above 2^32 are not needed by the tests');
    if (range === 0xffffffff) return this.nextUint32();
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > range);
    return value;
  }

  /** `random_sample()`: 53-bit double in [0, 1). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `standard_normal()` of the legacy generator (polar method; returns f·x2 first, keeps f·x1). */
  nextGaussian(): number {
    if (this.hasSpareGaussian) {
      this.hasSpareGaussian = false;
      return this.spareGaussian;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextFloat() - 1;
      x2 = 2 * this.nextFloat() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.spareGaussian = f * x1;
    this.hasSpareGaussian = true;
    return f * x2;
  }

  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      let next = mt[(i + M) % N]! ^ (y >>> 1);
      if (y & 1) next ^= 0x9908b0df;
      mt[i] = next >>> 0;
    }
    this.position = 0;
  }
}

/** The generator kmodes gives run `run` of `KModes(random_state=seed)`: RandomState(randint(2^31 − 1)). */
export function kmodesRunState(seed: number, run = 0): NumpyRandomState {
  const master = new NumpyRandomState(seed);
  let runSeed = 0;
  for (let r = 0; r <= run; r++) runSeed = master.nextInt(2147483647);
  return new NumpyRandomState(runSeed);
}
