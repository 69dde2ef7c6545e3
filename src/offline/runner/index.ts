export { startOfflineRunner, PROJECT_ROOT, type OfflineRunner, type OfflineRunnerOptions, type RunOutcome } from './runner';
export { startLocalWarehouse, startOfflineEmulator, connectToWarehouse, offlineClientEnvironment, OFFLINE_BUCKET, OFFLINE_DATABASE, type LocalWarehouse, type QueryResult, type WarehouseOptions } from './warehouse';
export { gatherSummary, loadErrorsSince, formatSummary, formatLoadErrors, formatTable, type LoadErrors, type RunCounts, type RunSummary } from './summary';
