// xtr.wgsl — split-K partials of the transposed product Xᵀ·L(R) (spec §3: Fᵀr, Gᵀz, XᵀZ).
// xtr_reduce.wgsl then sums the partials in a fixed order, scales by α and adds the base.
//
// Shapes (row-major f32):
//   X  n×d      D  n×P of 0/1      R  n×K ('plain', 'cone') or n×C ('fT')
//   partials   numChunks × dPad × K4 vec4, dPad = ⌈d/4⌉·4, K4 = ⌈K/4⌉ (padding rows/columns hold junk
//              that the reduction never reads)
// Load of R (override LOAD), for column col = (c·S + s)·P + i:
//   0 plain  L[j,col] = R[j,col]
//   1 cone   L[j,col] = (2·D[j, col % P] − 1)·R[j,col]
//   2 fT     L[j,col] = sgn(s)·D[j,i]·R[j·C + c]      sgn(0) = +1, sgn(1) = −1
// partials[z, a, col] = Σ_{j in chunk z} X[j,a]·L[j,col], chunk z = rows [z·rowsPerChunk, (z+1)·rowsPerChunk) ∩ [0,n).
// Bindings (group 0):
//   0 X        array<vec4<f32>> read        (scalars unless X_VEC; buffer padded to 16 B)
//   1 R        array<vec4<f32>> read        (scalars unless R_VEC; buffer padded to 16 B)
//   2 D        array<vec4<f32>> read        (scalars unless D_VEC; buffer padded to 16 B)
//   3 partials array<vec4<f32>> read_write
//   4 params   uniform Params
// Workgroup layout: WG_SIZE threads = WG_COLS column groups × (WG_SIZE / WG_COLS) groups of output rows.
// Each thread owns 8 consecutive output rows a (two vec4 of an X row) × 8 consecutive columns (two vec4 of
// L), i.e. 16 vec4 accumulators in named variables (written out by the `@unroll` blocks at load time, see
// solver/gpu/wgsl.ts); per row j of X it loads 4 vec4 for 64 FMAs. A workgroup
// owns an 8·WG_SIZE/WG_COLS × 8·WG_COLS tile of the d×K output for one row chunk. An Xᵀ tile is a
// contiguous slice of X rows, so no transpose or workgroup memory is needed. Tiles are numbered
// column-tile fastest, then output-row tile, then chunk, and folded into a 2-D grid: wid.x + wid.y · gridX.

// WG_SIZE, WG_COLS, X_VEC, D_VEC, the bindings of X and D, xs and ds: gemm_common.wgsl.
override LOAD: u32 = 0u;
// K % 4 == 0 and LOAD != 2: column groups of R are vec4-aligned.
override R_VEC: bool = true;

struct Params {
  n: u32,
  d: u32,
  K: u32,
  P: u32,
  S: u32,
  C: u32,
  rowsPerChunk: u32,
  colTiles: u32,
  rowTiles: u32,
  numTiles: u32,
  gridX: u32,
  dPad: u32,
}

@group(0) @binding(1) var<storage, read> R: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

fn rs(i: u32) -> f32 {
  return R[i >> 2u][i & 3u];
}

// Per-thread facts about one group of 4 columns, computed once outside the row loop.
struct Cols {
  // vec4 index of the group in a row of R (clamped).
  v: u32,
  // The 4 columns, clamped into [0, K).
  c: vec4<u32>,
  // Pattern of each column: col % P.
  p: vec4<u32>,
  // fT: class c and sign of each column, col = (c·S + s)·P + i.
  cls: vec4<u32>,
  sgn: vec4<f32>,
}

fn colsOf(g: u32) -> Cols {
  let K = params.K;
  let P = params.P;
  let c = min(vec4<u32>(4u * g) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(K - 1u));
  let blk = c / vec4<u32>(P);
  let S = vec4<u32>(params.S);
  return Cols(
    min(g, (K + 3u) / 4u - 1u),
    c,
    c % vec4<u32>(P),
    blk / S,
    select(vec4<f32>(1.0), vec4<f32>(-1.0), blk % S == vec4<u32>(1u)),
  );
}

