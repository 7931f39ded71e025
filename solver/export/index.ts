/** Exports of a trained model and its run: JSON, safetensors, metrics CSV, a prediction snippet. */
export { convexBlocks, type ConvexBlocks, type ConvexWeights } from './layout';
export { METRIC_COLUMNS, METRIC_KINDS, csvColumns, csvField, metricsToCsv } from './metrics-csv';
export { NETWORK_JSON_FORMAT, networkToJson, type NetworkExportExtra, type StandardizationExport } from './network-json';
export {
  MAX_HEADER_BYTES,
  networkTensors,
  networkToSafetensors,
  readSafetensors,
  writeSafetensors,
  type NetworkTensorOptions,
  type SafeDtype,
  type SafeTensor,
  type SafetensorsFile,
} from './safetensors';
export { predictionSnippet, type SnippetInfo } from './snippet';
