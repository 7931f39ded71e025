// xtr.wgsl — split-K partials of the transposed product Xᵀ·L(R) (spec §3: Fᵀr, Gᵀz, XᵀZ).
// xtr_reduce.wgsl sums the partials in a fixed order, scales by α and adds the base.
//
// Shapes (row-major f32):
//   X  n×d      D  n×P of 0/1      R  n×K ('plain', 'cone') or n×C ('fT')
//   partials   numChunks × dPad × Kp  with dPad = ⌈d/4⌉·4 and Kp = ⌈K/4⌉·4 (padding is never read back)
// Load of R (override LOAD), for column col = (c·S + s)·P + i:
//   0 plain  L[j,col] = R[j,col]
//   1 cone   L[j,col] = (2·D[j, col % P] − 1)·R[j,col]
//   2 fT     L[j,col] = sgn(s)·D[j,i]·R[j·C + c]      sgn(0) = +1, sgn(1) = −1
// partials[z, a, col] = Σ_{j in chunk z} X[j,a]·L[j,col], chunk z = rows [z·rowsPerChunk, (z+1)·rowsPerChunk) ∩ [0,n).
// Bindings (group 0):
//   0 X        array<vec4<f32>> read        (scalars when d % 4 != 0; buffer padded to 16 B)
//   1 R        array<vec4<f32>> read        (scalars when K % 4 != 0 or LOAD == 2; buffer padded to 16 B)
//   2 D        array<f32>       read
//   3 partials array<vec4<f32>> read_write
//   4 params   uniform Params
// Workgroup layout: WG_SIZE threads = WG_COLS column groups × (WG_SIZE / WG_COLS) groups of output rows.
// Each thread owns 4 consecutive output rows a (= one vec4 of an X row) × 4 consecutive columns, so one
// workgroup owns a 4·WG_SIZE/WG_COLS × 4·WG_COLS tile of the d×K output for one row chunk. An Xᵀ tile is a
// contiguous slice of X rows, so no transpose or workgroup memory is needed. Tiles are numbered
// column-tile fastest, then output-row tile, then chunk, and folded into a 2-D grid: wid.x + wid.y · gridX.

override WG_SIZE: u32 = 256u;
override WG_COLS: u32 = 16u;
override LOAD: u32 = 0u;
// d % 4 == 0: rows of X are vec4-aligned.
override X_VEC: bool = true;
// K % 4 == 0 (and LOAD != 2): column groups of R are vec4-aligned.
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

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> R: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> D: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> params: Params;

fn xs(i: u32) -> f32 {
  return X[i >> 2u][i & 3u];
}

fn rs(i: u32) -> f32 {
  return R[i >> 2u][i & 3u];
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
  let P = params.P;
  let K4 = (K + 3u) / 4u;
  let aGroups = WG_SIZE / WG_COLS;
  let colTile = tile % params.colTiles;
  let rest = tile / params.colTiles;
  let aTile = rest % params.rowTiles;
  let chunk = rest / params.rowTiles;
  let cg = colTile * WG_COLS + t % WG_COLS;
  let col0 = cg * 4u;
  let ag = aTile * aGroups + t / WG_COLS;
  let a0 = ag * 4u;

  // Clamped indices keep every load in bounds without branches in the inner loop.
  let cv = min(cg, K4 - 1u);
  let c0 = min(col0, K - 1u);
  let c1 = min(col0 + 1u, K - 1u);
  let c2 = min(col0 + 2u, K - 1u);
  let c3 = min(col0 + 3u, K - 1u);
  let p = vec4<u32>(c0 % P, c1 % P, c2 % P, c3 % P);
  // fT: class and sign of each column, col = (c·S + s)·P + i.
  let cs = vec4<u32>(c0 / P, c1 / P, c2 / P, c3 / P);
  let cls = cs / vec4<u32>(params.S);
  let sgn = select(vec4<f32>(1.0), vec4<f32>(-1.0), (cs % vec4<u32>(params.S)) == vec4<u32>(1u));
  let C = params.C;
  let d4 = d / 4u;
  let av = min(ag, max(d4, 1u) - 1u);
  let e0 = min(a0, d - 1u);
  let e1 = min(a0 + 1u, d - 1u);
  let e2 = min(a0 + 2u, d - 1u);
  let e3 = min(a0 + 3u, d - 1u);

  let jBegin = chunk * params.rowsPerChunk;
  let jEnd = min(n, jBegin + params.rowsPerChunk);

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var j = jBegin; j < jEnd; j++) {
    var x: vec4<f32>;
    if (X_VEC) {
      x = X[j * d4 + av];
    } else {
      let b = j * d;
      x = vec4<f32>(xs(b + e0), xs(b + e1), xs(b + e2), xs(b + e3));
    }
    var l: vec4<f32>;
    if (LOAD == 2u) {
      let db = j * P;
      let rb = j * C;
      let dv = vec4<f32>(D[db + p.x], D[db + p.y], D[db + p.z], D[db + p.w]);
      let rv = vec4<f32>(rs(rb + cls.x), rs(rb + cls.y), rs(rb + cls.z), rs(rb + cls.w));
      l = sgn * dv * rv;
    } else {
      if (R_VEC) {
        l = R[j * K4 + cv];
      } else {
        let b = j * K;
        l = vec4<f32>(rs(b + c0), rs(b + c1), rs(b + c2), rs(b + c3));
      }
      if (LOAD == 1u) {
        let db = j * P;
        let dv = vec4<f32>(D[db + p.x], D[db + p.y], D[db + p.z], D[db + p.w]);
        l = (2.0 * dv - 1.0) * l;
      }
    }
    acc0 += x.x * l;
    acc1 += x.y * l;
    acc2 += x.z * l;
    acc3 += x.w * l;
  }

  if (cg >= K4 || a0 >= d) {
    return;
  }
  // dPad rows per chunk: all four rows a0..a0+3 exist in the padded layout.
  let ob = (chunk * params.dPad + a0) * K4 + cg;
  partials[ob] = acc0;
  partials[ob + K4] = acc1;
  partials[ob + 2u * K4] = acc2;
  partials[ob + 3u * K4] = acc3;
}