// L(R) at row j for one column group. Uniform fields come in as arguments, read once outside the row
// loop: some compilers (SwiftShader) otherwise reload them in every iteration.
fn loadL(j: u32, g: Cols, K: u32, K4: u32, P: u32, C: u32) -> vec4<f32> {
  let db = j * P;
  if (LOAD == 2u) {
    let rb = j * C;
    if (D_VEC) {
      return (g.sgn.x * rs(rb + g.cls.x)) * D[(db + g.p.x) / 4u];
    }
    let dv = vec4<f32>(ds(db + g.p.x), ds(db + g.p.y), ds(db + g.p.z), ds(db + g.p.w));
    let rv = vec4<f32>(rs(rb + g.cls.x), rs(rb + g.cls.y), rs(rb + g.cls.z), rs(rb + g.cls.w));
    return g.sgn * dv * rv;
  }
  var l: vec4<f32>;
  if (R_VEC) {
    l = R[j * K4 + g.v];
  } else {
    let b = j * K;
    l = vec4<f32>(rs(b + g.c.x), rs(b + g.c.y), rs(b + g.c.z), rs(b + g.c.w));
  }
  if (LOAD == 1u) {
    var dv: vec4<f32>;
    if (D_VEC) {
      dv = D[(db + g.p.x) / 4u];
    } else {
      dv = vec4<f32>(ds(db + g.p.x), ds(db + g.p.y), ds(db + g.p.z), ds(db + g.p.w));
    }
    l = (2.0 * dv - 1.0) * l;
  }
  return l;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let tile = wid.x + wid.y * params.gridX;
  if (tile >= params.numTiles) {
    return;
  }
  let n = params.n;
  let d = params.d;
  let K = params.K;
  let K4 = (K + 3u) / 4u;
  let P = params.P;
  let C = params.C;
  let colTile = tile % params.colTiles;
  let rest = tile / params.colTiles;
  let aTile = rest % params.rowTiles;
  let chunk = rest / params.rowTiles;
  let ga = 2u * (colTile * WG_COLS + t % WG_COLS);
  let gb = ga + 1u;
  let colsA = colsOf(ga);
  let colsB = colsOf(gb);
  // Output rows a0..a0+7 = vec4 groups h and h+1 of an X row.
  let h = 2u * (aTile * (WG_SIZE / WG_COLS) + t / WG_COLS);
  let a0 = 4u * h;
  let d4 = d / 4u;
  let hx = min(h, max(d4, 1u) - 1u);
  let hy = min(h + 1u, max(d4, 1u) - 1u);
  let e = min(vec4<u32>(a0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(d - 1u));
  let f = min(vec4<u32>(a0 + 4u) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(d - 1u));

  let jBegin = chunk * params.rowsPerChunk;
  let jEnd = min(n, jBegin + params.rowsPerChunk);

  // @unroll r 0..7
  var a{r}a = vec4<f32>(0.0);
  var a{r}b = vec4<f32>(0.0);
  // @end
  for (var j = jBegin; j < jEnd; j++) {
    var x: vec4<f32>;
    var y: vec4<f32>;
    if (X_VEC) {
      x = X[j * d4 + hx];
      y = X[j * d4 + hy];
    } else {
      let b = j * d;
      x = vec4<f32>(xs(b + e.x), xs(b + e.y), xs(b + e.z), xs(b + e.w));
      y = vec4<f32>(xs(b + f.x), xs(b + f.y), xs(b + f.z), xs(b + f.w));
    }
    let l = loadL(j, colsA, K, K4, P, C);
    let m = loadL(j, colsB, K, K4, P, C);
    // Rows a0..a0+3 take their X entry from x, rows a0+4..a0+7 from y.
    // @unroll r 0..3
    a{r}a += x[{r}] * l;
    a{r}b += x[{r}] * m;
    // @end
    // @unroll r 4..7
    a{r}a += y[{r-4}] * l;
    a{r}b += y[{r-4}] * m;
    // @end
  }

  if (ga >= K4 || a0 >= d) {
    return;
  }
  // Rows a0..a0+3 always exist in the padded layout; a0+4..a0+7 exist when a0 + 4 < d.
  let hasB = gb < K4;
  let hasHi = a0 + 4u < d;
  let ob = (chunk * params.dPad + a0) * K4 + ga;
  // @unroll r 0..3
  partials[ob + {r}u * K4] = a{r}a;
  // @end
  if (hasHi) {
    // @unroll r 4..7
    partials[ob + {r}u * K4] = a{r}a;
    // @end
  }
  if (hasB) {
    // @unroll r 0..3
    partials[ob + {r}u * K4 + 1u] = a{r}b;
    // @end
    if (hasHi) {
      // @unroll r 4..7
      partials[ob + {r}u * K4 + 1u] = a{r}b;
      // @end
    }
  }
}
