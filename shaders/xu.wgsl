// xu.wgsl — forward product Z = X·U with a fused epilogue (spec §3: X U±, E∘(X U), D∘(X U)).
//
// Shapes (row-major f32):
//   X    n×d           U    d×K           D    n×P of 0/1; column col of U uses pattern col % P
//   out  n×K           out2 n×K (written only by the 'cone' epilogue)
// Epilogue (params.mode): 0 plain  out = Z
//                         1 cone   out = Z, out2 = (2D − 1)∘Z
//                         2 relu   out = max(Z, 0)
//                         3 gate   out = D∘Z
// Bindings (group 0):
//   0 X    array<vec4<f32>> read    (read as scalars when d % 4 != 0; buffer padded to 16 B)
//   1 U    array<vec4<f32>> read    (read as scalars when K % 4 != 0; buffer padded to 16 B)
//   2 D    array<f32>       read
//   3 out  array<f32>       read_write
//   4 out2 array<f32>       read_write (a dummy unless mode == 1)
//   5 params uniform Params
// Workgroup layout: WG_SIZE threads = WG_COLS column groups × (WG_SIZE / WG_COLS) row groups. Each thread
// computes 4 consecutive rows × 4 consecutive columns (four vec4 accumulators), so one workgroup covers
// 4·WG_SIZE/WG_COLS rows × 4·WG_COLS columns. No workgroup memory: U is thin and stays in cache, and the
// register-blocked form avoids barriers (notes §1, §6). Tiles are numbered column-tile-fastest (workgroups
// sharing rows of X run together) and folded into a 2-D grid: tile = wid.x + wid.y · gridX.
// Ragged edges: rows and columns past the end are clamped for loads and skipped for stores.

override WG_SIZE: u32 = 256u;
override WG_COLS: u32 = 16u;
// d % 4 == 0: rows of X are vec4-aligned.
override X_VEC: bool = true;
// K % 4 == 0: column groups of U are vec4-aligned.
override U_VEC: bool = true;

struct Params {
  n: u32,
  d: u32,
  K: u32,
  P: u32,
  mode: u32,
  colTiles: u32,
  numTiles: u32,
  gridX: u32,
}

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> U: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> D: array<f32>;
@group(0) @binding(3) var<storage, read_write> outZ: array<f32>;
@group(0) @binding(4) var<storage, read_write> out2: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

fn xs(i: u32) -> f32 {
  return X[i >> 2u][i & 3u];
}

fn us(i: u32) -> f32 {
  return U[i >> 2u][i & 3u];
}

// Row k of U at this thread's four (clamped) columns.
fn loadU(k: u32, K4: u32, cv: u32, c0: u32, c1: u32, c2: u32, c3: u32) -> vec4<f32> {
  if (U_VEC) {
    return U[k * K4 + cv];
  }
  let b = k * params.K;
  return vec4<f32>(us(b + c0), us(b + c1), us(b + c2), us(b + c3));
}

fn store(row: u32, col0: u32, z: vec4<f32>) {
  let n = params.n;
  let K = params.K;
  let P = params.P;
  let mode = params.mode;
  if (row >= n) {
    return;
  }
  var v = z;
  var dv = vec4<f32>(1.0);
  if (mode == 1u || mode == 3u) {
    let db = row * P;
    dv = vec4<f32>(
      D[db + min(col0, K - 1u) % P],
      D[db + min(col0 + 1u, K - 1u) % P],
      D[db + min(col0 + 2u, K - 1u) % P],
      D[db + min(col0 + 3u, K - 1u) % P],
    );
  }
  if (mode == 2u) {
    v = max(z, vec4<f32>(0.0));
  } else if (mode == 3u) {
    v = dv * z;
  }
  let ob = row * K + col0;
  for (var j = 0u; j < 4u; j++) {
    if (col0 + j < K) {
      outZ[ob + j] = v[j];
      if (mode == 1u) {
        out2[ob + j] = (2.0 * dv[j] - 1.0) * z[j];
      }
    }
  }
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
  let rowGroups = WG_SIZE / WG_COLS;
  let colTile = tile % params.colTiles;
  let rowTile = tile / params.colTiles;
  let cg = colTile * WG_COLS + t % WG_COLS;
  let col0 = cg * 4u;
  let row0 = (rowTile * rowGroups + t / WG_COLS) * 4u;

  // Clamped indices keep every load in bounds without branches in the inner loop.
  let cv = min(cg, K4 - 1u);
  let c0 = min(col0, K - 1u);
  let c1 = min(col0 + 1u, K - 1u);
  let c2 = min(col0 + 2u, K - 1u);
  let c3 = min(col0 + 3u, K - 1u);
  let r0 = min(row0, n - 1u);
  let r1 = min(row0 + 1u, n - 1u);
  let r2 = min(row0 + 2u, n - 1u);
  let r3 = min(row0 + 3u, n - 1u);

  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);

  if (X_VEC) {
    let d4 = d / 4u;
    let x0b = r0 * d4;
    let x1b = r1 * d4;
    let x2b = r2 * d4;
    let x3b = r3 * d4;
    for (var k4 = 0u; k4 < d4; k4++) {
      let k = k4 * 4u;
      let u0 = loadU(k, K4, cv, c0, c1, c2, c3);
      let u1 = loadU(k + 1u, K4, cv, c0, c1, c2, c3);
      let u2 = loadU(k + 2u, K4, cv, c0, c1, c2, c3);
      let u3 = loadU(k + 3u, K4, cv, c0, c1, c2, c3);
      let x0 = X[x0b + k4];
      let x1 = X[x1b + k4];
      let x2 = X[x2b + k4];
      let x3 = X[x3b + k4];
      a0 += x0.x * u0 + x0.y * u1 + x0.z * u2 + x0.w * u3;
      a1 += x1.x * u0 + x1.y * u1 + x1.z * u2 + x1.w * u3;
      a2 += x2.x * u0 + x2.y * u1 + x2.z * u2 + x2.w * u3;
      a3 += x3.x * u0 + x3.y * u1 + x3.z * u2 + x3.w * u3;
    }
  } else {
    let x0b = r0 * d;
    let x1b = r1 * d;
    let x2b = r2 * d;
    let x3b = r3 * d;
    for (var k = 0u; k < d; k++) {
      let u = loadU(k, K4, cv, c0, c1, c2, c3);
      a0 += xs(x0b + k) * u;
      a1 += xs(x1b + k) * u;
      a2 += xs(x2b + k) * u;
      a3 += xs(x3b + k) * u;
    }
  }

  if (cg >= K4) {
    return;
  }
  store(row0, col0, a0);
  store(row0 + 1u, col0, a1);
  store(row0 + 2u, col0, a2);
  store(row0 + 3u, col0, a3);
}
