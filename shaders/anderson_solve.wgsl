// anderson_solve.wgsl — γ = argmin ‖g − ΔG γ‖² + reg‖γ‖² on the GPU (spec §4.5; the CPU's
// solver/admm/anderson.ts leastSquares): the c×c normal equations (c = AA_COUNT ≤ m) with the
// Tikhonov term reg = prm.reg·trace, Cholesky and two triangular solves, serially (c ≤ 50, so
// ≤ 2·10⁴ flops). No extrapolation (AA_USED = 0) when the memory is empty, the update rejects,
// or the system is not positive definite or γ not finite. Sets AA_WRITE: the state is rewritten
// when it extrapolates or rejects (then from the plain step's f).
// Shapes: state the Anderson state (prelude AA_*: γ at AA_GAMMA, ΔGᵀg after it, the Gram, then
// the factor L, row-major m×m). Bindings: 0 params (uniform: m, reg), 1 state (read_write).
// Workgroup: 1 thread; grid 1.
struct Params { m: u32, _p0: u32, _p1: u32, reg: f32 }
@bindings(prm: uniform Params, state: rw)

fn finite(x: f32) -> bool {
  // Exponent bits all ones is ±∞ or NaN (a bit test survives fast-math, x != x may not).
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// Factors and solves; false when the system is singular in float32 or γ is not finite.
fn solve(c: u32) -> bool {
  let m = prm.m;
  let rhs = AA_GAMMA + m;
  let G0 = AA_GAMMA + 2u * m;
  let L0 = G0 + m * m;
  var trace = 0.0;
  for (var a = 0u; a < c; a++) { trace += state[G0 + a * m + a]; }
  if (!(trace > 0.0) || !finite(trace)) { return false; }
  let reg = prm.reg * trace;
  for (var a = 0u; a < c; a++) {
    for (var b = 0u; b <= a; b++) {
      var s = state[G0 + a * m + b];
      if (a == b) { s += reg; }
      for (var k = 0u; k < b; k++) { s -= state[L0 + a * m + k] * state[L0 + b * m + k]; }
      if (a == b) {
        if (!(s > 0.0)) { return false; }
        state[L0 + a * m + a] = sqrt(s);
      } else {
        state[L0 + a * m + b] = s / state[L0 + b * m + b];
      }
    }
  }
  // L y = ΔGᵀg, then Lᵀ γ = y, in place in γ.
  for (var a = 0u; a < c; a++) {
    var s = state[rhs + a];
    for (var k = 0u; k < a; k++) { s -= state[L0 + a * m + k] * state[AA_GAMMA + k]; }
    state[AA_GAMMA + a] = s / state[L0 + a * m + a];
  }
  for (var i = 0u; i < c; i++) {
    let a = c - 1u - i;
    var s = state[AA_GAMMA + a];
    for (var k = a + 1u; k < c; k++) { s -= state[L0 + k * m + a] * state[AA_GAMMA + k]; }
    let v = s / state[L0 + a * m + a];
    if (!finite(v)) { return false; }
    state[AA_GAMMA + a] = v;
  }
  return true;
}

@compute @workgroup_size(1)
fn main() {
  let reject = state[AA_REJECT] == 1.0;
  let c = u32(state[AA_COUNT]);
  let ok = !reject && c > 0u && solve(c);
  state[AA_USED] = select(0.0, f32(c), ok);
  state[AA_EXTRAPOLATED] = select(0.0, 1.0, ok);
  state[AA_WRITE] = select(0.0, 1.0, ok || reject);
  if (ok) { state[AA_ACCEPTED] += 1.0; }
}
