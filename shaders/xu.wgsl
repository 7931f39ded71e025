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
//   0 X    array<vec4<f32>> read    (read as scalars unless X_VEC; buffer padded to 16 B)
//   1 U    array<vec4<f32>> read    (read as scalars unless U_VEC; buffer padded to 16 B)
//   2 D    array<vec4<f32>> read    (read as scalars unless D_VEC; buffer padded to 16 B)
//   3 out  array<f32>       read_write
//   4 out2 array<f32>       read_write (a dummy unless mode == 1)
//   5 params uniform Params
// Workgroup layout: WG_SIZE threads = WG_COLS column groups × (WG_SIZE / WG_COLS) row groups. Each thread
// computes 8 consecutive rows × 8 consecutive columns (two vec4 column groups, 16 vec4 accumulators held in
// named variables: arrays of accumulators spill to memory on some compilers; the `@unroll` blocks write them
// out at load time, see solver/gpu/wgsl.ts), so a workgroup covers
// 8·WG_SIZE/WG_COLS rows × 8·WG_COLS columns. Per 4 steps of the inner dimension a thread loads 8 vec4 of X
// and 8 vec4 of U for 256 FMAs. No workgroup memory: U is thin and stays in cache, and the register-blocked
// form needs no barriers (notes §1, §6). Tiles are numbered column-tile fastest (workgroups sharing rows of
// X run together) and folded into a 2-D grid: tile = wid.x + wid.y · gridX.
// Ragged edges: rows and columns past the end are clamped for loads and skipped for stores.

// WG_SIZE, WG_COLS, X_VEC, D_VEC, the bindings of X and D, xs and ds: gemm_common.wgsl.
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

@group(0) @binding(1) var<storage, read> U: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> outZ: array<f32>;
@group(0) @binding(4) var<storage, read_write> out2: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

fn us(i: u32) -> f32 {
  return U[i >> 2u][i & 3u];
}

// Row k of U at column group g (columns 4g..4g+3, clamped into range; gv = min(g, K/4 − 1)). K comes in
// as an argument read once outside the loop: some compilers (SwiftShader) reload uniforms every iteration.
fn loadU(k: u32, g: u32, gv: u32, K: u32) -> vec4<f32> {
  if (U_VEC) {
    return U[k * (K / 4u) + gv];
  }
  let b = k * K;
  let c = 4u * g;
  return vec4<f32>(
    us(b + min(c, K - 1u)),
    us(b + min(c + 1u, K - 1u)),
    us(b + min(c + 2u, K - 1u)),
    us(b + min(c + 3u, K - 1u)),
  );
}

fn store(row: u32, col0: u32, z: vec4<f32>) {
  let K = params.K;
  let P = params.P;
  let mode = params.mode;
  if (row >= params.n || col0 >= K) {
    return;
  }
  var v = z;
  var dv = vec4<f32>(1.0);
  if (mode == 1u || mode == 3u) {
    let db = row * P;
    if (D_VEC) {
      dv = D[(db + col0 % P) / 4u];
    } else {
      dv = vec4<f32>(
        ds(db + col0 % P),
        ds(db + min(col0 + 1u, K - 1u) % P),
        ds(db + min(col0 + 2u, K - 1u) % P),
        ds(db + min(col0 + 3u, K - 1u) % P),
      );
    }
  }
  if (mode == 2u) {
    v = max(z, vec4<f32>(0.0));
  } else if (mode == 3u) {
    v = dv * z;
  }
  let e = 2.0 * dv - 1.0;
  let ob = row * K + col0;
  for (var j = 0u; j < 4u; j++) {
    if (col0 + j < K) {
      outZ[ob + j] = v[j];
      if (mode == 1u) {
        out2[ob + j] = e[j] * z[j];
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
  let colTile = tile % params.colTiles;
  let rowTile = tile / params.colTiles;
  let ga = 2u * (colTile * WG_COLS + t % WG_COLS);
  let gb = ga + 1u;
  let K = params.K;
  let gav = min(ga, max(K / 4u, 1u) - 1u);
  let gbv = min(gb, max(K / 4u, 1u) - 1u);
  let row0 = (rowTile * (WG_SIZE / WG_COLS) + t / WG_COLS) * 8u;
  let last = n - 1u;

  // @unroll r 0..7
  var a{r} = vec4<f32>(0.0);
  var b{r} = vec4<f32>(0.0);
  // @end

  if (X_VEC) {
    let d4 = d / 4u;
    // Clamped row bases keep every load in bounds without branches in the inner loop.
    // @unroll r 0..7
    let x{r}b = min(row0 + {r}u, last) * d4;
    // @end
    for (var k4 = 0u; k4 < d4; k4++) {
      let k = 4u * k4;
      let u0 = loadU(k, ga, gav, K);
      let u1 = loadU(k + 1u, ga, gav, K);
      let u2 = loadU(k + 2u, ga, gav, K);
      let u3 = loadU(k + 3u, ga, gav, K);
      let v0 = loadU(k, gb, gbv, K);
      let v1 = loadU(k + 1u, gb, gbv, K);
      let v2 = loadU(k + 2u, gb, gbv, K);
      let v3 = loadU(k + 3u, gb, gbv, K);
      // @unroll r 0..7
      let x{r} = X[x{r}b + k4];
      a{r} += x{r}.x * u0 + x{r}.y * u1 + x{r}.z * u2 + x{r}.w * u3;
      b{r} += x{r}.x * v0 + x{r}.y * v1 + x{r}.z * v2 + x{r}.w * v3;
      // @end
    }
  } else {
    // @unroll r 0..7
    let x{r}b = min(row0 + {r}u, last) * d;
    // @end
    for (var k = 0u; k < d; k++) {
      let u = loadU(k, ga, gav, K);
      let v = loadU(k, gb, gbv, K);
      // @unroll r 0..7
      let x{r} = xs(x{r}b + k);
      a{r} += x{r} * u;
      b{r} += x{r} * v;
      // @end
    }
  }

  let ca = 4u * ga;
  let cb = 4u * gb;
  // @unroll r 0..7
  store(row0 + {r}u, ca, a{r});
  store(row0 + {r}u, cb, b{r});
  // @end
}
